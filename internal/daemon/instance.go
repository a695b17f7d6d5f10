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

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
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
// that touches it, but for what says otherwise. What it holds is in three
// parts, each owned by one side of its loop: the machine and its steps
// (core), the socket, the addresses and the notifies (wire), and the last
// known states of what it tracks (tracks). The instance itself holds what
// all three read and what the runner uses to start and stop it.
type instance struct {
	// cfg is the running configuration (after the VMAC rewrite); orig is
	// the one given, which reloads compare against.
	cfg    *config.Instance
	orig   *config.Instance
	global *config.Global
	log    *slog.Logger
	clock  clock.Clock
	status *Status
	stats  *counters // this instance's counters in status
	// ctl carries everything but adverts and timers to the goroutine:
	// vip.LinkEvent, vip.AddrEvent, scripts.Update, trackUpdate,
	// syncCmd, instUpdate and dump requests (chan dumps.Instance).
	ctl chan any
	// group is the instance's sync group, nil if none.
	group *syncGroup

	// stop and done end and await the goroutine; deleted marks an
	// instance removed by a reload; quiet one stopped to be replaced (no
	// notifies).
	stop    context.CancelFunc
	done    chan struct{}
	deleted bool
	quiet   bool
	// demoteAtStart: the instance starts demoted (a demotion stored or
	// made before a reload restarted it).
	demoteAtStart bool

	core   core
	wire   wire
	tracks tracking
}

// core is the state machine and what its steps need.
type core struct {
	m *vrrp.Machine
	// lastStep is the time of the machine's latest step: steps never go
	// back in time.
	lastStep time.Time
	// started is false while the start waits for tracked scripts' first
	// results.
	started bool
	// heardPrio is the priority of the last master heard (keepalived's
	// master_priority).
	heardPrio int
	// heardAt is when the master's latest advert arrived.
	heardAt time.Time
	// state is the machine's state as of the last transition, for the
	// sync group, which reads it from its own goroutine.
	state atomic.Int32
}

// wire is the instance's I/O: its endpoint with the two fast paths, the
// addresses it sets and announces, and where its notifies go.
type wire struct {
	name   string // the instance's, for its log lines
	log    *slog.Logger
	ep     Endpoint
	expect vrrp.Expect // what vrrp.Check holds received adverts to
	src    netip.Addr
	fam    vrrp.Family
	// advert is the instance's advert with its priority left to set,
	// built once per configuration.
	advert vrrp.Advert
	// refresh is the endpoint's receive fast path, nil without one;
	// refreshRx is the advert it stands for while active.
	refresh   *socket.Refresher
	refreshRx vrrp.AdvertReceived
	// rep is the endpoint's send fast path, nil without one; repeating
	// is true while it sends the master's periodic adverts.
	rep       repeater
	repeating bool
	// fastCounted is true when the fast paths count the adverts they
	// send and note into the instance's counters themselves.
	fastCounted bool

	net  Net
	vmac *vip.VMAC     // nil without use_vmac
	garp time.Duration // gap between GARPs (vrrp_garp_interval)
	gna  time.Duration // gap between NAs (vrrp_gna_interval)
	// vipsSet is true between AddVIPs and RemoveVIPs.
	vipsSet bool
	bg      sync.WaitGroup // announcements sent in the background

	scripts scripts.Executor // runs notify scripts; nil runs none
	notify  *notifier        // nil when no script runner is configured
	events  EventSink        // receives the notify FIFO lines; nil writes none
	mail    Mailer           // sends the smtp_alert emails; nil sends none
}

