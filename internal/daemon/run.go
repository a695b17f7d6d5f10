package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/reload"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/vip"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// Deps are the daemon's connections to the host. Tests replace them with
// in-memory fakes.
type Deps struct {
	Log   *slog.Logger // nil discards
	Net   Net
	Links LinkWatcher
	// Addrs reports address deletions, for VIPs deleted behind our back;
	// nil disables that tracking.
	Addrs AddrWatcher
	// Open opens an instance's advert endpoint.
	Open func(socket.Options) (Endpoint, error)
	// SourceAddr returns the address an instance sends from when none is
	// configured: the interface's first IPv4 address, or its IPv6
	// link-local address.
	SourceAddr func(ifname string, fam vrrp.Family) (netip.Addr, error)
	// Clock is the one source of time of the instances, the notifiers,
	// the script checkers and the trackers; nil means clock.System.
	Clock clock.Clock
	// Scripts runs notify scripts; nil runs none.
	Scripts scripts.Executor
	// Events receives the notify FIFO lines; nil writes none.
	Events EventSink
	// Mail sends the smtp_alert emails; nil sends none.
	Mail Mailer
	// Reloads delivers new configurations to run; nil never reloads.
	Reloads <-chan Reload
	// Dumps delivers dump requests (SIGUSR1, SIGUSR2, 63, 36); nil never
	// dumps.
	Dumps <-chan DumpRequest
	// Ready is called once every instance has started (systemd's
	// READY=1); nil calls nothing.
	Ready func()
	// Control delivers the control socket's requests (status, explain,
	// demote); nil serves none.
	Control <-chan ControlRequest
	// Demotions keeps the demotions across restarts; nil keeps them in
	// memory only.
	Demotions DemotionStore
}

// Run runs every instance of cfg until ctx ends, then runs keepalived's
// stop sequence (reference §5.6) and returns. Status, if not nil, is kept
// up to date. Configurations received on d.Reloads replace the running one
// without disturbing what did not change (see reload).
func Run(ctx context.Context, cfg *config.Config, d Deps, status *Status) error {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	d.Clock = clock.Or(d.Clock)
	if d.SourceAddr == nil {
		d.SourceAddr = InterfaceAddr
	}
	d.SourceAddr = memoSourceAddr(d.SourceAddr, d.Clock.Now)
	if status == nil {
		status = NewStatus()
	}
	if len(cfg.Instances) == 0 {
		d.Log.Info("Warning - keepalived has no configuration to run")
	}
	r := &runner{d: d, status: status, ctx: ctx, checkers: map[string]*checkerRun{}}
	defer r.shutdown()
	defer status.serving(nil, time.Time{}) // not ready from the moment the stop begins
	r.loadDemotions()
	if err := r.startAll(cfg); err != nil {
		return err
	}
	status.serving(r.ping, d.Clock.Now())
	d.Log.Info("Startup complete")
	if d.Ready != nil {
		d.Ready()
	}
	demoteEnd := r.demotionTimer()
	for {
		select {
		case <-ctx.Done():
			d.Log.Info("Stopping")
			return nil
		case req := <-d.Control:
			req.Reply <- r.control(req)
			demoteEnd = r.demotionTimer()
		case <-demoteEnd:
			r.expireDemotions()
			demoteEnd = r.demotionTimer()
		case dr := <-d.Dumps:
			err := r.dump(dr.Kind)
			if dr.Done != nil {
				dr.Done <- err
			}
		case rl := <-d.Reloads:
			err := r.reload(rl.Config)
			status.reloaded(err, d.Clock.Now())
			if rl.Done != nil {
				rl.Done <- err
			}
		}
	}
}

// Reload asks Run to switch to Config; Run sends the outcome on Done
// (buffered by the sender) once the new configuration runs.
type Reload struct {
	Config *config.Config
	Done   chan<- error
}

