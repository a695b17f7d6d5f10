package scripts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// fifoMode is the mode of a FIFO we create: keepalived asks for 0644 under
// its umask 0177, which leaves prw------- (reference §5.4).
const fifoMode = 0o600

// FIFOLine is the line keepalived writes to its notify FIFOs for an event
// (reference §5.4): kind (INSTANCE or GROUP), the quoted name, the state
// word and the priority, e.g. `INSTANCE "VI_1" MASTER 150`, with a newline.
func FIFOLine(kind, name, state string, prio int) string {
	return fmt.Sprintf("%s \"%s\" %s %d\n", kind, name, state, prio)
}

// FIFOOptions describe one notify FIFO to open.
type FIFOOptions struct {
	// Path is the FIFO; it is created (mode 0600) if it does not exist.
	Path string
	// Owner, when not nil, is given a FIFO that we create (chown).
	Owner *Cred
	// Script, when it has Args, is started before the FIFO is opened,
	// with the FIFO's path appended as its last argument, and runs until
	// Stopping or Close.
	Script Command
	// Exec runs Script; it is needed only when Script is set.
	Exec Executor
	// Type is keepalived's word for the FIFO in log lines: "" for
	// notify_fifo, "vrrp_" for vrrp_notify_fifo.
	Type string
	// Log receives keepalived's lines about the FIFO; nil discards them.
	Log *slog.Logger
}

// FIFO is an open notify FIFO. Writes never block: a line that finds no
// room (no reader, or a full pipe) is lost, as in keepalived. It is safe
// for concurrent use.
type FIFO struct {
	path    string
	created bool
	log     *slog.Logger

	mu sync.Mutex
	fd int // -1 once closed

	stopScript context.CancelFunc // nil when no script runs
	scriptDone chan struct{}
	stopping   sync.Once
}

// OpenFIFO creates the FIFO if it is absent (and chowns it to Owner),
// starts its script, then opens it read-write and non-blocking, as
// keepalived does (reference §5.4). On error nothing is left running and
// a FIFO it created is removed.
func OpenFIFO(o FIFOOptions) (*FIFO, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &FIFO{path: o.Path, log: log, fd: -1}
	if err := unix.Mkfifo(o.Path, fifoMode); err == nil {
		f.created = true
		f.chown(o.Owner)
	} else if !errors.Is(err, unix.EEXIST) {
		log.Info(fmt.Sprintf("Unable to create %snotify fifo %s", o.Type, o.Path))
		return nil, fmt.Errorf("scripts: create fifo %s: %w", o.Path, err)
	}
	if len(o.Script.Args) > 0 {
		f.startScript(o.Script, o.Exec)
	}
	fd, err := openFIFO(o.Path)
	if err != nil {
		log.Info(fmt.Sprintf("Unable to open %snotify fifo %s - errno %d", o.Type, o.Path, errnoOf(err)))
		f.Close()
		return nil, fmt.Errorf("scripts: open fifo %s: %w", o.Path, err)
	}
	f.fd = fd
	return f, nil
}

// openFIFO opens path read-write (so that writes never fail for want of a
// reader) and non-blocking, not following a symbolic link, and checks that
// it is a FIFO.
func openFIFO(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NONBLOCK|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		unix.Close(fd)
		return -1, fmt.Errorf("%s is not a FIFO: %w", path, unix.EINVAL)
	}
	return fd, nil
}

func errnoOf(err error) int {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return int(errno)
	}
	return 0
}

// chown gives a FIFO we created to owner, leaving the ids that are ours
// unchanged, as keepalived does.
func (f *FIFO) chown(owner *Cred) {
	if owner == nil {
		return
	}
	uid, gid := int(owner.UID), int(owner.GID)
	if uid == os.Geteuid() {
		uid = -1
	}
	if gid == os.Getegid() {
		gid = -1
	}
	if uid == -1 && gid == -1 {
		return
	}
	if err := os.Lchown(f.path, uid, gid); err != nil {
		f.log.Info(fmt.Sprintf("Failed to set uid:gid for fifo %s", f.path))
	}
}

// startScript runs the FIFO's script with the path appended, until
// Stopping; a script that ends by itself is logged as keepalived logs it.
func (f *FIFO) startScript(c Command, exec Executor) {
	c.Args = append(append([]string(nil), c.Args...), f.path)
	ctx, cancel := context.WithCancel(context.Background())
	f.stopScript, f.scriptDone = cancel, make(chan struct{})
	go func() { // ended by stopScript (through the Executor); Close waits on scriptDone
		defer close(f.scriptDone)
		exec.Run(ctx, c, 0)
		if ctx.Err() == nil {
			f.log.Info("vrrp notify fifo script terminated")
		}
	}()
}

