// Package scripts runs the external programs keepalived's VRRP side runs:
// vrrp_script checks and notify scripts.
//
// It is split the way keepalived's behaviour splits (reference §4.1, §5.1-§5.3):
//
//   - run.go: Runner executes one Command the way keepalived's forked child
//     does: execve directly (no shell, so a file without "#!" fails with
//     ENOEXEC), "</..." commands through /bin/sh -c, as the configured
//     uid/gid with setgroups([gid]), in a new process group, with
//     PR_SET_PDEATHSIG=SIGTERM and stdin/stdout/stderr on /dev/null. A run
//     that times out gets SIGTERM to its process group, SIGKILL to the group
//     after a grace period, and every child is reaped.
//   - counter.go: Counter is a vrrp_script's rise/fall counter and the log
//     lines keepalived writes when it changes.
//   - checker.go: Checker runs one vrrp_script every interval, skipping a
//     tick while the previous run is still going.
//   - notify.go: NotifyArgs builds the argv of the notify keywords.
//   - cred.go: LookupCred and ScriptCred, the uid:gid a script runs as
//     (its user, script_user, the keepalived_script account, or root).
//   - fifo.go: FIFO and FIFOs, the notify FIFOs (notify_fifo and
//     vrrp_notify_fifo) with their scripts (reference §5.4).
//
// A program that cannot be started (missing, not executable, no "#!")
// counts as a failure by default; Runner.KeepalivedScripts counts it as a
// success, as keepalived does (issue 4). Package secure applies
// keepalived's script security rules (reference §5.3) for confparse.
//
// Executor is the seam the rest of the daemon uses ("run this script");
// package scriptstest has an in-memory fake that records a transcript, a
// manual clock for Checker and an in-memory filesystem for the security
// checks.
package scripts
