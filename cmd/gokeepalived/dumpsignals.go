package main

import (
	"context"
	"os"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/dumps"
)

// dumpFresh is how old a dump may be and still stay in place when its
// signal comes again. mehdy/keepalived-exporter signals and reads at once,
// and on a missing or unparsable file signals and reads again after
// 10 ms, 15 ms, ... up to 577 ms apart: removing the dump that answered
// its first signal as the second arrives would leave a reader quicker than
// the dump with nothing to read until it gives up. Less than a second old,
// a dump is an answer to the same scrape, or still fresh.
const dumpFresh = time.Second

// handleDumps turns the dump signals into requests to the daemon until ctx
// ends (reference §5.5).
//
// It removes a dump's files as its signal arrives, before the daemon
// gathers the dump, even while another dump is being written: a reader
// that reads right after its signal, as the exporters do, then finds no
// file (and tries again) or the whole new one, rather than the previous
// dump. Keepalived leaves the previous file until it renames an empty new
// one over it, so that such a reader mostly reads the old one. Files
// written less than dumpFresh before the signal stay until the new ones
// replace them.
//
// The dumps go to the daemon one at a time, in the order asked for; a
// signal for a dump that is still waiting joins it, as a repeated signal
// does in keepalived, and one for the dump being written asks for another.
func handleDumps(ctx context.Context, sigs <-chan os.Signal, reqs chan<- daemon.DumpRequest) {
	kinds := map[os.Signal]daemon.DumpKind{
		dumps.SignalData: daemon.DumpData, dumps.SignalStats: daemon.DumpStats,
		dumps.SignalStatsClear: daemon.DumpStatsClear, dumps.SignalJSON: daemon.DumpJSON,
	}
	written := map[string]time.Time{} // when each file was last written
	var waiting []daemon.DumpKind     // asked for, not yet handed over; each kind once
	done := make(chan error, 1)
	var writing *daemon.DumpKind // handed over, not yet done
	for {
		var send chan<- daemon.DumpRequest
		var next daemon.DumpRequest
		if len(waiting) > 0 && writing == nil {
			send, next = reqs, daemon.DumpRequest{Kind: waiting[0], Done: done}
		}
		var finished <-chan error
		if writing != nil {
			finished = done
		}
		select {
		case <-ctx.Done():
			return
		case sig := <-sigs:
			k := kinds[sig]
			for _, f := range k.Files() {
				if time.Since(written[f]) >= dumpFresh {
					// An error here is the directory's, which the
					// dump's own write then meets and logs.
					_ = dumps.Remove(f)
				}
			}
			if !slices.Contains(waiting, k) {
				waiting = append(waiting, k)
			}
		case send <- next:
			writing, waiting = &next.Kind, waiting[1:]
		case err := <-finished:
			if err == nil {
				for _, f := range writing.Files() {
					written[f] = time.Now()
				}
			}
			writing = nil
		}
	}
}
