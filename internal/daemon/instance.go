package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/dumps"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/vip"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// Endpoint is what an instance needs of its socket: the adverts for its
// VRID, and sending its own. *socket.Endpoint implements it.
type Endpoint interface {
	Packets() <-chan socket.Packet
	Send(adv vrrp.Advert) error
	SetLegacyChecksum(on bool)
	Close() error
}

// instance runs one vrrp_instance. Its run method is the only goroutine
// that touches it.
type instance struct {
	cfg     *confparse.Instance
	m       *vrrp.Machine
	ep      Endpoint
	net     vip.Interfaces
	log     *slog.Logger
	vmac    *vip.VMAC // nil without use_vmac
	expect  vrrp.Expect
	garp    time.Duration // gap between GARPs (vrrp_garp_interval)
	gna     time.Duration // gap between NAs (vrrp_gna_interval)
	links   chan vip.LinkEvent
	notify  *notifier        // nil when no script runner is configured
	scripts scripts.Executor // runs notify scripts; nil runs none
	global  *confparse.Global
	addrs   chan vip.AddrEvent // deletions of tracked VIPs
	// vipsSet is true between AddVIPs and RemoveVIPs.
	vipsSet bool
	linkUp  map[string]bool // last known state of the own and tracked interfaces
	// scriptOK is the last state of each tracked vrrp_script; absent until
	// its first result.
	scriptOK map[string]bool
	scriptCh chan scripts.Update
	status   *Status
	bg       sync.WaitGroup // announcements sent in the background
	now      func() time.Time

	// group is the instance's sync group, nil if none; syncCh carries its
	// orders. ownFault is the tracking fault last reported to the group,
	// groupFault the group's fault as last ordered.
	group      *syncGroup
	syncCh     chan syncCmd
	ownFault   bool
	groupFault bool
	// events receives the notify FIFO lines; nil writes none.
	events EventSink

	// reconf carries reloaded configurations; stop and done end and
	// await the goroutine; deleted marks an instance removed by a reload.
	reconf  chan instUpdate
	stop    context.CancelFunc
	done    chan struct{}
	deleted bool
	// quiet marks an instance stopped to be replaced: no notifies.
	quiet bool
	// orig is the configuration as given (before the VMAC rewrite), which
	// reloads compare against.
	orig *confparse.Instance
	src  netip.Addr
	fam  vrrp.Family

	// waitScripts are the tracked scripts whose first result the start
	// waits for (keepalived's silent FAULT until then), at most waitMax.
	waitScripts map[string]bool
	waitMax     time.Duration
	started     bool

	// trackCh carries track_file values and vrrp_track_process states;
	// fileVal and procUp are the last ones.
	trackCh chan trackUpdate
	fileVal map[string]int
	procUp  map[string]bool

	// snapCh carries dump requests; heardPrio is the priority of the last
	// master heard (keepalived's master_priority); scriptSeen is a copy of
	// scriptOK for dumps, under scriptMu.
	// state is the machine's state as of the last transition, for the
	// sync group, which reads it from its own goroutine.
	state atomic.Int32

	snapCh     chan chan dumps.Instance
	heardPrio  int
	scriptMu   sync.Mutex
	scriptSeen map[string]bool
}

