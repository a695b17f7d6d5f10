package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// ControlOp is what a ControlRequest asks.
type ControlOp int

// The control operations.
const (
	// ControlReports asks for the Reports of Names (all with All).
	ControlReports ControlOp = iota
	// ControlDemote demotes Names (all with All) for For (0: until
	// undemoted).
	ControlDemote
	// ControlUndemote ends the demotion of Names (all with All).
	ControlUndemote
)

// ControlRequest is a request of the control socket to Run. Run answers on
// Reply, which the sender buffers.
type ControlRequest struct {
	Op    ControlOp
	Names []string
	All   bool
	For   time.Duration
	Reply chan<- ControlReply
}

// ControlReply is Run's answer: the Reports asked for (after a demotion:
// of the instances it changed), or why it was refused.
type ControlReply struct {
	Reports []control.Report
	Err     error
}

// ErrUnknownInstance is a request naming no running instance.
var ErrUnknownInstance = errors.New("no such vrrp_instance")

// DemotionStore keeps the demotions across restarts: instance names and
// when each ends (zero: until undemoted).
type DemotionStore interface {
	Load() (map[string]time.Time, error)
	Save(map[string]time.Time) error
}

// demoteCmd tells an instance to start or end its demotion.
type demoteCmd struct{ on bool }

// reportReq asks an instance for its Report.
type reportReq chan control.Report

// demotions are the runner's running demotions and the timer that ends
// the earliest one.
type demotions struct {
	until map[string]time.Time
	timer interface {
		C() <-chan time.Time
		Stop() bool
	}
}

// loadDemotions reads the stored demotions; one already over is dropped.
func (r *runner) loadDemotions() {
	r.dem.until = map[string]time.Time{}
	if r.d.Demotions == nil {
		return
	}
	stored, err := r.d.Demotions.Load()
	if err != nil {
		r.d.Log.Warn("cannot read the stored demotions: " + err.Error())
		return
	}
	now := r.d.Clock.Now()
	for name, until := range stored {
		if until.IsZero() || until.After(now) {
			r.dem.until[name] = until
		}
	}
}

// demoted reports whether the instance called name is demoted.
func (r *runner) demoted(name string) bool {
	_, ok := r.dem.until[name]
	return ok
}

// saveDemotions stores the demotions.
func (r *runner) saveDemotions() error {
	if r.d.Demotions == nil {
		return nil
	}
	return r.d.Demotions.Save(maps.Clone(r.dem.until))
}

// demotionTimer returns the channel that fires when the earliest timed
// demotion ends, nil if none is timed.
func (r *runner) demotionTimer() <-chan time.Time {
	if r.dem.timer != nil {
		r.dem.timer.Stop()
		r.dem.timer = nil
	}
	var first time.Time
	for _, u := range r.dem.until {
		if !u.IsZero() && (first.IsZero() || u.Before(first)) {
			first = u
		}
	}
	if first.IsZero() {
		return nil
	}
	t := r.d.Clock.NewTimer(max(first.Sub(r.d.Clock.Now()), 0))
	r.dem.timer = t
	return t.C()
}

// expireDemotions ends the demotions whose time is up.
func (r *runner) expireDemotions() {
	now := r.d.Clock.Now()
	var over []string
	for name, u := range r.dem.until {
		if !u.IsZero() && !u.After(now) {
			over = append(over, name)
		}
	}
	sort.Strings(over)
	for _, name := range over {
		delete(r.dem.until, name)
		r.d.Log.Info("(" + name + ") demotion time is up")
		if in := r.byName(name); in != nil {
			r.tell(in, demoteCmd{on: false})
		}
	}
	if err := r.saveDemotions(); err != nil {
		r.d.Log.Warn("cannot store the demotions: " + err.Error())
	}
}

// byName returns the running instance called name, nil if none.
func (r *runner) byName(name string) *instance {
	for _, in := range r.current() {
		if in.cfg.Name == name {
			return in
		}
	}
	return nil
}

// tell sends a control message to a running instance, unless it has
// ended.
func (r *runner) tell(in *instance, msg any) {
	select {
	case in.ctl <- msg:
	case <-in.done:
	case <-r.ctx.Done():
	}
}

// control serves one ControlRequest.
func (r *runner) control(req ControlRequest) ControlReply {
	insts, err := r.select1(req.Names, req.All)
	if err != nil {
		return ControlReply{Err: err}
	}
	switch req.Op {
	case ControlDemote:
		var owners []string
		for _, in := range insts {
			if in.cfg.Priority == vrrp.PriorityOwner {
				owners = append(owners, in.cfg.Name)
			}
		}
		if len(owners) > 0 {
			return ControlReply{Err: fmt.Errorf("%v: address owner (priority 255): its priority never changes, so it cannot be demoted; lower its priority in the configuration instead", owners)}
		}
		var until time.Time
		if req.For > 0 {
			until = r.d.Clock.Now().Add(req.For)
		}
		for _, in := range insts {
			_, was := r.dem.until[in.cfg.Name]
			r.dem.until[in.cfg.Name] = until
			if !was {
				r.d.Log.Info("(" + in.cfg.Name + ") demoted by the control socket" + forText(req.For))
				r.tell(in, demoteCmd{on: true})
			}
		}
	case ControlUndemote:
		for _, in := range insts {
			if _, was := r.dem.until[in.cfg.Name]; was {
				delete(r.dem.until, in.cfg.Name)
				r.d.Log.Info("(" + in.cfg.Name + ") undemoted by the control socket")
				r.tell(in, demoteCmd{on: false})
			}
		}
	}
	if req.Op != ControlReports {
		if err := r.saveDemotions(); err != nil {
			r.d.Log.Warn("cannot store the demotions: " + err.Error())
			return ControlReply{Reports: r.reports(insts), Err: fmt.Errorf("applied, but not stored (it will not survive a restart): %w", err)}
		}
	}
	return ControlReply{Reports: r.reports(insts)}
}

