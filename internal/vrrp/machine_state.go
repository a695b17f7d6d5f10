package vrrp

import (
	"fmt"
	"net/netip"
	"time"
)

// Machine is the state machine of one vrrp_instance, keepalived 2.2.7's
// decisions (reference §7.5-§7.7) over RFC 3768 §6 / RFC 5798 §6. It is
// pure: time comes in with every Step, effects go out as Actions, and it
// performs no I/O, reads no clock and logs nothing itself.
//
//	           Start                    master-down timer expires
//	+------+ ----------> +--------+ -------------------------------> +--------+
//	| INIT |             | BACKUP |                                  | MASTER |
//	+------+             +--------+ <------------------------------- +--------+
//	  |  |                 |    ^     better advert: higher priority,   ^   |
//	  |  |           fault |    |     or same priority, higher address  |   |
//	  |  |                 v    | fault cleared                         |   |
//	  |  |  Start,       +-------+                                      |   |
//	  |  +-------------> | FAULT | <------------------------------------|---+
//	  |   tracking down  +-------+              fault                   |
//	  |                      |       fault cleared, priority 255        |
//	  |                      +------------------------------------------+
//	  |                                 Start, priority 255             |
//	  +-----------------------------------------------------------------+
//
//	Stop: INIT, BACKUP, MASTER, FAULT ---> STOP (final)
//
// Each transition is written once (becomeBackup, becomeMaster, becomeFault,
// becomeStopped); it checks its edge against the diagram and panics on an
// illegal one, which is a bug in the Machine. Events that make no sense in
// the current state (an advert in FAULT, a stale timer, a second Start) are
// ignored and produce no Actions.
//
// A Machine is not safe for concurrent use: one goroutine owns it, calls Step
// and executes the returned Actions in order.
type Machine struct {
	cfg      Config
	adverts  int // down_timer_adverts
	state    State
	base     int // base priority; 254 after an address-owner conflict
	prio     int // effective priority
	fault    bool
	faultWhy string
	// demoted is a running Demote; tracked is then the priority tracking
	// asked for, applied when the demotion ends.
	demoted bool
	tracked int

	masterAdverInt time.Duration // Master_Adver_Interval (RFC 5798 §6.1)
	masterAddr     netip.Addr
	masterPrio     int

	timers   [numTimers]time.Time // zero: not armed
	downFrom time.Time            // when the master-down timer was armed
	downSkew bool                 // armed for Skew_Time only (priority 0 advert)

	preemptAt     time.Time // end of a running preempt_delay; zero: none
	garpRefreshAt time.Time // next garp_master_refresh burst, checked at each advert
	garps         []delayedGARP

	// wantMaster: a sync member's master-down timer fired and the group
	// has not yet let it take over.
	wantMaster bool

	now time.Time
	out []Action
}

// delayedGARP is a GARP burst due at a later time: garp_master_delay after
// becoming master, garp_lower_prio_delay after a lower-priority advert.
type delayedGARP struct {
	at     time.Time
	repeat int
}

// NewMachine returns the Machine of an instance in StateInit, or the error
// of cfg.Validate.
func NewMachine(cfg Config) (*Machine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Machine{cfg: cfg, adverts: cfg.DownTimerAdverts, base: cfg.Priority, prio: cfg.Priority,
		masterAdverInt: cfg.AdvertInt}
	if m.adverts == 0 {
		m.adverts = 3
	}
	return m, nil
}

// Step feeds one event to the machine at time now and returns the actions
// to execute, in order. now must not go backwards between calls.
func (m *Machine) Step(now time.Time, ev Event) []Action {
	m.now, m.out = now, nil
	switch e := ev.(type) {
	case Start:
		m.start(e.AfterScripts)
	case TimerFired:
		m.timerFired(e.Timer)
	case AdvertReceived:
		m.receive(e.Src, e.Advert)
	case EffectivePriority:
		m.setPriority(e.Priority)
	case FaultChanged:
		m.setFault(e.Fault, e.Reason)
	case Demote:
		m.demote(e.On)
	case Stop:
		if m.state != StateStop {
			m.becomeStopped()
		}
	case SyncState:
		m.syncState(e.State)
	case Reconfigure:
		m.reconfigure(e.Config)
	case AdvertsSent:
		if m.state == StateMaster && !m.timers[TimerAdvert].IsZero() {
			m.setTimer(TimerAdvert, e.Last.Add(m.cfg.AdvertInt))
		}
	case VIPDeleted:
		if m.state == StateMaster {
			m.toBackup("virtual address deleted", "Entering BACKUP STATE", true)
			// keepalived's master-down timer fires at once: re-election.
			m.setTimer(TimerMasterDown, m.now)
		}
	}
	out := m.out
	m.out = nil
	return out
}