// WriteLine writes FIFOLine(kind, name, state, prio) with one write(2).
// It never blocks: when the FIFO is full the line is lost and the error
// wraps unix.EAGAIN. After Close it does nothing and returns nil.
func (f *FIFO) WriteLine(kind, name, state string, prio int) error {
	if f == nil {
		return nil
	}
	line := []byte(FIFOLine(kind, name, state, prio))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fd < 0 {
		return nil
	}
	for {
		n, err := unix.Write(f.fd, line)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return fmt.Errorf("scripts: write fifo %s: %w", f.path, err)
		case n < len(line):
			return fmt.Errorf("scripts: write fifo %s: %w", f.path, io.ErrShortWrite)
		}
		return nil
	}
}

// Stopping tells the FIFO's script that the daemon is stopping: its
// process group gets SIGTERM now, and SIGKILL if it is still there after
// the Executor's grace period (keepalived sends SIGTERM before writing the
// STOP lines, and scripts such as keepalived's sample_notify_fifo.sh read
// on for a moment after it). Lines can still be written until Close.
func (f *FIFO) Stopping() {
	if f == nil || f.stopScript == nil {
		return
	}
	f.stopping.Do(f.stopScript)
}

// Close removes the FIFO if we created it (first, so that a script that
// reopens it in a loop cannot), closes it, and waits for its script, which
// Close stops first if Stopping was not called.
func (f *FIFO) Close() error {
	if f == nil {
		return nil
	}
	var errs []error
	f.mu.Lock()
	if f.created {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("scripts: remove fifo: %w", err))
		}
		f.created = false
	}
	if f.fd >= 0 {
		if err := unix.Close(f.fd); err != nil {
			errs = append(errs, fmt.Errorf("scripts: close fifo %s: %w", f.path, err))
		}
		f.fd = -1
	}
	f.mu.Unlock()
	if f.stopScript != nil {
		f.Stopping()
		<-f.scriptDone
	}
	return errors.Join(errs...)
}

// FIFOs are the notify FIFOs of a configuration, global_defs notify_fifo
// and vrrp_notify_fifo: every line goes to each. A nil *FIFOs does
// nothing. It is safe for concurrent use.
type FIFOs struct {
	list []*FIFO
}

// OpenFIFOs opens the notify FIFOs configured in g, each with its
// *_fifo_script (run through exec, as its configured user, else
// script_user, keepalived_script or root), as keepalived's VRRP process
// does at start. A FIFO that cannot be opened is logged and left out, as
// keepalived leaves it out; the result is never nil.
func OpenFIFOs(g *config.Global, exec Executor, log *slog.Logger) *FIFOs {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &FIFOs{}
	for _, c := range []struct {
		f   *config.Fifo
		typ string
	}{{g.NotifyFifo, ""}, {g.VRRPNotifyFifo, "vrrp_"}} {
		if c.f == nil || c.f.Path == "" {
			continue
		}
		o := FIFOOptions{Path: c.f.Path, Exec: exec, Type: c.typ, Log: log}
		if c.f.User != "" {
			if cred, err := LookupCred(c.f.User, c.f.Group); err == nil {
				o.Owner = &cred
			} else {
				log.Info(fmt.Sprintf("Failed to set uid:gid for fifo %s", c.f.Path))
			}
		}
		if sc := c.f.Script; sc.IsSet() && !sc.Disabled && exec != nil {
			cred, err := ScriptCred(sc.User, sc.Group, g)
			if err != nil {
				log.Info(fmt.Sprintf("Invalid user/group for %snotify_fifo script %s - ignoring", c.typ, sc.Args[0]))
			} else {
				o.Script = Command{Args: sc.Args, Cred: &cred}
			}
		}
		if f, err := OpenFIFO(o); err == nil {
			s.list = append(s.list, f)
		}
	}
	return s
}

// Len returns the number of open FIFOs.
func (s *FIFOs) Len() int {
	if s == nil {
		return 0
	}
	return len(s.list)
}

// WriteLine writes the line to every FIFO; lines that find no room are
// lost (see FIFO.WriteLine).
func (s *FIFOs) WriteLine(kind, name, state string, prio int) {
	if s == nil {
		return
	}
	for _, f := range s.list {
		_ = f.WriteLine(kind, name, state, prio)
	}
}

// Event is WriteLine; it makes FIFOs the daemon's event sink.
func (s *FIFOs) Event(kind, name, state string, prio int) { s.WriteLine(kind, name, state, prio) }

// Stopping sends SIGTERM to every FIFO script (see FIFO.Stopping).
func (s *FIFOs) Stopping() {
	if s == nil {
		return
	}
	for _, f := range s.list {
		f.Stopping()
	}
}

// Close closes every FIFO and waits for their scripts (see FIFO.Close).
func (s *FIFOs) Close() error {
	if s == nil {
		return nil
	}
	var errs []error
	for _, f := range s.list {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
