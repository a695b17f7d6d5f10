package daemon

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"

	"github.com/gokeepalived/gokeepalived/internal/dumps"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// DumpKind is what a dump signal asks for (reference §5.5).
type DumpKind int

// The dumps: SIGUSR1, SIGUSR2, signal 63 and signal 36.
const (
	DumpData DumpKind = iota
	DumpStats
	DumpStatsClear
	DumpJSON
)

// DumpRequest asks Run to write a dump; Run sends the outcome on Done
// (buffered by the sender).
type DumpRequest struct {
	Kind DumpKind
	Done chan<- error
}

// Files are the files a dump of kind k writes in dumps.Dir(). The signal
// handler removes them as the dump's signal arrives (cmd/gokeepalived,
// handleDumps).
func (k DumpKind) Files() []string {
	switch k {
	case DumpJSON:
		return []string{dumps.JSONFile}
	case DumpStats, DumpStatsClear:
		return []string{dumps.StatsFile}
	}
	return []string{dumps.ParentDataFile, dumps.DataFile}
}

// dump writes the requested files in keepalived's formats, with its log
// lines, from the instances' states taken in their own goroutines.
func (r *runner) dump(kind DumpKind) error {
	pid := os.Getpid()
	insts := r.snapshots()
	switch kind {
	case DumpJSON:
		r.d.Log.Info(fmt.Sprintf("Printing VRRP as json for process(%d) on signal", pid))
		if len(insts) == 0 {
			return nil // keepalived writes none without instances
		}
		return r.writeDump(dumps.JSONFile, func(w io.Writer) error { return dumps.WriteJSON(w, insts) })
	case DumpStats, DumpStatsClear:
		if kind == DumpStats {
			r.d.Log.Info(fmt.Sprintf("Printing VRRP stats for process(%d) on signal", pid))
		} else {
			r.d.Log.Info(fmt.Sprintf("Printing and clearing VRRP stats for process(%d) on signal", pid))
		}
		err := r.writeDump(dumps.StatsFile, func(w io.Writer) error { return dumps.WriteStats(w, insts) })
		if kind == DumpStatsClear {
			r.status.clearStats()
		}
		return err
	default:
		r.d.Log.Info(fmt.Sprintf("Printing parent data for process(%d) on signal", pid))
		if err := r.writeDump(dumps.ParentDataFile, func(w io.Writer) error { return dumps.WriteParentData(w, r.cfg) }); err != nil {
			return err
		}
		r.d.Log.Info(fmt.Sprintf("Printing VRRP data for process(%d) on signal", pid))
		return r.writeDump(dumps.DataFile, func(w io.Writer) error {
			return dumps.WriteData(w, r.cfg, insts, r.scriptStates(insts))
		})
	}
}

// writeDump writes one file, logging a failure as keepalived does.
func (r *runner) writeDump(name string, write func(io.Writer) error) error {
	err := dumps.WriteFile(name, write)
	if err != nil {
		r.d.Log.Warn(fmt.Sprintf("Can't open %s/%s (%v)", dumps.Dir(), name, err))
	}
	return err
}

// snapshots asks every running instance for its state, in configuration
// order.
func (r *runner) snapshots() []dumps.Instance {
	var out []dumps.Instance
	for _, in := range r.current() {
		ch := make(chan dumps.Instance, 1)
		s, answered := ask(r.ctx, in, ch, ch)
		if r.ctx.Err() != nil {
			return out
		}
		if !answered {
			continue
		}
		s.Scripts = r.cfg.Scripts
		st := r.status.get1(in.cfg.Name)
		s.Stats = dumps.Stats(st.Stats)
		s.LastTransition = st.LastTransition
		out = append(out, s)
	}
	return out
}

// ask sends msg to a running instance and waits for its answer on reply.
// answered is false if the instance ended, or ctx did, first.
func ask[T any](ctx context.Context, in *instance, msg any, reply <-chan T) (v T, answered bool) {
	select {
	case in.ctl <- msg:
	case <-in.done:
		return v, false
	case <-ctx.Done():
		return v, false
	}
	select {
	case v = <-reply:
		return v, true
	case <-in.done:
	case <-ctx.Done():
	}
	return v, false
}

// scriptStates are the vrrp_scripts' states as the instances last heard
// them: keepalived's rise/fall counter is rise+fall-1 when good, 0 when
// not.
func (r *runner) scriptStates(insts []dumps.Instance) []dumps.ScriptState {
	var out []dumps.ScriptState
	for _, s := range r.cfg.Scripts {
		st := dumps.ScriptState{Script: s, Init: true}
		for _, in := range r.current() {
			if ok, known := in.scriptOKCopy(s.Name); known {
				st.Init, st.Good = false, ok
				if ok {
					st.Result = s.Rise + s.Fall - 1
				}
				break
			}
		}
		out = append(out, st)
	}
	return out
}

// snapshot is the instance's part of a dump; it runs in the instance's
// goroutine.
func (in *instance) snapshot() dumps.Instance {
	s := dumps.Instance{
		Config: in.cfg, State: dumpState(in.core.m.State()), IfName: in.cfg.Interface,
		MasterPriority: in.core.heardPrio, EffectivePriority: in.core.m.EffectivePriority(),
		VIPSet: in.wire.vipsSet, MasterAdverInt: in.core.m.MasterAdverInt(),
		MasterAddr: in.core.m.MasterAddr(), SrcIP: in.wire.src,
	}
	s.WantState = s.State
	if in.wire.vmac != nil {
		s.IfName, s.VMACName = in.wire.vmac.Name, in.wire.vmac.Name
	}
	if _, at, ok := in.core.m.NextDeadline(); ok {
		s.ReadTimeout = at
	}
	if in.group != nil {
		s.SyncGroup = in.group.cfg.Name
	}
	for _, t := range in.cfg.TrackInterfaces {
		if t.Weight == 0 && in.tracks.up(t.Name) == t.Reverse {
			s.Faults++
		}
	}
	for _, t := range in.cfg.TrackScripts {
		if ok, known := in.tracks.scriptOK[t.Name]; known && t.Weight == 0 && ok == t.Reverse {
			s.Faults++
		}
	}
	in.tracks.scriptMu.Lock()
	in.tracks.scriptSeen = maps.Clone(in.tracks.scriptOK)
	in.tracks.scriptMu.Unlock()
	return s
}

// scriptOKCopy reads the script states copied at the last snapshot.
func (in *instance) scriptOKCopy(name string) (ok, known bool) {
	in.tracks.scriptMu.Lock()
	defer in.tracks.scriptMu.Unlock()
	ok, known = in.tracks.scriptSeen[name]
	return ok, known
}

// dumpState numbers a state as keepalived's dumps do.
func dumpState(s vrrp.State) dumps.State {
	switch s {
	case vrrp.StateBackup:
		return dumps.StateBackup
	case vrrp.StateMaster:
		return dumps.StateMaster
	case vrrp.StateFault:
		return dumps.StateFault
	case vrrp.StateStop:
		return dumps.StateStop
	}
	return dumps.StateInit
}
