package main

import (
	"context"
	"os"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/dumps"
)

// handleDumps turns the dump signals into requests to the daemon until ctx
// ends (reference §5.5). It removes a dump's files as its signal arrives
// (daemon.RemoveDump), even while another dump is being written, so that a
// reader that reads right after its signal finds no file or the new one,
// never the previous dump. The dumps go to the daemon one at a time, in the
// order asked for; a signal for a dump that is still waiting joins it, as a
// repeated signal does in keepalived. A signal for the dump being written
// asks for another one, and the written one's files are removed again as it
// ends, since they were gathered before that signal.
func handleDumps(ctx context.Context, sigs <-chan os.Signal, reqs chan<- daemon.DumpRequest) {
	kinds := map[os.Signal]daemon.DumpKind{
		dumps.SignalData: daemon.DumpData, dumps.SignalStats: daemon.DumpStats,
		dumps.SignalStatsClear: daemon.DumpStatsClear, dumps.SignalJSON: daemon.DumpJSON,
	}
	var waiting []daemon.DumpKind // asked for, not yet handed over; each kind once
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
			// An error here is the directory's, which the dump's own
			// write then meets and logs.
			_ = daemon.RemoveDump(k)
			if !slices.Contains(waiting, k) {
				waiting = append(waiting, k)
			}
		case send <- next:
			writing, waiting = &next.Kind, waiting[1:]
		case <-finished:
			if slices.Contains(waiting, *writing) {
				_ = daemon.RemoveDump(*writing)
			}
			writing = nil
		}
	}
}
