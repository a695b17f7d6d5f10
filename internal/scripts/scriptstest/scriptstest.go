// Package scriptstest has in-memory fakes for package scripts: an Executor
// that records a transcript, a Clock ticked by hand and a filesystem for
// the security checks.
package scriptstest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
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

// FS is the in-memory filesystem of the security checks (secure.MemFS),
// kept here beside the other fakes.
type FS = secure.MemFS

// File is one entry of FS.
type File = secure.MemFile
