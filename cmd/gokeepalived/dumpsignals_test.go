package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/dumps"
)

// dumpDir is a $TMPDIR for handleDumps' tests.
type dumpDir struct {
	t   *testing.T
	dir string
}

func newDumpDir(t *testing.T) dumpDir {
	d := dumpDir{t, t.TempDir()}
	t.Setenv("TMPDIR", d.dir)
	return d
}

// put writes the named files, as a dump would.
func (d dumpDir) put(names ...string) {
	d.t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(d.dir, n), []byte("dump\n"), 0o600); err != nil {
			d.t.Fatal(err)
		}
	}
}

// has lists the files there.
func (d dumpDir) has() []string {
	d.t.Helper()
	es, err := os.ReadDir(d.dir)
	if err != nil {
		d.t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// startHandleDumps runs handleDumps in the test's bubble until the test
// ends, and returns its signal channel and a function that returns the
// request it is offering, if any, once it is blocked.
func startHandleDumps(t *testing.T) (chan<- os.Signal, func() (daemon.DumpRequest, bool)) {
	ctx, cancel := context.WithCancel(t.Context())
	sigs := make(chan os.Signal, 4)
	reqs := make(chan daemon.DumpRequest)
	ended := make(chan struct{})
	go func() { // ends with ctx
		defer close(ended)
		handleDumps(ctx, sigs, reqs)
	}()
	t.Cleanup(func() {
		cancel()
		<-ended
	})
	return sigs, func() (daemon.DumpRequest, bool) {
		synctest.Wait()
		select {
		case r := <-reqs:
			return r, true
		default:
			return daemon.DumpRequest{}, false
		}
	}
}

// TestHandleDumps: each signal's files go as it arrives, even while another
// dump is being written; the dumps are handed over one at a time, in order;
// a signal for a waiting dump joins it and one for the dump being written
// asks for another.
func TestHandleDumps(t *testing.T) {
	d := newDumpDir(t)
	synctest.Test(t, func(t *testing.T) {
		sigs, handed := startHandleDumps(t)
		d.put(dumps.StatsFile, dumps.DataFile, dumps.ParentDataFile, dumps.JSONFile)
		sigs <- dumps.SignalStats
		stats, ok := handed()
		if !ok || stats.Kind != daemon.DumpStats {
			t.Fatalf("after SIGUSR2: handed %v (%v), want the stats dump", stats.Kind, ok)
		}
		if got := d.has(); slices.Contains(got, dumps.StatsFile) {
			t.Errorf("after SIGUSR2, the directory holds %v: the old statistics are still there", got)
		}

		// While the statistics are being written: SIGUSR1 twice, SIGUSR2.
		sigs <- dumps.SignalData
		sigs <- dumps.SignalData
		sigs <- dumps.SignalStats
		if r, ok := handed(); ok {
			t.Fatalf("handed %v while the stats dump is being written", r.Kind)
		}
		if got := d.has(); !slices.Equal(got, []string{dumps.JSONFile}) {
			t.Errorf("after SIGUSR1 during the stats dump, the directory holds %v, want only %s", got, dumps.JSONFile)
		}
		stats.Done <- nil
		var order []daemon.DumpKind
		for {
			r, ok := handed()
			if !ok {
				break
			}
			order = append(order, r.Kind)
			r.Done <- nil
		}
		if want := []daemon.DumpKind{daemon.DumpData, daemon.DumpStats}; !slices.Equal(order, want) {
			t.Errorf("then handed %v, want %v: the data dump once, then the statistics again", order, want)
		}
	})
}

// TestHandleDumpsKeepsFresh: a dump written less than dumpFresh before its
// signal comes again stays until the new one replaces it, as the exporter's
// retry needs; an older one, or one whose writing failed, goes.
func TestHandleDumpsKeepsFresh(t *testing.T) {
	d := newDumpDir(t)
	synctest.Test(t, func(t *testing.T) {
		sigs, handed := startHandleDumps(t)
		d.put(dumps.JSONFile) // the exporter's first signal: the old dump goes
		sigs <- dumps.SignalJSON
		r, _ := handed()
		if got := d.has(); len(got) != 0 {
			t.Errorf("after the first SIGRTMIN+2 the directory holds %v", got)
		}
		d.put(dumps.JSONFile) // the new dump
		r.Done <- nil

		time.Sleep(10 * time.Millisecond) // the exporter's first retry
		sigs <- dumps.SignalJSON
		r, _ = handed()
		if got := d.has(); !slices.Equal(got, []string{dumps.JSONFile}) {
			t.Errorf("a retry 10 ms after the dump: the directory holds %v, want the dump kept", got)
		}
		r.Done <- nil

		time.Sleep(dumpFresh) // the next scrape
		sigs <- dumps.SignalJSON
		r, _ = handed()
		if got := d.has(); len(got) != 0 {
			t.Errorf("%v after the dump: the directory holds %v, want the dump gone", dumpFresh, got)
		}
		d.put(dumps.JSONFile) // half a dump, and its writing fails
		r.Done <- os.ErrPermission
		synctest.Wait()
		sigs <- dumps.SignalJSON
		r, _ = handed()
		if got := d.has(); len(got) != 0 {
			t.Errorf("after a failed dump the directory holds %v, want it removed at the next signal", got)
		}
		r.Done <- nil
	})
}
