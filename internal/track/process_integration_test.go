package track

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/netnsrun"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
	"golang.org/x/sys/unix"
)

// TestIntegrationProcessEvents follows a process through the kernel's
// process events alone (the tracker reads /proc only once an hour): its
// exec, a fork (fork_delay), the child's exit (terminate_delay) and a
// rename, which acts at once (src track_process/track_process.c
// handle_proc_ev). It needs root and the initial network namespace.
func TestIntegrationProcessEvents(t *testing.T) {
	nstest.RequireRoot(t)
	c, err := dialProcConn()
	if err != nil {
		t.Fatalf("the kernel's process events are not available: %v", err)
	}
	c.Close()

	sh := exe(t, "sh", 11)
	gateR, gateW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	holdR, holdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer gateR.Close()
	defer holdR.Close()
	defer gateW.Close()
	defer holdW.Close()

	delay := 200 * time.Millisecond
	log, _ := newLog()
	ch := make(chan ProcessUpdate)
	pt := NewProcessTracker([]*config.TrackProcess{{Name: "tp", Process: filepath.Base(sh), Quorum: 1, QuorumMax: 1,
		ForkDelay: delay, TerminateDelay: delay}}, log, time.Hour)
	runTracker(t, func(ctx context.Context) error { return pt.Run(ctx, ch) })
	expectProc(t, ch, ProcessUpdate{Name: "tp"})

	// Wait for a line, fork a subshell that waits on fd 4, wait for a
	// line, rename itself, wait again. Closing the pipes ends both.
	sc := exec.Command(sh, "-c", "read x <&3; read y <&4 & read z <&3; printf renamed >/proc/$$/comm; read w <&3")
	sc.ExtraFiles = []*os.File{gateR, holdR}
	if err := sc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(sc) })
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: true, Count: 1}) // exec: at once

	gateW.WriteString("fork\n")
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: true, Count: 2}) // over quorum_max, after fork_delay
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: false, Count: 2})

	if err := childOf(t, sc.Process.Pid).Kill(); err != nil {
		t.Fatal(err)
	}
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: false, Count: 1}) // back, after terminate_delay
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: true, Count: 1})

	gateW.WriteString("rename\n")
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: false, Count: 0}) // renamed: at once
}

// TestIntegrationProcessEventsNetns shows why the tracker also reads
// /proc: in a network namespace other than the initial one the kernel
// refuses the subscription with ECONNREFUSED (keepalived's "Failed to
// set/clear process event listen - errno 111").
func TestIntegrationProcessEventsNetns(t *testing.T) {
	nstest.RequireRoot(t)
	ns := nstest.NewNetns(t, "gktrk")
	err := netnsrun.Do(ns.Path(), func() error {
		c, err := dialProcConn()
		if err == nil {
			c.Close()
		}
		return err
	})
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("subscribing in a network namespace: %v; want ECONNREFUSED", err)
	}
}

// TestProcessTrackerPolling checks the tracker without process events: it
// says so and sees a new process at its next reading of /proc.
func TestProcessTrackerPolling(t *testing.T) {
	sleep := exe(t, "sleep", 11)
	log, rec := newLog()
	ch := make(chan ProcessUpdate)
	pt := NewProcessTracker([]*config.TrackProcess{{Name: "tp", Process: filepath.Base(sleep), Quorum: 1}}, log, testInterval)
	pt.dial = func() (*procConn, error) { return nil, errors.New("no connector here") }
	runTracker(t, func(ctx context.Context) error { return pt.Run(ctx, ch) })
	expectProc(t, ch, ProcessUpdate{Name: "tp"})
	if want := "track_process: no process events from the kernel (no connector here); reading /proc every 20ms"; !rec.Has(want) {
		t.Errorf("no log line %q", want)
	}
	p := start(t, sleep, "3600")
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: true, Count: 1})
	stop(p)
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: false, Count: 0})
}