// PeriodicAdvert reports whether the advert timer, until the next event,
// does nothing but send an advert with priority prio every AdvertInt: a
// MASTER without garp_master_refresh. A caller may then send those adverts
// itself from the advert timer's deadline on, and report them with
// AdvertsSent before the next event (the daemon's send fast path).
func (m *Machine) PeriodicAdvert() (prio int, ok bool) {
	if m.state != StateMaster || m.timers[TimerAdvert].IsZero() || m.cfg.GARPMasterRefresh > 0 {
		return 0, false
	}
	return m.prio, true
}

// Config returns the configuration the machine was built with.
func (m *Machine) Config() Config { return m.cfg }

// State returns the current state.
func (m *Machine) State() State { return m.state }

// EffectivePriority returns the priority the instance advertises.
func (m *Machine) EffectivePriority() int { return m.prio }

// BasePriority returns the configured priority, or 254 after an address
// owner met another address owner.
func (m *Machine) BasePriority() int { return m.base }

// Fault reports whether tracking holds the instance in fault, and why.
func (m *Machine) Fault() (bool, string) { return m.fault, m.faultWhy }

// MasterAddr returns the address of the master as last heard (our own
// PrimaryAddr while MASTER), or the zero Addr if none was heard.
func (m *Machine) MasterAddr() netip.Addr { return m.masterAddr }

// MasterPriority returns the priority of the master as last accepted (our
// own while MASTER), or 0.
func (m *Machine) MasterPriority() int { return m.masterPrio }

// MasterAdverInt returns Master_Adver_Interval: the configured interval, or
// for VRRPv3 the interval the master advertises (RFC 5798 §6.4.2).
func (m *Machine) MasterAdverInt() time.Duration { return m.masterAdverInt }

// SkewTime returns Skew_Time for the effective priority: (256-priority)/256 s
// for VRRPv2 (RFC 3768 §6.1), (256-priority)*Master_Adver_Interval/256 for
// VRRPv3 (RFC 5798 §6.1), truncated to the microsecond as keepalived does.
func (m *Machine) SkewTime() time.Duration {
	d := time.Second
	if m.cfg.Version == 3 {
		d = m.masterAdverInt
	}
	us := int64(256-m.prio) * d.Microseconds() / 256
	return time.Duration(us) * time.Microsecond
}

// MasterDownInterval returns down_timer_adverts × Master_Adver_Interval +
// Skew_Time (reference §7.5).
func (m *Machine) MasterDownInterval() time.Duration {
	return time.Duration(m.adverts)*m.masterAdverInt + m.SkewTime()
}

// Deadline returns when t fires, and whether it is armed.
func (m *Machine) Deadline(t Timer) (time.Time, bool) {
	if t < 0 || t >= numTimers || m.timers[t].IsZero() {
		return time.Time{}, false
	}
	return m.timers[t], true
}

// NextDeadline returns the earliest armed timer, for a caller that runs one
// real timer per machine; ok is false when none is armed.
func (m *Machine) NextDeadline() (t Timer, at time.Time, ok bool) {
	for i, d := range m.timers {
		if !d.IsZero() && (!ok || d.Before(at)) {
			t, at, ok = Timer(i), d, true
		}
	}
	return t, at, ok
}

// legalEdges are the transitions of the state diagram in the Machine doc.
var legalEdges = map[[2]State]bool{
	{StateInit, StateBackup}: true, {StateInit, StateMaster}: true, {StateInit, StateFault}: true,
	{StateInit, StateStop}: true, {StateBackup, StateMaster}: true, {StateBackup, StateFault}: true,
	{StateBackup, StateStop}: true, {StateMaster, StateBackup}: true, {StateMaster, StateFault}: true,
	{StateMaster, StateStop}: true, {StateFault, StateBackup}: true, {StateFault, StateMaster}: true,
	{StateFault, StateStop}: true,
}

// LegalTransition reports whether the Machine may go from one state to
// another: the edges of the diagram in the Machine doc.
func LegalTransition(from, to State) bool { return legalEdges[[2]State{from, to}] }

// enter moves to state to, panicking on an edge the diagram lacks, and
// returns the state left. The caller emits the StateChange once the
// transition's other actions are out.
func (m *Machine) enter(to State) State {
	from := m.state
	m.wantMaster = false
	if !LegalTransition(from, to) {
		panic(fmt.Sprintf("vrrp: (%s) invalid transition %v -> %v", m.cfg.Name, from, to))
	}
	m.state = to
	return from
}

