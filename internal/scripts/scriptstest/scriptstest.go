// Package scriptstest has in-memory fakes for package scripts: an Executor
// that records a transcript, a Clock ticked by hand and a filesystem for
// the security checks.
package scriptstest

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/scripts"
)

// Exec is a fake scripts.Executor. Each Run appends "run ARGV [as U:G]
// timeout T" to the transcript and sends the command on Started if it is
// not nil. If Hold is not nil, Run then waits for its result on Hold (or
// for ctx, returning a Result with Err set); otherwise it returns
// Results(c) (a zero Result if Results is nil). It is safe for concurrent
// use; set the fields before the first Run.
type Exec struct {
	Started chan scripts.Command
	Hold    chan scripts.Result
	Results func(scripts.Command) scripts.Result

	mu    sync.Mutex
	lines []string
}

// Run implements scripts.Executor.
func (e *Exec) Run(ctx context.Context, c scripts.Command, timeout time.Duration) scripts.Result {
	e.mu.Lock()
	e.lines = append(e.lines, fmt.Sprintf("run %s timeout %s", c, timeout))
	e.mu.Unlock()
	if e.Started != nil {
		e.Started <- c
	}
	if e.Hold != nil {
		select {
		case r := <-e.Hold:
			return r
		case <-ctx.Done():
			return scripts.Result{Err: ctx.Err(), Signal: 15}
		}
	}
	if e.Results != nil {
		return e.Results(c)
	}
	return scripts.Result{}
}

// Transcript returns the lines recorded so far.
func (e *Exec) Transcript() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.lines...)
}

// Clock is a scripts.Clock whose tickers tick only when Tick is called.
// It is safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	tickers []*ticker
}

type ticker struct {
	c       chan time.Time
	stopped chan struct{}
	once    sync.Once
}

func (t *ticker) C() <-chan time.Time { return t.c }
func (t *ticker) Stop()               { t.once.Do(func() { close(t.stopped) }) }

// NewTicker implements scripts.Clock.
func (c *Clock) NewTicker(time.Duration) scripts.Ticker {
	t := &ticker{c: make(chan time.Time), stopped: make(chan struct{})}
	c.mu.Lock()
	c.tickers = append(c.tickers, t)
	c.mu.Unlock()
	return t
}

// Tick delivers one tick to every live ticker, returning once each has
// been received (or stopped).
func (c *Clock) Tick() {
	c.mu.Lock()
	ts := append([]*ticker(nil), c.tickers...)
	c.mu.Unlock()
	for _, t := range ts {
		select {
		case t.c <- time.Time{}:
		case <-t.stopped:
		}
	}
}

// FS is an in-memory scripts.FS: a map from absolute path to file. Parent
// directories must be added explicitly (use Dir). It is not safe for
// concurrent modification.
type FS map[string]File

// File is one entry of FS.
type File struct {
	Info   scripts.FileInfo
	Target string // for symbolic links
}

// Dir, Reg and Link add entries with the given owner and permission bits.
func (f FS) Dir(p string, uid, gid, perm uint32) {
	f[p] = File{Info: scripts.FileInfo{Mode: 0o040000 | perm, UID: uid, GID: gid, Ino: uint64(len(f) + 1)}}
}

// Reg adds a regular file.
func (f FS) Reg(p string, uid, gid, perm uint32) {
	f[p] = File{Info: scripts.FileInfo{Mode: 0o100000 | perm, UID: uid, GID: gid, Ino: uint64(len(f) + 1)}}
}

// Link adds a symbolic link to target.
func (f FS) Link(p, target string, uid, gid uint32) {
	f[p] = File{Info: scripts.FileInfo{Mode: 0o120000 | 0o777, UID: uid, GID: gid, Ino: uint64(len(f) + 1)}, Target: target}
}

// Lstat implements scripts.FS.
func (f FS) Lstat(name string) (scripts.FileInfo, error) {
	e, ok := f[path.Clean(name)]
	if !ok {
		return scripts.FileInfo{}, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
	}
	return e.Info, nil
}

// Readlink implements scripts.FS.
func (f FS) Readlink(name string) (string, error) {
	e, ok := f[path.Clean(name)]
	if !ok || !strings.HasPrefix(fmt.Sprintf("%o", e.Info.Mode), "120") {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return e.Target, nil
}
