package daemon

import (
	"context"
	"fmt"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/reload"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// instUpdate is what a reload changes in a running instance: its
// configuration (cfg nil: unchanged), global_defs and sync group.
type instUpdate struct {
	cfg    *config.Instance
	global *config.Global
	group  *syncGroup
	done   chan struct{}
}

// reload switches the running set to cfg, by instance name (reference
// §5.7, done better): an unchanged instance is left alone, nothing sent or
// removed; a changed one takes the change in place (VIPs, eVIPs, routes
// and rules added or removed while MASTER, with GARPs for new VIPs;
// priority, timers, tracking, notify scripts) and keeps its state; an
// instance whose interface, VRID, version, family, unicast peers or
// source, VMAC or address ownership changed is replaced (stopped quietly,
// started anew); a removed instance runs its stop sequence with
// notify_deleted; new instances start. cfg has been checked already.
func (r *runner) reload(cfg *config.Config) error {
	r.d.Log.Info("Reloading")
	vmacs, err := planVMACs(cfg)
	if err != nil {
		return fmt.Errorf("reload aborted, the running configuration is unchanged: %w", err)
	}
	old := r.cfg
	changes := reload.Plan(old, cfg)
	running := map[string]*instance{}
	for _, in := range r.current() {
		running[in.cfg.Name] = in
	}
	raw := map[string]*config.Instance{}
	for _, ic := range cfg.Instances {
		raw[ic.Name] = ic
	}
	// Plan: what reload.Plan says, against what runs (an instance that
	// could not start before is started now).
	type slot struct {
		ic     *config.Instance // as configured
		keep   *instance        // kept instance, or nil for a new one
		update *config.Instance // for a kept one: its new effective configuration, if it changed
	}
	var plan []slot
	var gone []*instance
	for _, st := range changes.Instances {
		in, ok := running[st.Name]
		switch {
		case st.Action == reload.Stop:
			if ok {
				in.deleted = true
				gone = append(gone, in)
			}
		case !ok || st.Action == reload.Start:
			plan = append(plan, slot{ic: raw[st.Name]})
		case st.Action == reload.Restart:
			in.log.Info("(" + st.Name + ") " + st.Why + " changed - restarting the instance")
			in.quiet = true
			gone = append(gone, in)
			plan = append(plan, slot{ic: raw[st.Name]})
		case st.Action == reload.Update:
			plan = append(plan, slot{ic: raw[st.Name], keep: in, update: st.New})
		default:
			plan = append(plan, slot{ic: raw[st.Name], keep: in})
		}
	}
	kept := map[string]*instance{}
	for _, s := range plan {
		if s.keep != nil {
			kept[s.ic.Name] = s.keep
		}
	}
	// Stop what goes, before anything new opens the same VRID.
	for _, in := range gone {
		in.stop()
	}
	for _, in := range gone {
		<-in.done
		in.wire.ep.Close()
		if !in.quiet {
			r.status.remove(in.cfg.Name)
		}
	}
	removeVMACs(r.d, gone)
	// Groups are rebuilt below; the old coordinators end here.
	keepGroups := map[string]*groupRun{}
	for _, gr := range r.groups {
		if sameMembers(gr.g, kept) {
			keepGroups[gr.g.cfg.Name] = gr
			continue
		}
		gr.stop()
		<-gr.done
	}
	// Start.
	var next, fresh []*instance
	updates := map[*instance]*config.Instance{}
	for _, s := range plan {
		if s.keep != nil {
			if s.update != nil {
				updates[s.keep] = s.update
			}
			next = append(next, s.keep)
			continue
		}
		in, err := r.newInstance(s.ic, cfg, vmacs)
		if err != nil {
			r.d.Log.Error(fmt.Sprintf("(%s) %v - not started", s.ic.Name, err))
			continue
		}
		next = append(next, in)
		fresh = append(fresh, in)
	}
	r.mu.Lock()
	r.insts = next
	r.mu.Unlock()
	oldGroups := map[*instance]*syncGroup{}
	for _, gr := range r.groups {
		for _, m := range gr.g.members {
			oldGroups[m] = gr.g
		}
	}
	r.startGroups(cfg, keepGroups)
	newGroups := map[*instance]*syncGroup{}
	for _, gr := range r.groups {
		for _, m := range gr.g.members {
			newGroups[m] = gr.g
		}
	}
	globalChanged := changes.Global
	for _, in := range next {
		if slices.Contains(fresh, in) {
			in.group = newGroups[in]
			continue
		}
		ic, changed := updates[in]
		if !changed && !globalChanged && oldGroups[in] == newGroups[in] {
			continue
		}
		if changed {
			in.orig = ic
		}
		u := instUpdate{cfg: ic, global: &cfg.Global, group: newGroups[in], done: make(chan struct{})}
		select {
		case in.ctl <- u:
			<-u.done
		case <-r.ctx.Done():
			return r.ctx.Err()
		}
	}
	r.reloadStatic(old, cfg)
	r.cfg = cfg
	r.restartWatchers()
	r.syncCheckers(cfg)
	r.syncTrackers(cfg, true)
	for _, in := range fresh {
		r.launch(in)
	}
	r.d.Log.Info("Reload complete")
	return nil
}

// reconfigure takes a reload's update inside the instance's goroutine.
func (in *instance) reconfigure(ctx context.Context, u instUpdate) {
	defer close(u.done)
	if u.global != nil {
		in.global = u.global
		in.wire.garp, in.wire.gna = u.global.GarpInterval, u.global.GnaInterval
	}
	if u.group != in.group {
		in.group, in.tracks.ownFault, in.tracks.groupFault = u.group, false, false
	}
	in.catchUp(ctx)
	if in.wire.refresh != nil {
		// The receive checks may read the new configuration otherwise.
		in.wire.refresh.Clear()
	}
	old := in.cfg
	if u.cfg != nil {
		nc := u.cfg
		if in.wire.vmac != nil {
			nc = withVMAC(nc, *in.wire.vmac)
		}
		in.cfg = nc
		in.describe()
		legacy := in.wire.expect.Checksum == vrrp.ChecksumLegacy
		in.wire.expect = expectation(nc, in.wire.fam, in.global)
		if legacy {
			in.wire.expect.Checksum = vrrp.ChecksumLegacy
		}
	}
	mc := machineConfig(in.cfg, in.wire.fam, in.wire.src)
	mc.SyncMember = in.group != nil
	in.wire.advert = buildAdvert(in.cfg)
	in.step(ctx, vrrp.Reconfigure{Config: mc})
	if in.wire.vipsSet && u.cfg != nil {
		in.wire.moveAddrs(ctx, old, in.cfg)
	}
	in.retrack(ctx)
}

// minus returns the items of a that are not Equal to an item of b.
func minus[T any](a, b []T) []T {
	var out []T
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y T) bool { return reload.Equal(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

// reloadStatic adds and removes static addresses, routes and rules that
// the reload changed.
func (r *runner) reloadStatic(old, cur *config.Config) {
	removeStatic(minus(old.StaticAddresses, cur.StaticAddresses), minus(old.StaticRoutes, cur.StaticRoutes),
		minus(old.StaticRules, cur.StaticRules), r.d)
	addStatic(minus(cur.StaticAddresses, old.StaticAddresses), minus(cur.StaticRoutes, old.StaticRoutes),
		minus(cur.StaticRules, old.StaticRules), r.d)
}

// sameMembers reports whether a running group's members are all kept by
// the reload (same instance objects).
func sameMembers(g *syncGroup, kept map[string]*instance) bool {
	for _, m := range g.members {
		if kept[m.cfg.Name] != m {
			return false
		}
	}
	return true
}

// syncCheckers runs one checker per vrrp_script that instances track. A
// checker whose script and trackers are unchanged keeps running, with its
// state; others are (re)started and removed ones end.
func (r *runner) syncCheckers(cfg *config.Config) {
	want := map[string]bool{}
	for _, s := range cfg.Scripts {
		var names []string // identities: a replaced instance is another tracker
		var trackers []*instance
		for _, in := range r.current() {
			if slices.ContainsFunc(in.cfg.TrackScripts, func(t config.TrackRef) bool { return t.Name == s.Name }) {
				names = append(names, fmt.Sprintf("%p", in))
				trackers = append(trackers, in)
			}
		}
		if len(trackers) == 0 {
			continue
		}
		want[s.Name] = true
		who := fmt.Sprint(names)
		if c, ok := r.checkers[s.Name]; ok {
			if reload.Equal(c.script, s) && c.trackers == who {
				continue
			}
			c.stop()
			c.wg.Wait()
		}
		ctx, cancel := context.WithCancel(r.ctx)
		c := &checkerRun{script: s, trackers: who, stop: cancel}
		one := *cfg
		one.Scripts = []*config.Script{s}
		runCheckers(ctx, &one, r.d, trackers, &c.wg)
		r.checkers[s.Name] = c
	}
	for name, c := range r.checkers {
		if !want[name] {
			c.stop()
			c.wg.Wait()
			delete(r.checkers, name)
			r.status.forgetScript(name)
		}
	}
}