// start is the Startup event (RFC 5798 §6.4.1): the address owner becomes
// master at once, others become backup with a full Master_Down_Interval
// (keepalived's MASTER wish below 255 included, reference §3.1), and an
// instance whose tracking is down enters FAULT.
func (m *Machine) start(afterScripts bool) {
	switch {
	case m.state != StateInit:
	case m.fault && afterScripts:
		m.enter(StateFault)
		m.emit(StateChange{From: StateInit, To: StateFault, Reason: "init: " + m.faultWhy})
	case m.fault:
		m.becomeFault("init")
	case m.base == PriorityOwner:
		m.log("Receive advertisement timeout")
		m.becomeMaster("address owner")
	case afterScripts:
		m.becomeBackup("init", "Entering BACKUP STATE")
	default:
		m.becomeBackup("init", "Entering BACKUP STATE (init)")
	}
}

// becomeMaster is the transition to MASTER (RFC 5798 §6.4.2 "Master_Down_Timer
// fires"): the advert goes first so that the old master removes the VIPs
// before our GARPs, then the VIPs, the GARP burst and the notifies
// (reference §7.6).
func (m *Machine) becomeMaster(reason string) {
	from := m.enter(StateMaster)
	m.stopTimer(TimerMasterDown)
	m.masterAdverInt = m.cfg.AdvertInt
	m.masterAddr, m.masterPrio = m.cfg.PrimaryAddr, m.prio
	m.emit(SendAdvert{Priority: m.prio})
	m.log("Entering MASTER STATE")
	m.emit(AddVIPs{})
	if m.cfg.GARPMasterRepeat > 0 {
		m.emit(GARPBurst{Repeat: m.cfg.GARPMasterRepeat})
	}
	if m.cfg.GARPMasterRefresh > 0 {
		m.garpRefreshAt = m.now.Add(m.cfg.GARPMasterRefresh)
	}
	m.emit(StateChange{From: from, To: StateMaster, Reason: reason})
	m.setTimer(TimerAdvert, m.now.Add(m.cfg.AdvertInt))
	if m.cfg.GARPMasterDelay > 0 && m.cfg.GARPMasterRepeat > 0 {
		m.queueGARP(m.cfg.GARPMasterDelay, m.cfg.GARPMasterRepeat)
	}
}

// becomeBackup is the transition to BACKUP at startup, from MASTER (a
// better advert) or from FAULT: logs line, removes the VIPs a master held
// and arms a full Master_Down_Interval (RFC 5798 §6.4.1, §6.4.3).
func (m *Machine) becomeBackup(reason, line string) { m.toBackup(reason, line, false) }

// toBackup is becomeBackup; a master leaving with zero set first sends a
// priority 0 advert.
func (m *Machine) toBackup(reason, line string, zero bool) {
	from := m.enter(StateBackup)
	m.log("%s", line)
	if from == StateMaster {
		if zero {
			m.sendPriorityZero()
		}
		m.leaveMaster()
	} else {
		m.masterAdverInt = m.cfg.AdvertInt
	}
	m.emit(StateChange{From: from, To: StateBackup, Reason: reason})
	m.preemptAt = time.Time{}
	m.armDown(false)
}

// becomeFault is the transition to FAULT when tracking fails. A master
// advertises priority 0 and removes its VIPs: keepalived's
// vrrp_state_leave_master sends one priority 0 advert and its
// vrrp_restore_interface a second one (reference §7.6).
func (m *Machine) becomeFault(reason string) {
	from := m.enter(StateFault)
	if from == StateInit {
		m.log("Entering FAULT STATE (init)")
	} else {
		m.log("Entering FAULT STATE")
	}
	if from == StateMaster {
		m.emit(SendAdvert{Priority: PriorityStop})
		m.sendPriorityZero()
		m.leaveMaster()
	}
	m.stopTimer(TimerMasterDown)
	m.masterAdverInt = m.cfg.AdvertInt
	m.emit(StateChange{From: from, To: StateFault, Reason: reason})
}

// becomeStopped is the Shutdown event (RFC 5798 §6.4.3, reference §5.6): a
// master sends a priority 0 advert and removes its VIPs; every instance
// then reports STOP and arms nothing more.
func (m *Machine) becomeStopped() {
	from := m.enter(StateStop)
	if from == StateMaster {
		m.sendPriorityZero()
		m.leaveMaster()
	}
	for t := range m.timers {
		m.stopTimer(Timer(t))
	}
	m.emit(StateChange{From: from, To: StateStop, Reason: "stop"})
}

