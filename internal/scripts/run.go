package scripts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
)

// DefaultKillGrace is how long keepalived waits after sending SIGTERM to a
// timed-out script's process group before sending SIGKILL (reference §4.1).
const DefaultKillGrace = 2 * time.Second

// ErrNoCommand is returned for a Command without arguments.
var ErrNoCommand = errors.New("scripts: empty command")

// Cred is the user and group a command runs as.
type Cred struct {
	UID, GID uint32
}

// Command is a program to run: its argv, as tokenised from the
// configuration, and the credentials to run it with.
type Command struct {
	// Args is the argv; Args[0] is the program, normally an absolute path
	// (confparse resolves bare names through PATH at start-up).
	Args []string
	// Cred, when not nil, is the uid/gid the program runs as. When it
	// equals our own effective ids nothing is changed.
	Cred *Cred
}

// String returns the argv joined with spaces, with "as UID:GID" when
// credentials are set. It is used in transcripts and logs.
func (c Command) String() string {
	s := strings.Join(c.Args, " ")
	if c.Cred != nil {
		s += fmt.Sprintf(" as %d:%d", c.Cred.UID, c.Cred.GID)
	}
	return s
}

// IsShell reports whether keepalived runs the command through /bin/sh -c
// instead of executing it: its first word starts with "<", optionally
// followed by blanks, then "/" (e.g. "</dev/tcp/127.0.0.1/80").
func (c Command) IsShell() bool { return len(c.Args) > 0 && secure.IsShell(c.Args[0]) }

// shellText is the command line handed to /bin/sh -c: the words joined by
// spaces, each word holding a blank or quote single-quoted.
func (c Command) shellText() string {
	ws := make([]string, len(c.Args))
	for i, a := range c.Args {
		if i > 0 && strings.ContainsAny(a, " \t\n'\"\\$`") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		ws[i] = a
	}
	return strings.Join(ws, " ")
}

// Result is how one run ended.
type Result struct {
	// ExitCode is the exit status when the program exited. When the
	// program could not be started (missing, not executable, or no "#!"
	// so that execve fails with ENOEXEC) it is 127 for a missing file and
	// 126 otherwise, as a shell reports them, and so is a shell command
	// whose shell returns 126 or 127: a check that cannot run fails. With
	// Runner.KeepalivedScripts it is 0 in both cases, as in keepalived,
	// whose forked child then exits 0 ("script errors aren't server
	// errors").
	ExitCode int
	// Signal is the signal that killed the program, or 0.
	Signal syscall.Signal
	// TimedOut is set when the run outlived its timeout and was killed.
	TimedOut bool
	// Err is set when the program could not be started (wrapping the
	// errno, e.g. syscall.ENOEXEC for a file without "#!") or when the run
	// was ended by its context (wrapping the context's error).
	Err error
}

// Exited reports whether the program ran and ended by exiting (or could
// not be started, which is reported as an exit; see ExitCode).
func (r Result) Exited() bool { return r.Signal == 0 }

// Success reports whether keepalived counts the run as a success: exit
// status 0 and not killed.
func (r Result) Success() bool { return r.Signal == 0 && r.ExitCode == 0 }

// Executor runs a command to completion or until timeout (0: no timeout)
// or ctx ends. It is the seam the daemon uses to run scripts;
// implementations are safe for concurrent use.
type Executor interface {
	Run(ctx context.Context, c Command, timeout time.Duration) Result
}

// Runner is the Executor that runs real processes. The zero value is ready
// to use. It is safe for concurrent use.
type Runner struct {
	// KillGrace is the time between SIGTERM and SIGKILL for a run that
	// timed out or whose context ended; 0 means DefaultKillGrace.
	KillGrace time.Duration
	// Log receives keepalived's lines about commands that cannot be run;
	// nil discards them.
	Log *slog.Logger
	// KeepalivedScripts makes a command that cannot be started, or a
	// shell command whose shell returns 126 or 127, count as exit status
	// 0 (a success), as keepalived counts it; by default it counts as 127
	// or 126, a failure (see Result.ExitCode). gokeepalived
	// --keepalived-scripts sets it.
	KeepalivedScripts bool
	// Clock times the timeouts and the kill grace; nil means
	// clock.System.
	Clock clock.Clock
}

var _ Executor = (*Runner)(nil)

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return r.Log
}

func (r *Runner) grace() time.Duration {
	if r.KillGrace <= 0 {
		return DefaultKillGrace
	}
	return r.KillGrace
}