// run starts the machine and serves it until ctx ends, then runs the stop
// sequence (reference §5.6) and returns.
func (in *instance) run(ctx context.Context) {
	if in.scripts != nil {
		in.notify = newNotifier(in.scripts, in.log)
	}
	var held <-chan time.Time
	if len(in.waitScripts) == 0 {
		in.started = true
		in.exec(ctx, in.m.Step(in.now(), vrrp.Start{}))
	} else {
		t := time.NewTimer(in.waitMax)
		defer t.Stop()
		held = t.C
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if in.started {
			held = nil
		}
		in.armTimer(timer)
		select {
		case <-held:
			in.log.Warn("(" + in.cfg.Name + ") tracked scripts gave no result in time - starting without them")
			in.startAfterScripts(ctx)
		case <-ctx.Done():
			// The stop sequence runs with a fresh context: ctx is done.
			in.exec(context.Background(), in.m.Step(in.now(), vrrp.Stop{}))
			in.bg.Wait()
			if in.notify != nil {
				in.notify.close(stopNotifyGrace)
			}
			return
		case <-timer.C:
			t, at, ok := in.m.NextDeadline()
			if ok && t == vrrp.TimerMasterDown {
				in.waitUntil(at)
			}
			if ok && !in.now().Before(at) {
				in.exec(ctx, in.m.Step(in.now(), vrrp.TimerFired{Timer: t}))
			}
		case p := <-in.ep.Packets():
			in.receive(ctx, p)
		case ev := <-in.links:
			in.link(ctx, ev)
		case ev := <-in.addrs:
			in.vipDeleted(ctx, ev)
		case u := <-in.scriptCh:
			in.scriptResult(ctx, u)
		case c := <-in.syncCh:
			in.syncCommand(ctx, c)
		case u := <-in.reconf:
			in.reconfigure(ctx, u)
		case u := <-in.trackCh:
			in.trackResult(ctx, u)
		case ch := <-in.snapCh:
			ch <- in.snapshot()
		}
	}
}

// armTimer resets timer to the machine's earliest deadline.
func (in *instance) armTimer(timer *time.Timer) {
	if !timer.Stop() {
		select {
		case <-timer.C:
		default:
		}
	}
	d := time.Hour
	if t, at, ok := in.m.NextDeadline(); ok {
		d = max(at.Sub(in.now()), 0)
		if t == vrrp.TimerMasterDown {
			// Go's timers wake up to a millisecond late (the poller waits
			// in whole milliseconds); the takeover timer wakes early and
			// waitUntil finishes the wait precisely.
			d = max(d-timerSlack, 0)
		}
	}
	timer.Reset(d)
}

// timerSlack is how early the master-down timer wakes.
const timerSlack = 1200 * time.Microsecond

// waitUntil spins until at, which is at most timerSlack away: a takeover
// is rare, and the spin costs at most that much CPU per takeover.
func (in *instance) waitUntil(at time.Time) {
	for in.now().Before(at) {
		if at.Sub(in.now()) > timerSlack {
			return // woken far too early: let the timer be re-armed
		}
		runtime.Gosched()
	}
}

// receive validates an advert with keepalived's checks and hands it to the
// machine.
func (in *instance) receive(ctx context.Context, p socket.Packet) {
	in.expect.Master = netip.Addr{}
	if in.m.State() == vrrp.StateBackup {
		in.expect.Master = in.m.MasterAddr()
	}
	res, err := vrrp.Check(p.Received(), in.expect)
	if res.Counted {
		in.status.count(in.cfg.Name, func(s *Stats) { s.AdvertRcvd++ })
	}
	var ce *vrrp.CheckError
	if errors.As(err, &ce) {
		in.status.countError(in.cfg.Name, ce.Counter)
		if ce.Log != "" {
			in.log.Info(ce.Log)
		}
		return
	}
	if err != nil {
		in.log.Info("(" + in.cfg.Name + ") " + err.Error())
		return
	}
	if res.Log != "" {
		in.log.Info(res.Log)
		in.ep.SetLegacyChecksum(true)
		in.expect.Checksum = vrrp.ChecksumLegacy
	}
	if res.PriorityZero {
		in.status.count(in.cfg.Name, func(s *Stats) { s.PriZeroRcvd++ })
	}
	in.exec(ctx, in.m.Step(in.now(), vrrp.AdvertReceived{Src: res.Src, Advert: res.Advert}))
	if in.m.State() == vrrp.StateBackup && in.m.MasterPriority() > 0 {
		in.heardPrio = in.m.MasterPriority()
	}
}

// link records a link event on the instance's interface or a tracked one
// and feeds the resulting fault and effective priority to the machine
// (track_interface semantics, reference §4.1).
func (in *instance) link(ctx context.Context, ev vip.LinkEvent) {
	if in.linkUp == nil {
		in.linkUp = map[string]bool{}
	}
	if up, ok := in.linkUp[ev.Ifname]; ok && up == ev.Up {
		return
	}
	in.linkUp[ev.Ifname] = ev.Up
	in.retrack(ctx)
}

