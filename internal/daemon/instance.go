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
	"github.com/gokeepalived/gokeepalived/internal/track"
	"github.com/gokeepalived/gokeepalived/internal/vip"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// Endpoint is what an instance needs of its socket: the adverts for its
// VRID, and sending its own. *socket.Endpoint implements it. An endpoint
// that also has a Refresh() *socket.Refresher method offers the receive
// fast path (see socket.Refresher).
type Endpoint interface {
	Packets() <-chan socket.Packet
	Send(adv vrrp.Advert) error
	SetLegacyChecksum(on bool)
	Close() error
}

// refresher is the optional receive fast path of an Endpoint.
type refresher interface{ Refresh() *socket.Refresher }

// drainer is an Endpoint that can read its socket's queue at once (see
// socket.Endpoint.Drain).
type drainer interface{ Drain() }

// repeater is the optional send fast path of an Endpoint (see
// socket.Endpoint.Repeat).
type repeater interface {
	Repeat(adv vrrp.Advert, next time.Time, interval time.Duration)
	StopRepeat()
	Repeated() (last time.Time, n uint64, ok bool)
}

// instance runs one vrrp_instance. Its run method is the only goroutine
// that touches it.
type instance struct {
	cfg    *confparse.Instance
	m      *vrrp.Machine
	ep     Endpoint
	net    vip.Interfaces
	log    *slog.Logger
	vmac   *vip.VMAC // nil without use_vmac
	expect vrrp.Expect
	garp   time.Duration // gap between GARPs (vrrp_garp_interval)
	gna    time.Duration // gap between NAs (vrrp_gna_interval)
	// ctl carries everything but adverts and timers to the goroutine:
	// vip.LinkEvent, vip.AddrEvent, scripts.Update, trackUpdate,
	// syncCmd, instUpdate and dump requests (chan dumps.Instance).
	ctl     chan any
	notify  *notifier        // nil when no script runner is configured
	scripts scripts.Executor // runs notify scripts; nil runs none
	global  *confparse.Global
	// vipsSet is true between AddVIPs and RemoveVIPs.
	vipsSet bool
	linkUp  map[string]bool // last known state of the own and tracked interfaces
	// scriptOK is the last state of each tracked vrrp_script; absent until
	// its first result.
	scriptOK map[string]bool
	status   *Status
	stats    *counters      // this instance's counters in status
	bg       sync.WaitGroup // announcements sent in the background
	now      func() time.Time

	// group is the instance's sync group, nil if none. ownFault is the
	// tracking fault last reported to the group, groupFault the group's
	// fault as last ordered.
	group      *syncGroup
	ownFault   bool
	groupFault bool
	// events receives the notify FIFO lines; nil writes none.
	events EventSink

	// stop and done end and await the goroutine; deleted marks an
	// instance removed by a reload.
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

	// fileVal and procUp are the last track_file values and
	// vrrp_track_process states.
	fileVal map[string]int
	procUp  map[string]bool

	// heardPrio is the priority of the last master heard (keepalived's
	// master_priority); scriptSeen is a copy of scriptOK for dumps, under
	// scriptMu. state is the machine's state as of the last transition,
	// for the sync group, which reads it from its own goroutine.
	state atomic.Int32

	heardPrio  int
	scriptMu   sync.Mutex
	scriptSeen map[string]bool

	// refresh is the endpoint's receive fast path, nil without one;
	// refreshRx is the advert it stands for while active. lastStep is
	// the time of the machine's latest step. advert is the instance's
	// advert with its priority left to set, built once per
	// configuration.
	refresh   *socket.Refresher
	refreshRx vrrp.AdvertReceived
	lastStep  time.Time
	advert    vrrp.Advert
	// rep is the endpoint's send fast path, nil without one; repeating
	// is true while it sends the master's periodic adverts.
	rep       repeater
	repeating bool
}

// run starts the machine and serves it until ctx ends, then runs the stop
// sequence (reference §5.6) and returns.
func (in *instance) run(ctx context.Context) {
	if in.scripts != nil {
		in.notify = newNotifier(in.scripts, in.log)
	}
	var held <-chan time.Time
	if r, ok := in.ep.(refresher); ok {
		in.refresh = r.Refresh()
	}
	if r, ok := in.ep.(repeater); ok {
		in.rep = r
	}
	in.advert = in.buildAdvert()
	if len(in.waitScripts) == 0 {
		in.started = true
		in.step(ctx, vrrp.Start{})
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
			in.step(context.Background(), vrrp.Stop{})
			in.bg.Wait()
			if in.notify != nil {
				in.notify.close(stopNotifyGrace)
			}
			return
		case <-timer.C:
			in.timerFired(ctx)
		case p := <-in.ep.Packets():
			in.receive(ctx, p)
		case c := <-in.ctl:
			in.control(ctx, c)
		}
	}
}

