package scripts

import (
	"fmt"
	"io"
	"log/slog"
	"syscall"
)

// Counter is the rise/fall state of one vrrp_script (reference §4.1,
// keepalived vrrp_scheduler.c). A counter r runs over [0, rise+fall-1] and
// the script is OK when r >= rise:
//
//	success: r < rise-1          -> r++
//	         r != rise+fall-1    -> r = rise+fall-1 (OK now if r was rise-1)
//	failure: r > rise            -> r--
//	         otherwise           -> r = 0 (KO now if r was rise, or first result)
//
// r starts at rise-1, so the first result decides at once either way;
// init_fail starts it at 0, failed, and then rise successes are needed.
// A Counter is not safe for concurrent use.
type Counter struct {
	name       string
	rise, fall int
	r          int
	initial    bool // no result seen yet and not init_fail
	lastStatus int  // last exit status, starting at 0 as in keepalived
	log        *slog.Logger
}

// NewCounter returns the counter of the vrrp_script name. rise and fall
// below 1 are taken as 1. log receives the state-change lines; nil
// discards them.
func NewCounter(name string, rise, fall int, initFail bool, log *slog.Logger) *Counter {
	rise, fall = max(rise, 1), max(fall, 1)
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &Counter{name: name, rise: rise, fall: fall, r: rise - 1, initial: true, log: log}
	if initFail {
		c.r, c.initial = 0, false
	}
	return c
}

// OK reports whether the script is currently considered successful.
func (c *Counter) OK() bool { return c.r >= c.rise }

// Value returns the counter r (keepalived's vscript->result).
func (c *Counter) Value() int { return c.r }

// Result applies one success or failure and reports whether the state
// changed and what it is now. It does not log.
func (c *Counter) Result(ok bool) (changed bool, nowOK bool) {
	top := c.rise + c.fall - 1
	first := c.initial
	c.initial = false
	if ok {
		switch {
		case c.r < c.rise-1:
			c.r++
		case c.r != top:
			changed = c.r < c.rise
			c.r = top
		}
		return changed, c.OK()
	}
	if c.r > c.rise {
		c.r--
		return false, c.OK()
	}
	changed = c.r == c.rise || first
	c.r = 0
	return changed, false
}

// Observe applies the result of one run and logs as keepalived does:
// "Script `NAME` now returning N" when the exit status differs from the
// previous one, and on a change of state "VRRP_Script(NAME) succeeded",
// "VRRP_Script(NAME) failed (exited with status N)",
// "VRRP_Script(NAME) timed_out" or "VRRP_Script(NAME) failed (due to signal N)".
// A run that timed out but then exited by itself counts by its exit status,
// as in keepalived.
func (c *Counter) Observe(res Result) (changed bool, nowOK bool) {
	var what string
	switch {
	case res.Exited():
		if res.ExitCode != c.lastStatus {
			c.log.Info(fmt.Sprintf("Script `%s` now returning %d", c.name, res.ExitCode))
		}
		c.lastStatus = res.ExitCode
		what = "succeeded"
		if res.ExitCode != 0 {
			what = fmt.Sprintf("failed (exited with status %d)", res.ExitCode)
		}
	case res.TimedOut && (res.Signal == syscall.SIGTERM || res.Signal == syscall.SIGKILL):
		what = "timed_out"
	default:
		what = fmt.Sprintf("failed (due to signal %d)", int(res.Signal))
	}
	changed, nowOK = c.Result(res.Success())
	if changed {
		c.log.Info(fmt.Sprintf("VRRP_Script(%s) %s", c.name, what))
	}
	return changed, nowOK
}