// retrack feeds the tracked objects' fault and effective priority to the
// machine.
func (in *instance) retrack(ctx context.Context) {
	fault, why := in.trackedFault()
	if in.group != nil && fault != in.ownFault {
		in.ownFault = fault
		in.group.post(groupMsg{from: in, fault: &fault})
	}
	if !fault && in.groupFault {
		fault, why = true, "sync group "+in.group.cfg.Name
	}
	in.exec(ctx, in.m.Step(in.now(), vrrp.FaultChanged{Fault: fault, Reason: why}))
	if prio := in.trackedPriority(); prio != in.m.EffectivePriority() && in.m.BasePriority() != vrrp.PriorityOwner {
		in.exec(ctx, in.m.Step(in.now(), vrrp.EffectivePriority{Priority: prio}))
	}
}

// up reports a link's last known state; links never reported are up.
func (in *instance) up(ifname string) bool {
	up, ok := in.linkUp[ifname]
	return !ok || up
}

// trackedFault reports whether the instance's own interface or its VMAC
// (unless dont_track_primary) or a tracked interface with weight 0 is down (up, for
// reverse).
func (in *instance) trackedFault() (bool, string) {
	if !in.cfg.DontTrackPrimary && !in.up(in.cfg.Interface) {
		return true, "interface " + in.cfg.Interface + " down"
	}
	if in.vmac != nil && !in.cfg.DontTrackPrimary && !in.up(in.vmac.Name) {
		// keepalived does not bring a VMAC set down by hand back up.
		return true, "interface " + in.vmac.Name + " down"
	}
	for _, t := range in.cfg.TrackInterfaces {
		if t.Weight == 0 && in.up(t.Name) == t.Reverse {
			return true, "tracked interface " + t.Name + " " + map[bool]string{true: "up", false: "down"}[t.Reverse]
		}
	}
	for _, t := range in.cfg.TrackScripts {
		if ok, known := in.scriptOK[t.Name]; known && t.Weight == 0 && ok == t.Reverse {
			return true, "script " + t.Name
		}
	}
	return in.trackFault()
}

// trackedPriority is the base priority adjusted by the weighted tracked
// interfaces, scripts, files and processes, clamped to 1..254 (reference
// §4.1).
func (in *instance) trackedPriority() int {
	p := in.m.BasePriority()
	for _, t := range in.cfg.TrackInterfaces {
		p += weightDelta(t, in.up(t.Name))
	}
	// vrrp_script weights (reference §4.1): W > 0 adds W while the script
	// succeeds, W < 0 subtracts |W| while it fails; reverse swaps them.
	for _, t := range in.cfg.TrackScripts {
		if ok, known := in.scriptOK[t.Name]; known {
			p += weightDelta(t, ok)
		}
	}
	return max(1, min(254, p+in.trackDelta()))
}

// weightDelta is a weighted tracked interface's or script's priority
// change (reference §4.1): W > 0 adds W while up (succeeding), W < 0 adds W
// while down (failing); reverse negates the change.
func weightDelta(t confparse.TrackRef, ok bool) int {
	d := 0
	switch {
	case t.Weight > 0 && ok:
		d = t.Weight
	case t.Weight < 0 && !ok:
		d = t.Weight
	}
	if t.Reverse {
		d = -d
	}
	return d
}

// syncCommand carries out the sync group's order and tells the group when
// it is done.
func (in *instance) syncCommand(ctx context.Context, c syncCmd) {
	defer close(c.done)
	if c.fault != nil && *c.fault != in.groupFault {
		in.groupFault = *c.fault
		in.retrack(ctx)
	}
	if c.state == vrrp.StateMaster || c.state == vrrp.StateBackup {
		in.exec(ctx, in.m.Step(in.now(), vrrp.SyncState{State: c.state}))
	}
}

// scriptResult records a tracked script's state and re-tracks.
func (in *instance) scriptResult(ctx context.Context, u scripts.Update) {
	if in.scriptOK == nil {
		in.scriptOK = map[string]bool{}
	}
	if ok, known := in.scriptOK[u.Name]; known && ok == u.OK {
		return
	}
	in.scriptOK[u.Name] = u.OK
	in.retrack(ctx)
	if !in.started {
		delete(in.waitScripts, u.Name)
		if len(in.waitScripts) == 0 {
			in.startAfterScripts(ctx)
		}
	}
}