// leaveMaster undoes becomeMaster: VIPs, the advert timer and any delayed
// GARP burst.
func (m *Machine) leaveMaster() {
	m.emit(RemoveVIPs{})
	m.stopTimer(TimerAdvert)
	m.garps = nil
	m.stopTimer(TimerGARP)
	m.garpRefreshAt = time.Time{}
}

// sendPriorityZero sends the advert that tells backups to take over after
// Skew_Time (RFC 5798 §6.4.3).
func (m *Machine) sendPriorityZero() {
	m.emit(SendAdvert{Priority: PriorityStop})
	m.logDetail("sent 0 priority")
}

// setFault records the tracking fault and moves in or out of FAULT. Before
// Start the fault is only recorded: Start then enters FAULT (init).
func (m *Machine) setFault(fault bool, reason string) {
	m.fault, m.faultWhy = fault, reason
	switch {
	case m.state == StateInit || m.state == StateStop:
	case fault && m.state != StateFault:
		m.becomeFault("fault: " + reason)
	case !fault && m.state == StateFault && m.base == PriorityOwner:
		m.becomeMaster("fault cleared, address owner")
	case !fault && m.state == StateFault:
		m.becomeBackup("fault cleared", "Entering BACKUP STATE")
	}
}

// reconfigure takes a reloaded configuration. The base priority follows
// it unless an address-owner conflict lowered it; the master-down timer of
// a backup is re-armed with the new interval.
func (m *Machine) reconfigure(c Config) {
	if err := c.Validate(); err != nil {
		return
	}
	old := m.cfg
	c.Name, c.VRID, c.Version, c.Family = old.Name, old.VRID, old.Version, old.Family
	m.cfg = c
	m.adverts = c.DownTimerAdverts
	if m.adverts == 0 {
		m.adverts = 3
	}
	if m.base == old.Priority {
		m.base = c.Priority
	}
	if m.state != StateMaster && c.AdvertInt != old.AdvertInt {
		m.masterAdverInt = c.AdvertInt
	}
	if m.state == StateBackup && !m.timers[TimerMasterDown].IsZero() && !m.downSkew {
		m.setTimer(TimerMasterDown, m.downFrom.Add(m.downInterval()))
	}
}

// demote starts or ends a maintenance drain (Demote).
func (m *Machine) demote(on bool) {
	if m.base == PriorityOwner || on == m.demoted {
		return
	}
	if !on {
		m.demoted = false
		m.log("Demotion ended")
		m.setPriority(m.tracked)
		return
	}
	m.tracked = m.prio
	m.setPriority(1)
	m.demoted = true
	m.log("Demoted: advertising priority 1")
	if m.state == StateMaster {
		m.toBackup("demoted", "Entering BACKUP STATE", true)
	}
}

// PreemptAt is when a running preempt_delay ends, zero if none runs.
func (m *Machine) PreemptAt() time.Time { return m.preemptAt }

// Demoted reports whether a Demote is in force.
func (m *Machine) Demoted() bool { return m.demoted }

// syncState carries out the sync group's order (keepalived's
// vrrp_sync_master and vrrp_sync_backup).
func (m *Machine) syncState(to State) {
	switch {
	case to == StateMaster && m.state == StateBackup:
		m.becomeMaster("sync group")
	case to == StateBackup && m.state == StateMaster:
		m.toBackup("sync group", "Entering BACKUP STATE", false)
	}
}

// emit appends an action to the current Step's output.
func (m *Machine) emit(a Action) { m.out = append(m.out, a) }

// log emits a log line prefixed with the instance name.
func (m *Machine) log(format string, args ...any) {
	m.emit(Log{Text: "(" + m.cfg.Name + ") " + fmt.Sprintf(format, args...)})
}

// logDetail emits a line keepalived logs only with --log-detail.
func (m *Machine) logDetail(format string, args ...any) {
	m.emit(Log{Text: "(" + m.cfg.Name + ") " + fmt.Sprintf(format, args...), Detail: true})
}

// setTimer arms t at at.
func (m *Machine) setTimer(t Timer, at time.Time) {
	m.timers[t] = at
	m.emit(SetTimer{Timer: t, At: at})
}

// stopTimer disarms t if it is armed.
func (m *Machine) stopTimer(t Timer) {
	if !m.timers[t].IsZero() {
		m.timers[t] = time.Time{}
		m.emit(StopTimer{Timer: t})
	}
}
