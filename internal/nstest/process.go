package nstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ErrTimeout is returned, wrapped, when waiting for a process times out.
var ErrTimeout = errors.New("timed out")

// Process is a long-running process started in a namespace by
// [Netns.Start]. It runs in a process group of its own whose id is Pid. Its
// methods are safe for concurrent use.
type Process struct {
	Pid  int    // The process id, also its process group id.
	Name string // The command line, for messages.

	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed once the process has been reaped
	err  error         // cmd.Wait's result, set before done is closed
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns the buffer's contents.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// StartProcess starts name with args inside n, with standard output and
// standard error captured together (see [Process.Output]). n.Close kills it.
// Tests should use [Netns.Start].
func (n *Netns) StartProcess(name string, args ...string) (*Process, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, fmt.Errorf("start %s: namespace %s is closed", name, n.name)
	}
	cmd := n.Command(context.Background(), name, args...)
	p := &Process{Name: cmdline(name, args), cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s in %s: %w", p.Name, n.name, err)
	}
	p.Pid = cmd.Process.Pid
	go func() { // Ends when the process exits; Close kills it if need be.
		p.err = cmd.Wait()
		close(p.done)
	}()
	n.procs = append(n.procs, p)
	return p, nil
}

// Start starts name with args inside n like [Netns.StartProcess] and
// registers a t.Cleanup that kills its process group and reaps it, logging
// its output if t failed. It fails t on error.
func (n *Netns) Start(t testing.TB, name string, args ...string) *Process {
	t.Helper()
	p, err := n.StartProcess(name, args...)
	if err != nil {
		t.Fatalf("nstest: %v", err)
	}
	t.Cleanup(func() {
		if err := p.kill(cleanupTimeout); err != nil {
			t.Errorf("nstest: %v", err)
		}
		if t.Failed() {
			t.Logf("output of %s (pid %d) in %s:\n%s", p.Name, p.Pid, n.name, p.Output())
		}
	})
	return p
}

// Output returns everything the process has written so far to standard
// output and standard error.
func (p *Process) Output() string { return p.out.String() }

// Signal sends sig to the process (not to its group).
func (p *Process) Signal(sig os.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal %s (pid %d): %w", p.Name, p.Pid, err)
	}
	return nil
}

// Exited returns a channel that is closed once the process has exited and
// been reaped.
func (p *Process) Exited() <-chan struct{} { return p.done }

// Wait waits up to timeout for the process to exit. It returns the process
// state and cmd.Wait's error (an *exec.ExitError for a non-zero exit or a
// signal), or an error wrapping [ErrTimeout] if the process is still running.
func (p *Process) Wait(timeout time.Duration) (*os.ProcessState, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.done:
		return p.cmd.ProcessState, p.err
	case <-timer.C:
		return nil, fmt.Errorf("wait for %s (pid %d): %w after %v", p.Name, p.Pid, ErrTimeout, timeout)
	}
}

// WaitOutput waits up to timeout for the process's output to contain s,
// failing t if it does not or if the process exits first.
func (p *Process) WaitOutput(t testing.TB, timeout time.Duration, s string) {
	t.Helper()
	WaitFor(t, timeout, 20*time.Millisecond, func() (bool, string) {
		out := p.Output()
		if strings.Contains(out, s) {
			return true, ""
		}
		select {
		case <-p.done:
			t.Fatalf("%s (pid %d) exited (%v) before writing %q; output:\n%s", p.Name, p.Pid, p.err, s, out)
		default:
		}
		return false, fmt.Sprintf("%q not yet in output of %s:\n%s", s, p.Name, out)
	})
}

// kill sends SIGKILL to the process group, unless the process has already
// been reaped, and waits up to timeout for it to be reaped.
func (p *Process) kill(timeout time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	// The group id is the pid, which stays ours until the waiter reaps it.
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	if _, err := p.Wait(timeout); errors.Is(err, ErrTimeout) {
		return fmt.Errorf("kill %s: %w", p.Name, err)
	}
	return nil
}