// run starts the machine and serves it until ctx ends, then runs the stop
// sequence (reference §5.6) and returns.
func (in *instance) run(ctx context.Context) {
	if in.wire.scripts != nil {
		in.wire.notify = newNotifier(in.wire.scripts, in.log, in.clock)
	}
	var held <-chan time.Time
	if r, ok := in.wire.ep.(refresher); ok {
		in.wire.refresh = r.Refresh()
	}
	if r, ok := in.wire.ep.(repeater); ok {
		in.wire.rep = r
	}
	in.wire.fastCounted = in.countFastPaths()
	in.wire.advert = buildAdvert(in.cfg)
	in.applyDemotion(ctx, in.demoteAtStart)
	if len(in.tracks.waitScripts) == 0 {
		in.core.started = true
		in.step(ctx, vrrp.Start{})
	} else {
		t := in.clock.NewTimer(in.tracks.waitMax)
		defer t.Stop()
		held = t.C()
	}
	timer := in.clock.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if in.core.started {
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
			in.wire.bg.Wait()
			if in.wire.notify != nil {
				in.wire.notify.close(stopNotifyGrace)
			}
			return
		case <-timer.C():
			in.timerFired(ctx)
		case p := <-in.wire.ep.Packets():
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
	if ok && t == vrrp.TimerMasterDown && !in.clock.Now().Before(at.Add(-timerSlack)) {
		in.waitUntil(at)
		// Adverts already queued came first: a busy host must not take
		// over from a master whose advert it simply has not read yet,
		// in the socket's buffer or on the channel.
		if d, ok := in.wire.ep.(drainer); ok {
			d.Drain()
		}
		in.drainPackets(ctx)
		in.catchUp(ctx)
		t, at, ok = in.nextDeadline()
	}
	if ok && !in.clock.Now().Before(at) {
		if t == vrrp.TimerMasterDown {
			in.status.masterDownLate(in.clock.Now().Sub(at))
		}
		in.step(ctx, vrrp.TimerFired{Timer: t})
	}
}

// drainPackets handles the adverts waiting on the endpoint's channel.
func (in *instance) drainPackets(ctx context.Context) {
	for {
		select {
		case p, ok := <-in.wire.ep.Packets():
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
	case reportReq:
		in.catchUp(ctx)
		c <- in.report()
	case demoteCmd:
		in.step(ctx, vrrp.Demote{On: c.on})
	case ping:
		close(c)
	}
}

// nextDeadline is the machine's earliest deadline but the advert timer's
// while the endpoint sends the adverts.
func (in *instance) nextDeadline() (vrrp.Timer, time.Time, bool) {
	t, at, ok := in.core.m.NextDeadline()
	if !ok || !in.wire.repeating || t != vrrp.TimerAdvert {
		return t, at, ok
	}
	ok = false
	for _, o := range []vrrp.Timer{vrrp.TimerMasterDown, vrrp.TimerGARP} {
		if d, armed := in.core.m.Deadline(o); armed && (!ok || d.Before(at)) {
			t, at, ok = o, d, true
		}
	}
	return t, at, ok
}

// pauseSends takes the periodic adverts back from the endpoint, so that
// the machine's next step sends what it decides, and tells the machine
// those the endpoint sent.
func (in *instance) pauseSends(ctx context.Context) {
	if !in.wire.repeating {
		return
	}
	in.wire.rep.StopRepeat()
	in.wire.repeating = false
	last, n, ok := in.wire.rep.Repeated()
	if !in.wire.fastCounted {
		in.stats.advertSent.Add(n)
	}
	if !ok {
		return
	}
	at := last
	if at.Before(in.core.lastStep) {
		at = in.core.lastStep
	}
	in.core.lastStep = at
	in.exec(ctx, in.core.m.Step(at, vrrp.AdvertsSent{Last: last}))
}

// delegateSends hands a master's periodic adverts to the endpoint, from
// the machine's advert deadline on.
func (in *instance) delegateSends() {
	if in.wire.rep == nil || in.wire.repeating {
		return
	}
	prio, ok := in.core.m.PeriodicAdvert()
	if !ok {
		return
	}
	at, _ := in.core.m.Deadline(vrrp.TimerAdvert)
	adv := in.wire.advert
	adv.Priority = uint8(prio)
	in.wire.rep.Repeat(adv, at, in.cfg.AdvertInt)
	in.wire.repeating = true
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
	now := in.clock.Now()
	if now.Before(in.core.lastStep) {
		now = in.core.lastStep
	}
	in.core.lastStep = now
	in.exec(ctx, in.core.m.Step(now, ev))
	in.checkRefresh()
	in.delegateSends()
}

// catchUp hands the machine the latest advert the fast path noted, at the
// time it arrived, and counts every noted one as received.
func (in *instance) catchUp(ctx context.Context) {
	if in.wire.refresh == nil {
		return
	}
	last, n, ok := in.wire.refresh.Take()
	if !in.wire.fastCounted {
		in.stats.advertRcvd.Add(n)
	}
	if !ok {
		return
	}
	if last.Before(in.core.lastStep) {
		last = in.core.lastStep
	}
	in.core.lastStep = last
	in.core.heardAt = last
	in.exec(ctx, in.core.m.Step(last, in.wire.refreshRx))
	in.checkRefresh()
}

// checkRefresh stops the fast path once its advert would do more than
// refresh the master-down timer.
func (in *instance) checkRefresh() {
	if in.wire.refresh != nil && in.wire.refresh.Active() && !in.core.m.Refreshes(in.wire.refreshRx.Src, in.wire.refreshRx.Advert) {
		in.wire.refresh.Clear()
	}
}

// armTimer resets timer to the machine's earliest deadline.
func (in *instance) armTimer(timer clock.Timer) {
	if !timer.Stop() {
		select {
		case <-timer.C():
		default:
		}
	}
	d := time.Hour
	if t, at, ok := in.nextDeadline(); ok {
		d = max(at.Sub(in.clock.Now()), 0)
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
	last, still := in.clock.Now(), 0
	for now := last; now.Before(at); now = in.clock.Now() {
		if at.Sub(now) > timerSlack {
			return // woken far too early: let the timer be re-armed
		}
		if now.Equal(last) {
			if still++; still > 100 {
				clock.Sleep(in.clock, at.Sub(now))
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
	in.wire.expect.Master = netip.Addr{}
	if in.core.m.State() == vrrp.StateBackup {
		in.wire.expect.Master = in.core.m.MasterAddr()
	}
	res, err := vrrp.Check(p.Received(), in.wire.expect)
	if res.Counted {
		in.stats.advertRcvd.Add(1)
	}
	var ce *vrrp.CheckError
	if errors.As(err, &ce) {
		in.stats.countError(ce.Counter)
		in.stats.obs.dropped(int(ce.Check))
		if ce.Log != "" {
			in.log.Info(ce.Log)
		}
		return
	}
	if err != nil {
		in.stats.obs.dropped(dropInvalid)
		in.log.Info("(" + in.cfg.Name + ") " + err.Error())
		return
	}
	if res.Log != "" {
		in.log.Info(res.Log)
		in.wire.ep.SetLegacyChecksum(true)
		in.wire.expect.Checksum = vrrp.ChecksumLegacy
	}
	if res.PriorityZero {
		in.stats.priZeroRcvd.Add(1)
	} else if in.core.m.State() == vrrp.StateMaster {
		in.stats.obs.otherMaster(res.Src, in.clock.Now()) // two masters at once
	}
	rx := vrrp.AdvertReceived{Src: res.Src, Advert: res.Advert}
	in.step(ctx, rx)
	if in.core.m.State() == vrrp.StateBackup && in.core.m.MasterPriority() > 0 {
		in.core.heardPrio = in.core.m.MasterPriority()
		in.core.heardAt = in.core.lastStep
	}
	if in.wire.refresh != nil && res.Log == "" && in.core.m.Refreshes(rx.Src, rx.Advert) {
		// From now on the reader only notes this advert's arrivals.
		in.wire.refreshRx = rx
		in.wire.refresh.Expect(p, in.core.lastStep)
	}
}

// link records a link event on the instance's interface or a tracked one
// and feeds the resulting fault and effective priority to the machine
// (track_interface semantics, reference §4.1).
func (in *instance) link(ctx context.Context, ev vip.LinkEvent) {
	if in.tracks.setLink(ev.Ifname, ev.Up) {
		in.retrack(ctx)
	}
}

// retrack feeds the tracked objects' fault and effective priority to the
// machine, and a change of fault to the sync group.
func (in *instance) retrack(ctx context.Context) {
	vmac := ""
	if in.wire.vmac != nil {
		vmac = in.wire.vmac.Name
	}
	fault, why := in.tracks.fault(in.cfg, vmac)
	if in.group != nil && fault != in.tracks.ownFault {
		in.tracks.ownFault = fault
		in.group.post(groupMsg{from: in, fault: &fault})
	}
	if !fault && in.tracks.groupFault {
		fault, why = true, "sync group "+in.group.cfg.Name
	}
	in.step(ctx, vrrp.FaultChanged{Fault: fault, Reason: why})
	m := in.core.m
	if prio := track.Priority(m.BasePriority(), in.tracks.delta(in.cfg)); prio != m.EffectivePriority() && m.BasePriority() != vrrp.PriorityOwner {
		in.step(ctx, vrrp.EffectivePriority{Priority: prio})
	}
}

// syncCommand carries out the sync group's order and tells the group when
// it is done.
func (in *instance) syncCommand(ctx context.Context, c syncCmd) {
	defer close(c.done)
	if c.fault != nil && *c.fault != in.tracks.groupFault {
		in.tracks.groupFault = *c.fault
		in.retrack(ctx)
	}
	if c.state == vrrp.StateMaster || c.state == vrrp.StateBackup {
		in.step(ctx, vrrp.SyncState{State: c.state})
	}
}

// scriptResult records a tracked script's state and re-tracks.
func (in *instance) scriptResult(ctx context.Context, u scripts.Update) {
	if !in.tracks.setScript(u.Name, u.OK) {
		return
	}
	in.retrack(ctx)
	in.arrived(ctx, u.Name)
}

// arrived starts an instance held for its tracked objects once the last
// one's first result is in.
func (in *instance) arrived(ctx context.Context, name string) {
	if !in.core.started && in.tracks.arrived(name) {
		in.startAfterScripts(ctx)
	}
}

// startAfterScripts starts an instance held for its scripts' first results.
func (in *instance) startAfterScripts(ctx context.Context) {
	if !in.core.started {
		in.core.started = true
		in.step(ctx, vrrp.Start{AfterScripts: true})
	}
}

// vipDeleted handles a tracked VIP deleted while MASTER, as keepalived
// 2.2.7 does: log the deletion, give up (priority 0) and re-elect at once.
// Deletions the instance made itself, or of addresses that are back, are
// ignored.
func (in *instance) vipDeleted(ctx context.Context, ev vip.AddrEvent) {
	if !in.wire.vipsSet || in.core.m.State() != vrrp.StateMaster {
		return
	}
	if present, err := in.wire.net.HasAddress(ev.Ifname, ev.Prefix); err == nil && present {
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
			in.wire.setAddrs(in.cfg)
			in.wire.vipsSet = true
		case vrrp.RemoveVIPs:
			in.log.Info("(" + in.cfg.Name + ") removing VIPs.")
			in.wire.vipsSet = false
			in.wire.clearAddrs(in.cfg)
		case vrrp.GARPBurst:
			in.wire.announce(ctx, allAddrs(in.cfg), a.Repeat)
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
	in.stats.publish(in.core.m)
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
	in.stats.transition(sc, in.clock.Now())
	in.core.state.Store(int32(sc.To))
	if in.quiet {
		return
	}
	state := sc.To.String()
	if in.deleted && sc.To == vrrp.StateStop {
		state = in.deletedState()
	}
	if in.wire.notify != nil {
		in.wire.notify.enqueue(in.notifyCommands(sc.To, state))
	}
	if in.wire.events != nil {
		in.wire.events.Event("INSTANCE", in.cfg.Name, state, in.core.m.EffectivePriority())
	}
	in.mailAlert(state)
	if in.group != nil {
		in.group.post(groupMsg{from: in, change: &sc})
	}
}

// rxLowerPri runs notify_master_rx_lower_pri and writes its FIFO line: the
// master heard a lower-priority advert.
func (in *instance) rxLowerPri() {
	c := in.cfg.NotifyMasterRxLowerPri
	if in.wire.notify != nil {
		if sc, ok := scriptCommand(c, scripts.NotifyArgs(c, "", in.cfg.Name, "", 0), in.global, in.log); ok {
			in.wire.notify.enqueue([]scripts.Command{sc})
		}
	}
	if in.wire.events != nil {
		in.wire.events.Event("INSTANCE", in.cfg.Name, "MASTER_RX_LOWER_PRI", in.core.m.EffectivePriority())
	}
}

// send sends the instance's advert at priority prio and counts it.
func (in *instance) send(prio int) {
	if err := in.wire.send(prio); err != nil {
		in.wire.warn(err)
		return
	}
	in.stats.advertSent.Add(1)
	if prio == 0 {
		in.stats.priZeroSent.Add(1)
	}
}