// startAfterScripts starts an instance held for its scripts' first results.
func (in *instance) startAfterScripts(ctx context.Context) {
	if !in.started {
		in.started = true
		in.exec(ctx, in.m.Step(in.now(), vrrp.Start{AfterScripts: true}))
	}
}

// vipDeleted handles a tracked VIP deleted while MASTER, as keepalived
// 2.2.7 does: log the deletion, give up (priority 0) and re-elect at once.
// Deletions the instance made itself, or of addresses that are back, are
// ignored.
func (in *instance) vipDeleted(ctx context.Context, ev vip.AddrEvent) {
	if !in.vipsSet || in.m.State() != vrrp.StateMaster {
		return
	}
	if present, err := in.net.HasAddress(ev.Ifname, ev.Prefix); err == nil && present {
		return
	}
	in.log.Info(ev.String())
	in.exec(ctx, in.m.Step(in.now(), vrrp.VIPDeleted{}))
}

// exec carries out the machine's actions in order.
func (in *instance) exec(ctx context.Context, actions []vrrp.Action) {
	for _, a := range actions {
		switch a := a.(type) {
		case vrrp.SendAdvert:
			in.send(a.Priority)
		case vrrp.AddVIPs:
			in.log.Info("(" + in.cfg.Name + ") setting VIPs.")
			in.addVIPs()
			in.vipsSet = true
		case vrrp.RemoveVIPs:
			in.log.Info("(" + in.cfg.Name + ") removing VIPs.")
			in.vipsSet = false
			in.removeVIPs()
		case vrrp.GARPBurst:
			in.announce(ctx, a.Repeat)
		case vrrp.StateChange:
			in.stateChanged(a)
		case vrrp.WantMaster:
			if in.group != nil {
				want := a.Want
				in.group.post(groupMsg{from: in, want: &want})
			}
		case vrrp.NotifyRxLowerPri:
			in.rxLowerPri()
		case vrrp.Log:
			var attrs []any
			if sc, ok := stateChangeOf(actions); ok && strings.Contains(a.Text, "Entering ") {
				// Structured records (--log-format=json) say what changed.
				attrs = []any{"from", sc.From.String(), "to", sc.To.String(), "reason", sc.Reason}
			}
			if a.Detail {
				in.log.Debug(a.Text, attrs...)
			} else {
				in.log.Info(a.Text, attrs...)
			}
		case vrrp.SetTimer, vrrp.StopTimer:
			// Timers are read back with NextDeadline.
		}
	}
	in.status.update(in.cfg.Name, in.m)
}

// stateChangeOf finds the transition among a step's actions.
func stateChangeOf(actions []vrrp.Action) (vrrp.StateChange, bool) {
	for _, a := range actions {
		if sc, ok := a.(vrrp.StateChange); ok {
			return sc, true
		}
	}
	return vrrp.StateChange{}, false
}

// stateChanged runs a transition's notifies in keepalived's order
// (reference §5.1): notify_<state>, notify, the FIFO line; then tells the
// sync group.
func (in *instance) stateChanged(sc vrrp.StateChange) {
	in.status.transition(in.cfg.Name, sc, in.now())
	in.state.Store(int32(sc.To))
	if in.quiet {
		return
	}
	state := sc.To.String()
	if in.deleted && sc.To == vrrp.StateStop {
		state = in.deletedState()
	}
	if in.notify != nil {
		in.notify.enqueue(in.notifyCommands(sc.To, state))
	}
	if in.events != nil {
		in.events.Event("INSTANCE", in.cfg.Name, state, in.m.EffectivePriority())
	}
	if in.group != nil {
		in.group.post(groupMsg{from: in, change: &sc})
	}
}