// timerFired serves the machine's earliest deadline once it is due. The
// master-down deadline first takes in the adverts the fast path noted,
// which usually push it further.
func (in *instance) timerFired(ctx context.Context) {
	in.catchUp(ctx)
	t, at, ok := in.nextDeadline()
	if ok && t == vrrp.TimerMasterDown && !in.now().Before(at.Add(-timerSlack)) {
		in.waitUntil(at)
		// Adverts already queued came first: a busy host must not take
		// over from a master whose advert it simply has not read yet,
		// in the socket's buffer or on the channel.
		if d, ok := in.ep.(drainer); ok {
			d.Drain()
		}
		in.drainPackets(ctx)
		in.catchUp(ctx)
		t, at, ok = in.nextDeadline()
	}
	if ok && !in.now().Before(at) {
		in.step(ctx, vrrp.TimerFired{Timer: t})
	}
}

// drainPackets handles the adverts waiting on the endpoint's channel.
func (in *instance) drainPackets(ctx context.Context) {
	for {
		select {
		case p, ok := <-in.ep.Packets():
			if !ok {
				return
			}
			in.receive(ctx, p)
		default:
			return
		}
	}
}

// control serves one message from ctl.
func (in *instance) control(ctx context.Context, c any) {
	switch c := c.(type) {
	case vip.LinkEvent:
		in.link(ctx, c)
	case vip.AddrEvent:
		in.vipDeleted(ctx, c)
	case scripts.Update:
		in.scriptResult(ctx, c)
	case syncCmd:
		in.syncCommand(ctx, c)
	case instUpdate:
		in.reconfigure(ctx, c)
	case trackUpdate:
		in.trackResult(ctx, c)
	case chan dumps.Instance:
		in.pauseSends(ctx)
		in.catchUp(ctx)
		c <- in.snapshot()
		in.delegateSends()
	}
}

// nextDeadline is the machine's earliest deadline but the advert timer's
// while the endpoint sends the adverts.
func (in *instance) nextDeadline() (vrrp.Timer, time.Time, bool) {
	t, at, ok := in.m.NextDeadline()
	if !ok || !in.repeating || t != vrrp.TimerAdvert {
		return t, at, ok
	}
	ok = false
	for _, o := range []vrrp.Timer{vrrp.TimerMasterDown, vrrp.TimerGARP} {
		if d, armed := in.m.Deadline(o); armed && (!ok || d.Before(at)) {
			t, at, ok = o, d, true
		}
	}
	return t, at, ok
}

// pauseSends takes the periodic adverts back from the endpoint, so that
// the machine's next step sends what it decides, and tells the machine
// those the endpoint sent.
func (in *instance) pauseSends(ctx context.Context) {
	if !in.repeating {
		return
	}
	in.rep.StopRepeat()
	in.repeating = false
	last, n, ok := in.rep.Repeated()
	in.stats.advertSent.Add(n)
	if !ok {
		return
	}
	at := last
	if at.Before(in.lastStep) {
		at = in.lastStep
	}
	in.lastStep = at
	in.exec(ctx, in.m.Step(at, vrrp.AdvertsSent{Last: last}))
}

// delegateSends hands a master's periodic adverts to the endpoint, from
// the machine's advert deadline on.
func (in *instance) delegateSends() {
	if in.rep == nil || in.repeating {
		return
	}
	prio, ok := in.m.PeriodicAdvert()
	if !ok {
		return
	}
	at, _ := in.m.Deadline(vrrp.TimerAdvert)
	adv := in.advert
	adv.Priority = uint8(prio)
	in.rep.Repeat(adv, at, in.cfg.AdvertInt)
	in.repeating = true
}

// step feeds ev to the machine at the current time, after the adverts the
// fast path noted, and carries out the actions.
func (in *instance) step(ctx context.Context, ev vrrp.Event) {
	if ev != (vrrp.TimerFired{Timer: vrrp.TimerGARP}) {
		// A delayed GARP burst is the one event that leaves the adverts
		// alone: thousands of them fall due at once, 5 s after a mass
		// takeover, and must not hold the endpoint's sends back.
		in.pauseSends(ctx)
	}
	in.catchUp(ctx)
	now := in.now()
	if now.Before(in.lastStep) {
		now = in.lastStep
	}
	in.lastStep = now
	in.exec(ctx, in.m.Step(now, ev))
	in.checkRefresh()
	in.delegateSends()
}

// catchUp hands the machine the latest advert the fast path noted, at the
// time it arrived, and counts every noted one as received.
func (in *instance) catchUp(ctx context.Context) {
	if in.refresh == nil {
		return
	}
	last, n, ok := in.refresh.Take()
	in.stats.advertRcvd.Add(n)
	if !ok {
		return
	}
	if last.Before(in.lastStep) {
		last = in.lastStep
	}
	in.lastStep = last
	in.exec(ctx, in.m.Step(last, in.refreshRx))
	in.checkRefresh()
}