func forText(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return " for " + d.String()
}

// select1 returns the running instances named, all of them with all, in
// configuration order.
func (r *runner) select1(names []string, all bool) ([]*instance, error) {
	cur := r.current()
	if all || len(names) == 0 {
		return cur, nil
	}
	var out []*instance
	var unknown []string
	for _, n := range names {
		i := slices.IndexFunc(cur, func(in *instance) bool { return in.cfg.Name == n })
		if i < 0 {
			unknown = append(unknown, n)
			continue
		}
		if !slices.Contains(out, cur[i]) {
			out = append(out, cur[i])
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: %v", ErrUnknownInstance, unknown)
	}
	return out, nil
}

// reports asks each instance for its Report.
func (r *runner) reports(insts []*instance) []control.Report {
	states := map[string]string{}
	for _, s := range r.status.Snapshot() {
		states[s.Name] = s.State.String()
	}
	out := make([]control.Report, 0, len(insts))
	for _, in := range insts {
		ch := make(reportReq, 1)
		rep, answered := ask(r.ctx, in, ch, ch)
		if r.ctx.Err() != nil {
			return out
		}
		if !answered {
			continue
		}
		rep.Since = r.status.get1(in.cfg.Name).LastTransition
		if u, ok := r.dem.until[in.cfg.Name]; ok {
			rep.DemotedUntil = u
		}
		if in.group != nil {
			rep.SyncMembers = map[string]string{}
			for _, m := range in.group.members {
				rep.SyncMembers[m.cfg.Name] = states[m.cfg.Name]
			}
		}
		out = append(out, rep)
	}
	return out
}

// applyDemotion sets a new instance's demotion before it starts.
func (in *instance) applyDemotion(ctx context.Context, on bool) {
	if on && in.cfg.Priority != vrrp.PriorityOwner {
		in.step(ctx, vrrp.Demote{On: true})
	}
}

// report is the instance's Report; it runs in its goroutine.
func (in *instance) report() control.Report {
	m := in.core.m
	fault, why := m.Fault()
	rep := control.Report{
		Name: in.cfg.Name, Interface: in.cfg.Interface, VRID: int(in.cfg.VRID),
		Family: "inet", State: m.State().String(),
		BasePriority: m.BasePriority(), EffectivePriority: m.EffectivePriority(),
		Owner:   m.BasePriority() == vrrp.PriorityOwner,
		Preempt: !in.cfg.Nopreempt, PreemptDelay: in.cfg.PreemptDelay,
		VIPsHeld: in.wire.vipsSet, Fault: fault, FaultReason: why,
		Demoted: m.Demoted(), AdvertInt: in.cfg.AdvertInt,
	}
	if in.wire.fam == vrrp.IPv6 {
		rep.Family = "inet6"
	}
	if a := m.MasterAddr(); a.IsValid() {
		rep.Master = a.WithZone("").String()
		rep.MasterPriority = m.MasterPriority()
		if m.State() == vrrp.StateBackup {
			rep.MasterHeard = in.core.heardAt
		}
	}
	if at := m.PreemptAt(); !at.IsZero() {
		rep.PreemptLeft = max(at.Sub(in.core.lastStep), 0)
	}
	for _, a := range allAddrs(in.cfg) {
		rep.VIPs = append(rep.VIPs, a.Prefix.String())
	}
	if in.group != nil {
		rep.SyncGroup = in.group.cfg.Name
	}
	t := &in.tracks
	for _, r := range in.cfg.TrackInterfaces {
		up := t.up(r.Name)
		f, d := track.UpDownEffect(r, up)
		rep.Tracks = append(rep.Tracks, control.TrackReport{Kind: "interface", Name: r.Name, Known: true, OK: up,
			Weight: r.Weight, Reverse: r.Reverse, Delta: d, Faults: f})
	}
	for _, r := range in.cfg.TrackScripts {
		tr := control.TrackReport{Kind: "script", Name: r.Name, Weight: r.Weight, Reverse: r.Reverse}
		if ok, known := t.scriptOK[r.Name]; known {
			tr.Known, tr.OK = true, ok
			tr.Faults, tr.Delta = track.UpDownEffect(r, ok)
		}
		rep.Tracks = append(rep.Tracks, tr)
	}
	for _, r := range in.cfg.TrackFiles {
		tr := control.TrackReport{Kind: "file", Name: r.Name, Weight: r.Weight, Reverse: r.Reverse}
		if v, ok := t.fileVal[r.Name]; ok {
			tr.Known, tr.Value = true, v
			tr.Faults, tr.Delta = track.FileEffect(r, v)
			tr.OK = !tr.Faults
		}
		rep.Tracks = append(rep.Tracks, tr)
	}
	for _, r := range in.cfg.TrackProcesses {
		tr := control.TrackReport{Kind: "process", Name: r.Name, Weight: r.Weight, Reverse: r.Reverse}
		if up, ok := t.procUp[r.Name]; ok {
			tr.Known, tr.OK = true, up
			tr.Faults, tr.Delta = track.ProcessEffect(r, up)
		}
		rep.Tracks = append(rep.Tracks, tr)
	}
	return rep
}