// Run runs c and waits for it (reference §5.2). The direct child is always
// reaped before Run returns. When the timeout expires or ctx ends, the
// child's process group gets SIGTERM, then SIGKILL after KillGrace if the
// child is still there, and SIGKILL once more after the child has exited
// so that grandchildren left in the group die too. A run that ends on its
// own leaves any grandchildren alone, as keepalived does.
func (r *Runner) Run(ctx context.Context, c Command, timeout time.Duration) Result {
	if len(c.Args) == 0 {
		return Result{Err: ErrNoCommand}
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return Result{Err: fmt.Errorf("scripts: open %s: %w", os.DevNull, err)}
	}
	defer devnull.Close()
	cmd := r.cmd(c, devnull)
	if err := cmd.Start(); err != nil {
		errno := syscall.Errno(0)
		errors.As(err, &errno)
		r.log().Error(fmt.Sprintf("Error exec-ing command '%s', error %d: %s", c.Args[0], int(errno), errnoText(errno, err)))
		return Result{ExitCode: r.startFailureStatus(errno), Err: fmt.Errorf("scripts: start %s: %w", c.Args[0], err)}
	}
	pid := cmd.Process.Pid
	exited := make(chan struct{})
	// The waiter ends when the child exits; Run always waits for it
	// (directly or in terminate) before reaping.
	go func() {
		waitExited(pid)
		close(exited)
	}()
	var expire <-chan time.Time
	if timeout > 0 {
		t := clock.Or(r.Clock).NewTimer(timeout)
		defer t.Stop()
		expire = t.C()
	}
	var res Result
	select {
	case <-exited:
	case <-expire:
		res.TimedOut = true
		r.terminate(pid, exited)
	case <-ctx.Done():
		res.Err = fmt.Errorf("scripts: %s: %w", c.Args[0], ctx.Err())
		r.terminate(pid, exited)
	}
	// The child has exited but is not reaped yet: reap it now.
	_ = cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled():
		res.Signal = ws.Signal()
	case c.IsShell() && (ws.ExitStatus() == 126 || ws.ExitStatus() == 127):
		msg := "Couldn't find command: %s"
		if ws.ExitStatus() == 126 {
			msg = "Couldn't execute command: %s"
		}
		r.log().Error(fmt.Sprintf(msg, c.shellText()))
		if !r.KeepalivedScripts {
			res.ExitCode = ws.ExitStatus()
		}
	default:
		res.ExitCode = ws.ExitStatus()
	}
	return res
}

// startFailureStatus is the exit status reported for a program that
// could not be started: 0 with KeepalivedScripts, else 127 when it is
// missing and 126 when it cannot be executed.
func (r *Runner) startFailureStatus(errno syscall.Errno) int {
	switch {
	case r.KeepalivedScripts:
		return 0
	case errno == syscall.ENOENT || errno == syscall.ENOTDIR:
		return 127
	}
	return 126
}

func errnoText(errno syscall.Errno, err error) string {
	if errno != 0 {
		return errno.Error()
	}
	return err.Error()
}

// cmd builds the exec.Cmd for c with stdio on devnull.
func (r *Runner) cmd(c Command, devnull *os.File) *exec.Cmd {
	cmd := &exec.Cmd{Path: c.Args[0], Args: c.Args}
	if c.IsShell() {
		cmd.Path = "/bin/sh"
		cmd.Args = []string{"/bin/sh", "-c", c.shellText()}
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if c.Cred != nil && (int(c.Cred.UID) != os.Geteuid() || int(c.Cred.GID) != os.Getegid()) {
		cred := &syscall.Credential{Uid: c.Cred.UID, Gid: c.Cred.GID}
		if int(c.Cred.GID) != os.Getegid() {
			cred.Groups = []uint32{c.Cred.GID}
		} else {
			cred.NoSetGroups = true
		}
		attr.Credential = cred
	}
	cmd.SysProcAttr = attr
	return cmd
}

// terminate ends the process group led by pid: SIGTERM, SIGKILL after the
// grace period if the leader has not exited, then SIGKILL again for any
// member left. The leader is not reaped yet, so its pid (the group id)
// cannot have been reused.
func (r *Runner) terminate(pid int, exited <-chan struct{}) {
	_ = unix.Kill(-pid, unix.SIGTERM)
	t := clock.Or(r.Clock).NewTimer(r.grace())
	defer t.Stop()
	select {
	case <-exited:
	case <-t.C():
		_ = unix.Kill(-pid, unix.SIGKILL)
		<-exited
	}
	_ = unix.Kill(-pid, unix.SIGKILL)
}

// waitExited blocks until the child pid has exited, without reaping it.
func waitExited(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}