// checkRefresh stops the fast path once its advert would do more than
// refresh the master-down timer.
func (in *instance) checkRefresh() {
	if in.refresh != nil && in.refresh.Active() && !in.m.Refreshes(in.refreshRx.Src, in.refreshRx.Advert) {
		in.refresh.Clear()
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
	if t, at, ok := in.nextDeadline(); ok {
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
//
// A clock that stands still while we spin is not the wall clock (a test's
// virtual time, which moves only when every goroutine waits): then it
// sleeps instead.
func (in *instance) waitUntil(at time.Time) {
	last, still := in.now(), 0
	for now := last; now.Before(at); now = in.now() {
		if at.Sub(now) > timerSlack {
			return // woken far too early: let the timer be re-armed
		}
		if now.Equal(last) {
			if still++; still > 100 {
				time.Sleep(at.Sub(now))
				continue
			}
		} else {
			last, still = now, 0
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
		in.stats.advertRcvd.Add(1)
	}
	var ce *vrrp.CheckError
	if errors.As(err, &ce) {
		in.stats.countError(ce.Counter)
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
		in.stats.priZeroRcvd.Add(1)
	}
	rx := vrrp.AdvertReceived{Src: res.Src, Advert: res.Advert}
	in.step(ctx, rx)
	if in.m.State() == vrrp.StateBackup && in.m.MasterPriority() > 0 {
		in.heardPrio = in.m.MasterPriority()
	}
	if in.refresh != nil && res.Log == "" && in.m.Refreshes(rx.Src, rx.Advert) {
		// From now on the reader only notes this advert's arrivals.
		in.refreshRx = rx
		in.refresh.Expect(p, in.lastStep)
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
	in.step(ctx, vrrp.FaultChanged{Fault: fault, Reason: why})
	if prio := in.trackedPriority(); prio != in.m.EffectivePriority() && in.m.BasePriority() != vrrp.PriorityOwner {
		in.step(ctx, vrrp.EffectivePriority{Priority: prio})
	}
}

// up reports a link's last known state; links never reported are up.
func (in *instance) up(ifname string) bool {
	up, ok := in.linkUp[ifname]
	return !ok || up
}

// trackedFault reports whether the instance's own interface or its VMAC
// (unless dont_track_primary) is down, or a tracked interface, script, file
// or process puts it in FAULT (track.UpDownEffect, track.FileEffect).
func (in *instance) trackedFault() (bool, string) {
	if !in.cfg.DontTrackPrimary && !in.up(in.cfg.Interface) {
		return true, "interface " + in.cfg.Interface + " down"
	}
	if in.vmac != nil && !in.cfg.DontTrackPrimary && !in.up(in.vmac.Name) {
		// keepalived does not bring a VMAC set down by hand back up.
		return true, "interface " + in.vmac.Name + " down"
	}
	for _, t := range in.cfg.TrackInterfaces {
		if fault, _ := track.UpDownEffect(t, in.up(t.Name)); fault {
			return true, "tracked interface " + t.Name + " " + map[bool]string{true: "up", false: "down"}[t.Reverse]
		}
	}
	for _, t := range in.cfg.TrackScripts {
		if ok, known := in.scriptOK[t.Name]; known {
			if fault, _ := track.UpDownEffect(t, ok); fault {
				return true, "script " + t.Name
			}
		}
	}
	return in.trackFault()
}

// trackedPriority is the base priority adjusted by the weighted tracked
// interfaces, scripts, files and processes (track.Priority).
func (in *instance) trackedPriority() int {
	d := 0
	for _, t := range in.cfg.TrackInterfaces {
		_, delta := track.UpDownEffect(t, in.up(t.Name))
		d += delta
	}
	for _, t := range in.cfg.TrackScripts {
		if ok, known := in.scriptOK[t.Name]; known {
			_, delta := track.UpDownEffect(t, ok)
			d += delta
		}
	}
	return track.Priority(in.m.BasePriority(), d+in.trackDelta())
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
		in.step(ctx, vrrp.SyncState{State: c.state})
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
		in.step(ctx, vrrp.Start{AfterScripts: true})
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
	in.step(ctx, vrrp.VIPDeleted{})
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
	in.stats.publish(in.m)
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
	in.stats.transition(sc, in.now())
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

// buildAdvert returns the instance's advert for its configuration, with
// priority 0.
func (in *instance) buildAdvert() vrrp.Advert {
	adv := vrrp.Advert{
		Version: uint8(in.cfg.Version), Type: vrrp.TypeAdvertisement, VRID: uint8(in.cfg.VRID),
		Addrs: vipAddrs(in.cfg.VIPs),
	}
	if in.cfg.Version == 2 {
		adv.AdvertInt = uint8(in.cfg.AdvertInt / time.Second)
		adv.AuthType = vrrp.AuthType(in.cfg.AuthType)
		copy(adv.AuthData[:], in.cfg.AuthPass)
	} else {
		adv.MaxAdvertInt = uint16(in.cfg.AdvertInt / (10 * time.Millisecond))
	}
	return adv
}

func (in *instance) send(prio int) {
	adv := in.advert
	adv.Priority = uint8(prio)
	if err := in.ep.Send(adv); err != nil {
		in.log.Warn("(" + in.cfg.Name + ") " + err.Error())
		return
	}
	in.stats.advertSent.Add(1)
	if prio == 0 {
		in.stats.priZeroSent.Add(1)
	}
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
		if in.log.Enabled(ctx, slog.LevelDebug) {
			for _, a := range addrs {
				in.log.Debug("(" + in.cfg.Name + ") Sending/queueing " + what + " on " + k.dev + " for " + a.String())
			}
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
