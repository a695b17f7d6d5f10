// Package clock is the one source of time of the daemon, the script runner
// and the trackers: each takes a Clock, and none of them calls time.Now or
// makes a timer or ticker of its own. System is the wall clock. Tests run
// the daemon on virtual time with testing/synctest, whose bubble fakes
// package time under System, or hand a Clock of their own (the script
// checker's tests tick it by hand).
package clock

import "time"

// Clock tells the time and makes timers and tickers.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
	NewTicker(d time.Duration) Ticker
}

// Timer is a time.Timer: it sends the time on C once, d after it was made
// or last reset. Stop and Reset report, as time.Timer's do, whether the
// timer was still to fire.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
	Reset(d time.Duration) bool
}

// Ticker is a time.Ticker.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// System is the Clock of package time.
type System struct{}

// Or returns c, or System when c is nil.
func Or(c Clock) Clock {
	if c == nil {
		return System{}
	}
	return c
}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// NewTimer returns a time.Timer.
func (System) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

// NewTicker returns a time.Ticker.
func (System) NewTicker(d time.Duration) Ticker { return sysTicker{time.NewTicker(d)} }

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time        { return t.t.C }
func (t sysTimer) Stop() bool                 { return t.t.Stop() }
func (t sysTimer) Reset(d time.Duration) bool { return t.t.Reset(d) }

type sysTicker struct{ t *time.Ticker }

func (t sysTicker) C() <-chan time.Time { return t.t.C }
func (t sysTicker) Stop()               { t.t.Stop() }

// Sleep waits d on c: a timer of c's that is stopped on return.
func Sleep(c Clock, d time.Duration) {
	if d <= 0 {
		return
	}
	t := c.NewTimer(d)
	<-t.C()
	t.Stop()
}