// runner holds the running set: instances by name, sync groups, static
// addresses, watchers and checkers. Only Run's goroutine uses it, except
// current, which the watchers call.
type runner struct {
	d      Deps
	status *Status
	ctx    context.Context
	cfg    *config.Config

	mu    sync.Mutex // guards insts for the watchers
	insts []*instance

	groups   []*groupRun
	checkers map[string]*checkerRun // by script name
	trackers *trackersRun           // track_file and vrrp_track_process

	dem demotions // running demotions (control.go)

	watchNames []string
	stopWatch  context.CancelFunc
	watchWG    sync.WaitGroup
}

// groupRun is a running sync group and what ends it.
type groupRun struct {
	g    *syncGroup
	cfg  *config.SyncGroup // as configured
	stop context.CancelFunc
	done chan struct{}
}

// checkerRun is a running vrrp_script checker and what ends it.
type checkerRun struct {
	script   *config.Script
	trackers string // names of the instances tracking it
	stop     context.CancelFunc
	wg       sync.WaitGroup
}

// current returns the running instances.
func (r *runner) current() []*instance {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.insts
}

// startAll starts cfg from nothing: instances, static addresses, watchers,
// checkers, sync groups, then the instances' state machines.
func (r *runner) startAll(cfg *config.Config) error {
	r.cfg = cfg
	vmacs, err := planVMACs(cfg)
	if err != nil {
		return err
	}
	var insts []*instance
	for _, ic := range cfg.Instances {
		in, err := r.newInstance(ic, cfg, vmacs)
		if err != nil {
			r.discard(insts)
			return fmt.Errorf("(%s) %w", ic.Name, err)
		}
		insts = append(insts, in)
	}
	r.mu.Lock()
	r.insts = insts
	r.mu.Unlock()
	addStatic(cfg.StaticAddresses, cfg.StaticRoutes, cfg.StaticRules, r.d)
	r.restartWatchers()
	r.syncCheckers(cfg)
	r.syncTrackers(cfg, false)
	for _, in := range insts {
		// Like keepalived at start, remove addresses left by a previous run.
		in.log.Info("(" + in.cfg.Name + ") removing VIPs.")
		in.wire.clearAddrs(in.cfg)
	}
	r.startGroups(cfg, nil)
	for _, gr := range r.groups {
		for _, m := range gr.g.members {
			m.group = gr.g
		}
	}
	for _, in := range insts {
		r.launch(in)
	}
	return nil
}

// newInstance sets up an instance of cfg with its VMAC, if planned.
func (r *runner) newInstance(ic *config.Instance, cfg *config.Config, vmacs map[*config.Instance]vip.VMAC) (*instance, error) {
	var v *vip.VMAC
	if vm, ok := vmacs[ic]; ok {
		v = &vm
	}
	ic = reload.Effective(ic, cfg)
	return newInstance(ic, cfg, r.d, r.status, v)
}

// launch starts an instance's goroutine.
func (r *runner) launch(in *instance) {
	ctx, cancel := context.WithCancel(r.ctx)
	in.stop, in.done = cancel, make(chan struct{})
	in.demoteAtStart = r.demoted(in.cfg.Name)
	go func() { // Ends with ctx: Run's, or the instance's own on removal.
		defer close(in.done)
		in.run(ctx)
	}()
}

// discard closes instances that never ran.
func (r *runner) discard(insts []*instance) {
	for _, in := range insts {
		in.wire.ep.Close()
	}
	removeVMACs(r.d, insts)
}

