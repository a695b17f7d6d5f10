package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/dumps"
)

// TestHandleDumps drives handleDumps with signals while a stand-in for the
// daemon holds the dumps it is handed: each signal's files go as the signal
// arrives, even while another dump is being written; the dumps are handed
// over one at a time, in order; a signal for a waiting dump joins it; a
// signal for the dump being written asks for another and has the written
// one's file removed again when it ends.
func TestHandleDumps(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	put := func(names ...string) {
		t.Helper()
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("old\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	present := func() []string {
		t.Helper()
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		sigs := make(chan os.Signal, 4)
		reqs := make(chan daemon.DumpRequest)
		ended := make(chan struct{})
		go func() { // ends with ctx
			defer close(ended)
			handleDumps(ctx, sigs, reqs)
		}()
		// handed returns the request handleDumps is offering, if any, once
		// it is blocked.
		handed := func() (daemon.DumpRequest, bool) {
			synctest.Wait()
			select {
			case r := <-reqs:
				return r, true
			default:
				return daemon.DumpRequest{}, false
			}
		}

		put(dumps.StatsFile, dumps.DataFile, dumps.ParentDataFile, dumps.JSONFile)
		sigs <- dumps.SignalStats
		stats, ok := handed()
		if !ok || stats.Kind != daemon.DumpStats {
			t.Fatalf("after SIGUSR2: handed %v (%v), want the stats dump", stats.Kind, ok)
		}
		if got := present(); slices.Contains(got, dumps.StatsFile) {
			t.Errorf("after SIGUSR2, %s holds %v: the old statistics are still there", dir, got)
		}

		// While the statistics are being written: SIGUSR1 twice, SIGUSR2.
		sigs <- dumps.SignalData
		sigs <- dumps.SignalData
		synctest.Wait()
		if got := present(); !slices.Equal(got, []string{dumps.JSONFile}) {
			t.Errorf("after SIGUSR1 during the stats dump, %s holds %v, want only %s", dir, got, dumps.JSONFile)
		}
		put(dumps.StatsFile) // the dump being written renames its file in
		sigs <- dumps.SignalStats
		if r, ok := handed(); ok {
			t.Fatalf("handed %v while the stats dump is being written", r.Kind)
		}
		if got := present(); slices.Contains(got, dumps.StatsFile) {
			t.Errorf("after SIGUSR2 during the stats dump, %s holds %v", dir, got)
		}
		put(dumps.StatsFile) // and the stats dump, gathered before that signal, ends
		stats.Done <- nil
		synctest.Wait()
		if got := present(); slices.Contains(got, dumps.StatsFile) {
			t.Errorf("once the stats dump asked for again has ended, %s holds %v: its file predates the signal", dir, got)
		}

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
		cancel()
		<-ended
	})
}
