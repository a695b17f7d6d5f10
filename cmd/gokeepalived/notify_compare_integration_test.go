package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// The tests in this file run a scenario under Debian's keepalived on every
// host, then under gokeepalived on every host, and require the same notify
// lines from each, per host and per file, and the same state log lines.
//
// keepalived forks its notify scripts without waiting for them (reference
// §5.1), so notify_<state> and notify of one transition may finish in
// either order; each kind therefore writes a file of its own (notifyRec),
// and only the order within a file is compared. The scenarios' transitions
// are at least a Skew_Time (0.6 s) apart, far longer than a script that
// appends one line takes, so the order within a file is the transitions'.

// compareRuns runs scenario under keepalived, then under gokeepalived, and
// compares what they recorded. It returns keepalived's records.
func compareRuns(t *testing.T, scenario func(*testing.T, daemonKind) notifyLogs) notifyLogs {
	t.Helper()
	nstest.RequireBinaries(t, "keepalived")
	var ka, gk notifyLogs
	if !t.Run("keepalived", func(t *testing.T) { ka = scenario(t, daemonKA) }) {
		t.FailNow()
	}
	if !t.Run("gokeepalived", func(t *testing.T) { gk = scenario(t, daemonGK) }) {
		t.FailNow()
	}
	compareLogs(t, "notify lines of gokeepalived against keepalived", gk, ka, notifyKeys)
	compareLogs(t, "state log lines of gokeepalived against keepalived", gk, ka, stateKeys)
	return ka
}

// TestIntegrationNotifyCompareSeedPreempt compares keepalived's and
// gokeepalived's notify and state lines in the seed scenario (runSeed)
// with preempt, and keepalived's notify lines with seedWant.
func TestIntegrationNotifyCompareSeedPreempt(t *testing.T) {
	ka := compareRuns(t, func(t *testing.T, kind daemonKind) notifyLogs { return runSeed(t, kind, true) })
	compareLogs(t, "keepalived, the reference for seedWant", ka, seedWant(true), notifyKeys)
}

// TestIntegrationNotifyCompareSeedNopreempt is the same with nopreempt.
func TestIntegrationNotifyCompareSeedNopreempt(t *testing.T) {
	ka := compareRuns(t, func(t *testing.T, kind daemonKind) notifyLogs { return runSeed(t, kind, false) })
	compareLogs(t, "keepalived, the reference for seedWant", ka, seedWant(false), notifyKeys)
}

// runSeedDownAtStart starts host a of the seed scenario alone while its
// haproxy is down, then starts haproxy, and waits for a to become master.
// It returns what the notify scripts recorded up to the daemon's stop, and
// the daemon's state lines.
func runSeedDownAtStart(t *testing.T, kind daemonKind) notifyLogs {
	l := newLab(t)
	nstest.RequireBinaries(t, "pgrep")
	a := l.host("a", "192.0.2.1/24")
	ha := newHaproxy(a)
	ra := newNotifyRec(t, t.TempDir(), "a")
	a.start(kind, seedConf(ha, ra, 100, true, true))
	a.proc.WaitOutput(t, 10*time.Second, "VRRP_Script(chk_haproxy) failed (exited with status 1)")
	ra.waitLast(5*time.Second, "INSTANCE VI_1 FAULT 100", "fault")
	ha.start()
	waitMaster(t, 15*time.Second, seedVIP, a)
	ra.waitLast(5*time.Second, "INSTANCE VI_1 MASTER 100", "master")
	a.stop(syscall.SIGTERM)
	ra.waitLast(5*time.Second, "INSTANCE VI_1 STOP 100", "stop")
	logs := notifyLogs{}
	ra.collect(logs, a)
	return logs
}

// TestIntegrationNotifyCompareSeedDownAtStart compares the daemons when the
// check fails from the start. keepalived 2.2.7 holds an instance whose
// scripts have not yet returned in a FAULT state it does not log or notify
// (vrrp_init_state, src vrrp/vrrp_scheduler.c); a first failure then runs
// the fault notifies, still without an "Entering FAULT STATE" line, and the
// first success logs "Entering BACKUP STATE" without "(init)". So the
// notify lines start FAULT, BACKUP, MASTER: no BACKUP before the FAULT.
func TestIntegrationNotifyCompareSeedDownAtStart(t *testing.T) {
	ka := compareRuns(t, runSeedDownAtStart)
	want := notifyLogs{
		"a notify": {"INSTANCE VI_1 FAULT 100", "INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 STOP 100"},
		"a kind":   {"a-fault", "a-backup", "a-master", "a-stop"},
		"a log":    {"(VI_1) Entering BACKUP STATE", "(VI_1) Entering MASTER STATE"},
	}
	compareLogs(t, "keepalived", ka, want, append(notifyKeys, stateKeys...))
}