// shutdown ends everything once ctx is done: the instances run their stop
// sequences, then the groups notify STOP, then static addresses and VMACs
// go.
func (r *runner) shutdown() {
	insts := r.current()
	for _, in := range insts {
		if in.stop != nil {
			in.stop()
		}
	}
	for _, in := range insts {
		if in.done != nil {
			<-in.done
		}
	}
	for _, gr := range r.groups {
		gr.stop()
		<-gr.done
		gr.g.stop()
	}
	if r.stopWatch != nil {
		r.stopWatch()
	}
	r.watchWG.Wait()
	for _, c := range r.checkers {
		c.stop()
		c.wg.Wait()
	}
	if r.trackers != nil {
		r.trackers.stop()
		r.trackers.wg.Wait()
	}
	for _, in := range insts {
		in.wire.ep.Close()
	}
	if r.cfg != nil {
		removeStatic(r.cfg.StaticAddresses, r.cfg.StaticRoutes, r.cfg.StaticRules, r.d)
	}
	removeVMACs(r.d, insts)
}

// startGroups starts cfg's sync groups, keeping the running ones in keep
// (by name) whose configuration and members are unchanged. A new group
// starting with the daemon enters BACKUP with its notifies; one created
// by a reload takes its members' states silently.
func (r *runner) startGroups(cfg *config.Config, keep map[string]*groupRun) {
	byName := map[string]*instance{}
	for _, in := range r.current() {
		byName[in.cfg.Name] = in
	}
	r.groups = nil
	for _, g := range cfg.SyncGroups {
		if len(g.Members) < 2 {
			continue
		}
		if gr, ok := keep[g.Name]; ok && reload.Equal(gr.cfg, g) {
			delete(keep, g.Name)
			r.groups = append(r.groups, gr)
			continue
		}
		var members []*instance
		for _, m := range g.Members {
			if in, ok := byName[m]; ok {
				members = append(members, in)
			}
		}
		sg := newSyncGroup(g, members, r.d, &cfg.Global, r.d.Events)
		if keep == nil {
			sg.start()
		} else {
			sg.state = groupStateOf(members, r.status)
		}
		ctx, cancel := context.WithCancel(r.ctx)
		gr := &groupRun{g: sg, cfg: g, stop: cancel, done: make(chan struct{})}
		go func() { // Ends with ctx.
			defer close(gr.done)
			sg.run(ctx)
		}()
		r.groups = append(r.groups, gr)
	}
}

// groupStateOf is a reloaded group's state: FAULT if a member is in FAULT,
// MASTER if all are MASTER, else BACKUP.
func groupStateOf(members []*instance, st *Status) vrrp.State {
	states := map[string]vrrp.State{}
	for _, s := range st.Snapshot() {
		states[s.Name] = s.State
	}
	all := true
	for _, m := range members {
		switch states[m.cfg.Name] {
		case vrrp.StateFault:
			return vrrp.StateFault
		case vrrp.StateMaster:
		default:
			all = false
		}
	}
	if all {
		return vrrp.StateMaster
	}
	return vrrp.StateBackup
}

// inGroup reports whether the instance is a member of a sync group with at
// least two members.
func inGroup(name string, cfg *config.Config) bool {
	for _, g := range cfg.SyncGroups {
		if len(g.Members) >= 2 && slices.Contains(g.Members, name) {
			return true
		}
	}
	return false
}

