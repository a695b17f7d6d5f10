package scripts_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
)

// The runner's timeout and kill grace run on its injected clock: an hour's
// timeout and an hour's grace pass as soon as the clock is advanced, and a
// script that ignores SIGTERM then gets SIGKILL.
func TestRunTimeoutOnInjectedClock(t *testing.T) {
	clk := &scriptstest.Clock{}
	r := &scripts.Runner{KillGrace: time.Hour, Clock: clk}
	done := make(chan scripts.Result, 1)
	go func() {
		done <- r.Run(context.Background(), scripts.Command{Args: []string{"/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"}}, time.Hour)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case res := <-done:
			if !res.TimedOut || res.Signal != syscall.SIGKILL {
				t.Fatalf("got %+v, want timed out, then SIGKILL after the grace", res)
			}
			if clk.Now().Sub(time.Time{}) < 2*time.Hour {
				t.Fatalf("ended at %v on the clock, before timeout and grace", clk.Now().Sub(time.Time{}))
			}
			return
		case <-time.After(10 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("the run did not end on the advanced clock")
			}
			clk.Advance(10 * time.Minute)
		}
	}
}

func TestManualClockTimers(t *testing.T) {
	clk := &scriptstest.Clock{}
	tm := clk.NewTimer(time.Second)
	clk.Advance(999 * time.Millisecond)
	select {
	case <-tm.C():
		t.Fatal("fired early")
	default:
	}
	clk.Advance(time.Millisecond)
	select {
	case at := <-tm.C():
		if at.Sub(time.Time{}) != time.Second {
			t.Fatalf("fired with %v", at.Sub(time.Time{}))
		}
	default:
		t.Fatal("did not fire at its deadline")
	}
	if tm.Stop() {
		t.Fatal("Stop after firing reported pending")
	}
	if tm.Reset(time.Second) {
		t.Fatal("Reset after firing reported pending")
	}
	if !tm.Stop() {
		t.Fatal("Stop of a reset timer reported fired")
	}
	clk.Advance(time.Hour)
	select {
	case <-tm.C():
		t.Fatal("a stopped timer fired")
	default:
	}
}
