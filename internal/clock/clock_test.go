package clock

import (
	"testing"
	"testing/synctest"
	"time"
)

// The system clock is package time's, so a synctest bubble's virtual time
// drives it: timers, tickers and Now agree to the nanosecond.
func TestSystemOnVirtualTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := Or(nil)
		start := c.Now()
		tm := c.NewTimer(30 * time.Millisecond)
		tk := c.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		if at := <-tk.C(); at.Sub(start) != 20*time.Millisecond {
			t.Fatalf("first tick after %v, want 20ms", at.Sub(start))
		}
		if at := <-tm.C(); at.Sub(start) != 30*time.Millisecond {
			t.Fatalf("timer fired after %v, want 30ms", at.Sub(start))
		}
		if tm.Stop() {
			t.Fatal("Stop of a fired timer reported it pending")
		}
		if tm.Reset(5 * time.Millisecond) {
			t.Fatal("Reset of a fired timer reported it pending")
		}
		if !tm.Stop() {
			t.Fatal("Stop of a reset timer reported it fired")
		}
		Sleep(c, 7*time.Millisecond)
		if got := c.Now().Sub(start); got != 37*time.Millisecond {
			t.Fatalf("after Sleep: %v since start, want 37ms", got)
		}
		Sleep(c, -time.Second) // returns at once
		if got := c.Now().Sub(start); got != 37*time.Millisecond {
			t.Fatalf("negative Sleep moved time to %v", got)
		}
	})
}

type fixed struct{ System }

func TestOrKeepsGiven(t *testing.T) {
	var c Clock = fixed{}
	if Or(c) != c {
		t.Fatal("Or replaced a given clock")
	}
}