// newInstance sets up one instance: its VMAC when v is not nil (created
// before the socket opens, and deleted again if the instance cannot be set
// up), its state machine and its endpoint.
func newInstance(ic *config.Instance, cfg *config.Config, d Deps, status *Status, v *vip.VMAC) (*instance, error) {
	orig := ic
	fam := vrrp.IPv4
	if ic.Family == config.IPv6 {
		fam = vrrp.IPv6
	}
	src := ic.UnicastSrcIP
	if !src.IsValid() {
		src = ic.McastSrcIP
	}
	if !src.IsValid() {
		a, err := d.SourceAddr(ic.Interface, fam)
		if err != nil {
			return nil, err
		}
		src = a
	}
	mc := machineConfig(ic, fam, src)
	mc.SyncMember = inGroup(ic.Name, cfg)
	m, err := vrrp.NewMachine(mc)
	if err != nil {
		return nil, err
	}
	opts := socket.Options{Ifname: ic.Interface, Family: fam, VRID: uint8(ic.VRID), Src: src, Group: ic.McastDstIP}
	if !opts.Group.IsValid() && len(ic.UnicastPeers) == 0 {
		opts.Group = cfg.Global.McastGroup4
		if fam == vrrp.IPv6 {
			opts.Group = cfg.Global.McastGroup6
		}
	}
	for _, p := range ic.UnicastPeers {
		opts.Peers = append(opts.Peers, p.Addr)
	}
	if ic.UnicastTTL >= 0 && len(ic.UnicastPeers) > 0 {
		opts.UnicastTTL = uint8(ic.UnicastTTL)
	}
	if v != nil {
		if err := createVMAC(d, ic, *v); err != nil {
			return nil, err
		}
		if !xmitBase(ic) {
			opts.Ifname = v.Name
		}
		ic = withVMAC(ic, *v)
	}
	ep, err := d.Open(opts)
	if err != nil {
		if v != nil {
			d.Net.DelVMAC(*v)
		}
		return nil, err
	}
	if ic.OldUnicastChecksum {
		ep.SetLegacyChecksum(true)
	}
	log := d.Log.With("instance", ic.Name, "vrid", ic.VRID)
	in := &instance{
		cfg: ic, orig: orig, global: &cfg.Global, log: log, clock: d.Clock,
		status: status, stats: status.counters(ic.Name), ctl: make(chan any, 4),
		core: core{m: m},
		wire: wire{
			name: ic.Name, log: log, ep: ep, expect: expectation(ic, fam, &cfg.Global), src: src, fam: fam,
			net: d.Net, vmac: v, garp: cfg.Global.GarpInterval, gna: cfg.Global.GnaInterval,
			scripts: d.Scripts, events: d.Events, mail: d.Mail,
		},
	}
	in.tracks.waitScripts, in.tracks.waitMax = scriptsToWaitFor(ic, cfg, d.Scripts != nil)
	in.describe()
	return in, nil
}

// scriptsToWaitFor lists the instance's tracked vrrp_scripts, whose first
// results its start waits for, and how long at most: the longest first run
// (timeout, or interval) plus the kill grace and a second.
func scriptsToWaitFor(ic *config.Instance, cfg *config.Config, runScripts bool) (map[string]bool, time.Duration) {
	names := map[string]bool{}
	longest := time.Duration(0)
	for _, t := range ic.TrackScripts {
		for _, s := range cfg.Scripts {
			if s.Name == t.Name && runScripts {
				names[t.Name] = true
				longest = max(longest, s.Timeout, s.Interval)
			}
		}
	}
	// Tracked files and processes are read at once.
	for _, t := range ic.TrackFiles {
		if slices.ContainsFunc(cfg.TrackFiles, func(f *config.TrackFile) bool { return f.Name == t.Name }) {
			names["file "+t.Name] = true
		}
	}
	for _, t := range ic.TrackProcesses {
		if slices.ContainsFunc(cfg.TrackProcesses, func(p *config.TrackProcess) bool { return p.Name == t.Name }) {
			names["process "+t.Name] = true
		}
	}
	if len(names) == 0 {
		return nil, 0
	}
	return names, longest + scripts.DefaultKillGrace + time.Second
}

// machineConfig maps a lowered instance onto its state machine's Config.
func machineConfig(ic *config.Instance, fam vrrp.Family, src netip.Addr) vrrp.Config {
	init := vrrp.StateBackup
	if ic.State == config.StateMaster {
		init = vrrp.StateMaster
	}
	return vrrp.Config{
		Name: ic.Name, VRID: uint8(ic.VRID), Version: ic.Version, Family: fam,
		Priority: ic.Priority, AdvertInt: ic.AdvertInt, InitialState: init,
		Nopreempt: ic.Nopreempt, PreemptDelay: ic.PreemptDelay, DownTimerAdverts: ic.DownTimerAdverts,
		LowerPrioNoAdvert: ic.LowerPrioNoAdvert, HigherPrioSendAdvert: ic.HigherPrioSendAdvert,
		GARPMasterDelay: ic.GarpMasterDelay, GARPMasterRepeat: ic.GarpMasterRepeat,
		GARPMasterRefresh: ic.GarpMasterRefresh, GARPMasterRefreshRepeat: ic.GarpMasterRefreshRepeat,
		GARPLowerPrioDelay: ic.GarpLowerPrioDelay, GARPLowerPrioRepeat: ic.GarpLowerPrioRepeat,
		PrimaryAddr: src,
	}
}

