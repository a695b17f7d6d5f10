// Package scriptstest has in-memory fakes for package scripts: an Executor
// that records a transcript, a Clock ticked by hand and a filesystem for
// the security checks.
package scriptstest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/clock"
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

// Clock is a clock.Clock that moves only when told: its tickers tick when
// Tick is called, and its time and timers move with Advance. Its time
// starts at the zero time. It is safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	tickers []*ticker
	timers  []*timer
}

var _ clock.Clock = (*Clock)(nil)

type ticker struct {
	c       chan time.Time
	stopped chan struct{}
	once    sync.Once
}

func (t *ticker) C() <-chan time.Time { return t.c }
func (t *ticker) Stop()               { t.once.Do(func() { close(t.stopped) }) }

// timer fires once the clock reaches at, unless stopped.
type timer struct {
	c     *Clock
	ch    chan time.Time
	at    time.Time
	armed bool
}

func (t *timer) C() <-chan time.Time { return t.ch }

func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.armed
	t.armed = false
	return was
}

func (t *timer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.armed
	t.at, t.armed = t.c.now.Add(d), true
	return was
}

// Now implements clock.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// NewTicker implements clock.Clock.
func (c *Clock) NewTicker(time.Duration) clock.Ticker {
	t := &ticker{c: make(chan time.Time), stopped: make(chan struct{})}
	c.mu.Lock()
	c.tickers = append(c.tickers, t)
	c.mu.Unlock()
	return t
}

// NewTimer implements clock.Clock: the timer fires when Advance reaches
// d from now.
func (c *Clock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &timer{c: c, ch: make(chan time.Time, 1), at: c.now.Add(d), armed: true}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock's time by d and fires the timers due by then,
// without blocking (a timer's channel holds one time, as time.Timer's).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.timers {
		if t.armed && !t.at.After(c.now) {
			t.armed = false
			select {
			case t.ch <- c.now:
			default:
			}
		}
	}
}

// Tick delivers one tick to every live ticker, returning once each has
// been received (or stopped).
func (c *Clock) Tick() {
	c.mu.Lock()
	ts := append([]*ticker(nil), c.tickers...)
	now := c.now
	c.mu.Unlock()
	for _, t := range ts {
		select {
		case t.c <- now:
		case <-t.stopped:
		}
	}
}

// FS is the in-memory filesystem of the security checks (secure.MemFS),
// kept here beside the other fakes.
type FS = secure.MemFS

// File is one entry of FS.
type File = secure.MemFile
