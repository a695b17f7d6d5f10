package daemon

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// trackUpdate is a track_file value or a vrrp_track_process state for the
// instances tracking it.
type trackUpdate struct {
	file    bool // a track_file; else a vrrp_track_process
	name    string
	value   int  // track_file value
	up      bool // process quorum reached
	removed bool // the file cannot be tracked: keepalived drops it
}

// trackersRun are the running file and process trackers and what ends
// them.
type trackersRun struct {
	key  string
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// syncTrackers (re)starts the track_file and vrrp_track_process trackers
// when the blocks the instances use changed. A tracker's first updates
// carry every object's current state, so restarted trackers resend them and
// instances whose values did not change see no change.
func (r *runner) syncTrackers(cfg *config.Config, reload bool) {
	files, procs := trackedBlocks(cfg, r.current())
	key := fmt.Sprintf("%+v %+v", files, procs)
	if r.trackers != nil {
		if r.trackers.key == key {
			return
		}
		r.trackers.stop()
		r.trackers.wg.Wait()
		r.trackers = nil
	}
	if len(files) == 0 && len(procs) == 0 {
		return
	}
	ctx, cancel := context.WithCancel(r.ctx)
	tr := &trackersRun{key: key, stop: cancel}
	r.trackers = tr
	if len(files) > 0 {
		ft := track.NewFileTracker(files, r.d.Log)
		ft.Reload = reload
		ch := make(chan track.FileUpdate, 16)
		runTracker(r, ctx, tr, func() error { return ft.Run(ctx, ch) }, func() {
			for u := range ch {
				r.deliverTrack(ctx, trackUpdate{file: true, name: u.Name, value: u.Value, removed: u.Removed})
			}
		}, ch)
	}
	if len(procs) > 0 {
		pt := track.NewProcessTracker(procs, r.d.Log, 0)
		pt.Clock = r.d.Clock
		ch := make(chan track.ProcessUpdate, 16)
		runTracker(r, ctx, tr, func() error { return pt.Run(ctx, ch) }, func() {
			for u := range ch {
				r.deliverTrack(ctx, trackUpdate{name: u.Name, up: u.Up})
			}
		}, ch)
	}
}

// runTracker runs a tracker and the goroutine that forwards its updates;
// both end with ctx.
func runTracker[T any](r *runner, ctx context.Context, tr *trackersRun, run func() error, forward func(), ch chan T) {
	tr.wg.Add(2)
	go func() { // Ends with ctx.
		defer tr.wg.Done()
		defer close(ch)
		if err := run(); err != nil && ctx.Err() == nil {
			r.d.Log.Warn("tracker: " + err.Error())
		}
	}()
	go func() { // Ends when run closes ch.
		defer tr.wg.Done()
		forward()
	}()
}

// deliverTrack sends an update to every running instance that tracks it.
func (r *runner) deliverTrack(ctx context.Context, u trackUpdate) {
	for _, in := range r.current() {
		refs := in.cfg.TrackProcesses
		if u.file {
			refs = in.cfg.TrackFiles
		}
		if !slices.ContainsFunc(refs, func(t config.TrackRef) bool { return t.Name == u.name }) {
			continue
		}
		select {
		case in.ctl <- u:
		case <-ctx.Done():
			return
		}
	}
}

// trackedBlocks are the track_file and vrrp_track_process blocks some
// instance tracks.
func trackedBlocks(cfg *config.Config, insts []*instance) ([]*config.TrackFile, []*config.TrackProcess) {
	used := func(name string, file bool) bool {
		for _, in := range insts {
			refs := in.cfg.TrackProcesses
			if file {
				refs = in.cfg.TrackFiles
			}
			if slices.ContainsFunc(refs, func(t config.TrackRef) bool { return t.Name == name }) {
				return true
			}
		}
		return false
	}
	var files []*config.TrackFile
	for _, f := range cfg.TrackFiles {
		if used(f.Name, true) {
			files = append(files, f)
		}
	}
	var procs []*config.TrackProcess
	for _, p := range cfg.TrackProcesses {
		if used(p.Name, false) {
			procs = append(procs, p)
		}
	}
	return files, procs
}

// trackResult records a tracked file's value or process state and
// re-tracks.
func (in *instance) trackResult(ctx context.Context, u trackUpdate) {
	name := in.tracks.setTracked(u)
	in.retrack(ctx)
	in.arrived(ctx, name)
}