// expectation maps a lowered instance onto the receive checks' Expect.
func expectation(ic *config.Instance, fam vrrp.Family, g *config.Global) vrrp.Expect {
	e := vrrp.Expect{
		Name: ic.Name, Family: fam, Version: uint8(ic.Version), VRID: uint8(ic.VRID),
		AuthType: vrrp.AuthType(ic.AuthType), VIPs: vipAddrs(ic.VIPs),
		CheckUnicastSrc: ic.CheckUnicastSrc || g.CheckUnicastSrc, SkipCheckAdvAddr: ic.SkipCheckAdvAddr,
	}
	copy(e.AuthData[:], ic.AuthPass)
	if ic.Version == 2 {
		e.AdvertInt = uint8(ic.AdvertInt / time.Second)
	}
	for _, p := range ic.UnicastPeers {
		e.UnicastPeers = append(e.UnicastPeers, vrrp.Peer{Addr: p.Addr, MinTTL: uint8(p.MinTTL), MaxTTL: uint8(p.MaxTTL)})
	}
	switch {
	case ic.OldUnicastChecksum:
		e.Checksum = vrrp.ChecksumLegacy
	case ic.OldUnicastChecksumNever:
		e.Checksum = vrrp.ChecksumNever
	}
	return e
}

// restartWatchers (re)starts the link and address watchers when the set of
// watched interfaces changed; the watchers deliver to the instances running
// at the time of each event.
func (r *runner) restartWatchers() {
	var names []string
	seen := map[string]bool{}
	for _, in := range r.current() {
		for _, n := range in.watched() {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	if r.stopWatch != nil && slices.Equal(names, r.watchNames) {
		return
	}
	if r.stopWatch != nil {
		r.stopWatch()
		r.watchWG.Wait()
	}
	r.watchNames = names
	ctx, cancel := context.WithCancel(r.ctx)
	r.stopWatch = cancel
	if err := r.watchLinks(ctx, names); err != nil {
		r.d.Log.Warn("link state is not tracked: " + err.Error())
	}
	if err := r.watchAddrs(ctx); err != nil {
		r.d.Log.Warn("deleted VIPs are not tracked: " + err.Error())
	}
}

// watchLinks forwards link events to the instances on each interface.
func (r *runner) watchLinks(ctx context.Context, names []string) error {
	if r.d.Links == nil || len(names) == 0 {
		return nil
	}
	initial, events, err := r.d.Links.Watch(ctx, names...)
	if err != nil {
		return err
	}
	deliver := func(ev vip.LinkEvent) {
		for _, in := range r.current() {
			if slices.Contains(in.watched(), ev.Ifname) {
				select {
				case in.ctl <- ev:
				case <-ctx.Done():
				}
			}
		}
	}
	for _, ev := range initial {
		if !ev.Up {
			deliver(ev)
		}
	}
	r.watchWG.Add(1)
	go func() { // Ends when ctx ends the event stream.
		defer r.watchWG.Done()
		for ev := range events {
			r.d.Log.Info(ev.String())
			deliver(ev)
		}
	}()
	return nil
}

// watchAddrs forwards deletions of an instance's tracked VIPs to it.
func (r *runner) watchAddrs(ctx context.Context) error {
	if r.d.Addrs == nil || len(r.current()) == 0 {
		return nil
	}
	events, err := r.d.Addrs.WatchAddrs(ctx)
	if err != nil {
		return err
	}
	r.watchWG.Add(1)
	go func() { // Ends when ctx ends the event stream.
		defer r.watchWG.Done()
		for ev := range events {
			if !ev.Deleted {
				continue
			}
			for _, in := range r.current() {
				if in.tracksVIP(ev) {
					select {
					case in.ctl <- ev:
					case <-ctx.Done():
					}
				}
			}
		}
	}()
	return nil
}

// tracksVIP reports whether ev is about one of the instance's VIPs that
// lack no_track.
func (in *instance) tracksVIP(ev vip.AddrEvent) bool {
	for _, a := range in.cfg.VIPs {
		if !a.NoTrack && a.Dev == ev.Ifname && a.Prefix.Addr() == ev.Prefix.Addr() {
			return true
		}
	}
	return false
}

// watched lists the interfaces whose state matters to the instance: its own,
// its VMAC and the tracked ones.
func (in *instance) watched() []string {
	names := []string{in.cfg.Interface}
	if in.wire.vmac != nil {
		names = append(names, in.wire.vmac.Name)
	}
	for _, t := range in.cfg.TrackInterfaces {
		names = append(names, t.Name)
	}
	return names
}

func addStatic(addrs []*config.Address, routes []*config.Route, rules []*config.Rule, d Deps) {
	for _, a := range addrs {
		if err := d.Net.AddAddress(a); err != nil {
			d.Log.Warn("static address " + a.Prefix.String() + ": " + err.Error())
		}
	}
	for _, r := range routes {
		if err := d.Net.AddRoute(r); err != nil {
			d.Log.Warn("static route: " + err.Error())
		}
	}
	for _, r := range rules {
		if err := d.Net.AddRule(r); err != nil {
			d.Log.Warn("static rule: " + err.Error())
		}
	}
}

func removeStatic(addrs []*config.Address, routes []*config.Route, rules []*config.Rule, d Deps) {
	for _, r := range rules {
		d.Net.DelRule(r)
	}
	for _, r := range routes {
		d.Net.DelRoute(r)
	}
	for _, a := range addrs {
		d.Net.DelAddress(a)
	}
}

// memoSourceAddr remembers f's answers for a second: a start or reload
// of thousands of instances on a few interfaces then reads each
// interface's addresses once, not once per instance. The returned function
// is safe for concurrent use.
func memoSourceAddr(f func(string, vrrp.Family) (netip.Addr, error), now func() time.Time) func(string, vrrp.Family) (netip.Addr, error) {
	type key struct {
		ifname string
		fam    vrrp.Family
	}
	type answer struct {
		addr netip.Addr
		at   time.Time
	}
	var mu sync.Mutex
	seen := map[key]answer{}
	return func(ifname string, fam vrrp.Family) (netip.Addr, error) {
		k := key{ifname, fam}
		mu.Lock()
		a, ok := seen[k]
		mu.Unlock()
		if t := now(); ok && t.Sub(a.at) < time.Second && !t.Before(a.at) {
			return a.addr, nil
		}
		addr, err := f(ifname, fam)
		if err == nil {
			mu.Lock()
			seen[k] = answer{addr, now()}
			mu.Unlock()
		}
		return addr, err
	}
}

// InterfaceAddr returns the address adverts are sent from when none is
// configured: the interface's first IPv4 address, or its IPv6 link-local
// address.
func InterfaceAddr(ifname string, fam vrrp.Family) (netip.Addr, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return netip.Addr{}, err
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if fam == vrrp.IPv4 && ip.Is4() || fam == vrrp.IPv6 && ip.Is6() && ip.IsLinkLocalUnicast() {
			return ip, nil
		}
	}
	return netip.Addr{}, errors.New("interface " + ifname + " has no usable " + map[bool]string{true: "IPv6 link-local", false: "IPv4"}[fam == vrrp.IPv6] + " address")
}