// rxLowerPri runs notify_master_rx_lower_pri and writes its FIFO line: the
// master heard a lower-priority advert.
func (in *instance) rxLowerPri() {
	c := in.cfg.NotifyMasterRxLowerPri
	if in.notify != nil {
		if sc, ok := scriptCommand(c, scripts.NotifyArgs(c, "", in.cfg.Name, "", 0), in.global, in.log); ok {
			in.notify.enqueue([]scripts.Command{sc})
		}
	}
	if in.events != nil {
		in.events.Event("INSTANCE", in.cfg.Name, "MASTER_RX_LOWER_PRI", in.m.EffectivePriority())
	}
}

func (in *instance) send(prio int) {
	adv := vrrp.Advert{
		Version: uint8(in.cfg.Version), Type: vrrp.TypeAdvertisement, VRID: uint8(in.cfg.VRID),
		Priority: uint8(prio), Addrs: vipAddrs(in.cfg.VIPs),
	}
	if in.cfg.Version == 2 {
		adv.AdvertInt = uint8(in.cfg.AdvertInt / time.Second)
		adv.AuthType = vrrp.AuthType(in.cfg.AuthType)
		copy(adv.AuthData[:], in.cfg.AuthPass)
	} else {
		adv.MaxAdvertInt = uint16(in.cfg.AdvertInt / (10 * time.Millisecond))
	}
	if err := in.ep.Send(adv); err != nil {
		in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		return
	}
	in.status.count(in.cfg.Name, func(s *Stats) {
		s.AdvertSent++
		if prio == 0 {
			s.PriZeroSent++
		}
	})
}

func vipAddrs(as []*confparse.Address) []netip.Addr {
	out := make([]netip.Addr, len(as))
	for i, a := range as {
		out[i] = a.Prefix.Addr()
	}
	return out
}

func (in *instance) addVIPs() {
	for _, a := range append(append([]*confparse.Address{}, in.cfg.VIPs...), in.cfg.EVIPs...) {
		if err := in.net.AddAddress(a); err != nil {
			in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		}
	}
	for _, r := range in.cfg.Routes {
		if err := in.net.AddRoute(r); err != nil {
			in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		}
	}
	for _, r := range in.cfg.Rules {
		if err := in.net.AddRule(r); err != nil {
			in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		}
	}
}

func (in *instance) removeVIPs() {
	for _, r := range in.cfg.Rules {
		if err := in.net.DelRule(r); err != nil {
			in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		}
	}
	for _, r := range in.cfg.Routes {
		if err := in.net.DelRoute(r); err != nil {
			in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		}
	}
	for _, a := range append(append([]*confparse.Address{}, in.cfg.VIPs...), in.cfg.EVIPs...) {
		if err := in.net.DelAddress(a); err != nil {
			in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		}
	}
}

// announce sends a GARP / unsolicited NA burst for every VIP and eVIP, per
// interface and family. Bursts spaced by an interval run in the
// background so the instance keeps its timing.
func (in *instance) announce(ctx context.Context, repeat int) {
	in.announceAddrs(ctx, append(append([]*confparse.Address{}, in.cfg.VIPs...), in.cfg.EVIPs...), repeat)
}

// announceAddrs sends a GARP / unsolicited NA burst for addrs.
func (in *instance) announceAddrs(ctx context.Context, list []*confparse.Address, repeat int) {
	if repeat <= 0 {
		return
	}
	type key struct {
		dev string
		v6  bool
	}
	groups := map[key][]netip.Addr{}
	var order []key
	for _, a := range list {
		k := key{a.Dev, a.Prefix.Addr().Is6()}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], a.Prefix.Addr())
	}
	for _, k := range order {
		addrs, gap := groups[k], in.garp
		what := "gratuitous ARPs"
		if k.v6 {
			gap, what = in.gna, "Unsolicited Neighbour Adverts"
		}
		for _, a := range addrs {
			in.log.Debug("(" + in.cfg.Name + ") Sending/queueing " + what + " on " + k.dev + " for " + a.String())
		}
		send := func() {
			if err := in.net.Announce(ctx, k.dev, addrs, repeat, gap); err != nil && ctx.Err() == nil {
				in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
			}
		}
		if gap == 0 {
			send()
			continue
		}
		in.bg.Add(1)
		go func() {
			defer in.bg.Done()
			send()
		}()
	}
}
