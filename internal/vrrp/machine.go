package vrrp

import (
	"fmt"
	"net/netip"
	"time"
)

// Priorities with a meaning of their own (RFC 5798 §5.2.4).
const (
	// PriorityOwner is the priority of the router that owns the virtual
	// addresses; it becomes master at once and its priority never changes.
	PriorityOwner = 255
	// PriorityStop is the priority a master advertises when it stops
	// being master, so that a backup takes over after Skew_Time.
	PriorityStop = 0
	// maxTrackedPriority is the highest priority tracking can give.
	maxTrackedPriority = PriorityOwner - 1
)

// State is the state of a VRRP instance, as keepalived names it in its
// logs, notifies and JSON dump. The zero State is StateInit.
type State int

// The states of a Machine.
const (
	StateInit   State = iota // not started yet
	StateBackup              // listening to a master, master-down timer running
	StateMaster              // sending adverts, owning the VIPs
	StateFault               // tracking or link says the instance cannot work
	StateStop                // stopped (SIGTERM); final
)

// String returns "INIT", "BACKUP", "MASTER", "FAULT", "STOP" or "State(N)".
func (s State) String() string {
	names := [...]string{"INIT", "BACKUP", "MASTER", "FAULT", "STOP"}
	if s >= 0 && int(s) < len(names) {
		return names[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Timer names one of the timers a Machine arms through SetTimer and expects
// back as TimerFired.
type Timer int

// The timers of a Machine.
const (
	// TimerAdvert fires when a master sends its next advert.
	TimerAdvert Timer = iota
	// TimerMasterDown fires when a backup has heard no acceptable advert
	// for Master_Down_Interval (or Skew_Time after a priority 0 advert).
	TimerMasterDown
	// TimerGARP fires when a master sends a delayed GARP/NA burst
	// (garp_master_delay, garp_lower_prio_delay).
	TimerGARP
	numTimers
)

// String returns "advert", "master-down", "garp" or "Timer(N)".
func (t Timer) String() string {
	names := [...]string{"advert", "master-down", "garp"}
	if t >= 0 && int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprintf("Timer(%d)", int(t))
}

// Config is what one instance's Machine needs, filled in by the daemon from
// the parsed vrrp_instance. Zero durations and repeat counts mean "off"
// except DownTimerAdverts, whose zero means keepalived's default 3. It is a
// plain value, safe for concurrent use when not mutated.
type Config struct {
	Name    string // instance name, for log lines: "(Name) ..."
	VRID    uint8
	Version int // 2 (RFC 3768) or 3 (RFC 5798)
	Family  Family

	// Priority is the base priority, 1..255; 255 is the address owner.
	Priority int
	// AdvertInt is the configured advert_int: whole seconds (1..255) for
	// VRRPv2, a multiple of 10 ms up to 40.95 s for VRRPv3.
	AdvertInt time.Duration
	// InitialState is the state keyword: StateMaster or StateBackup
	// (StateInit: MASTER iff Priority is 255). A MASTER wish with priority
	// below 255 waits a full Master_Down_Interval like BACKUP (reference
	// §3.1); only the address owner starts as master.
	InitialState State

	Nopreempt    bool
	PreemptDelay time.Duration
	// DownTimerAdverts is down_timer_adverts (1..100); 0 means 3.
	DownTimerAdverts int

	LowerPrioNoAdvert    bool // lower_prio_no_advert
	HigherPrioSendAdvert bool // higher_prio_send_advert

	GARPMasterDelay         time.Duration // garp_master_delay (keepalived: 5 s)
	GARPMasterRepeat        int           // garp_master_repeat (5)
	GARPMasterRefresh       time.Duration // garp_master_refresh (off)
	GARPMasterRefreshRepeat int           // garp_master_refresh_repeat (1)
	GARPLowerPrioDelay      time.Duration // garp_lower_prio_delay (5 s)
	GARPLowerPrioRepeat     int           // garp_lower_prio_repeat (5)

	// PrimaryAddr is the source address of our adverts; an advert of
	// equal priority from a higher address wins (RFC 5798 §6.4.3).
	PrimaryAddr netip.Addr

	// SyncMember makes the instance a vrrp_sync_group member: when its
	// master-down timer fires it asks the group (WantMaster) instead of
	// taking over, and takes over when the group says so (SyncState).
	SyncMember bool
}

// Validate reports a Config the Machine cannot run.
func (c Config) Validate() error {
	switch {
	case c.Version != 2 && c.Version != 3:
		return fmt.Errorf("%w: (%s) version %d", ErrBadVersion, c.Name, c.Version)
	case c.Family != IPv4 && c.Family != IPv6, c.Version == 2 && c.Family != IPv4:
		return fmt.Errorf("%w: (%s) VRRPv%d over %v", ErrFamily, c.Name, c.Version, c.Family)
	case c.Priority < 1 || c.Priority > PriorityOwner:
		return fmt.Errorf("%w: (%s) priority %d, want 1..255", ErrField, c.Name, c.Priority)
	case c.Version == 2 && (c.AdvertInt%time.Second != 0 || c.AdvertInt < time.Second || c.AdvertInt > 255*time.Second):
		return fmt.Errorf("%w: (%s) VRRPv2 advert_int %v, want whole seconds 1..255", ErrField, c.Name, c.AdvertInt)
	case c.Version == 3 && (c.AdvertInt%centisecond != 0 || c.AdvertInt < centisecond || c.AdvertInt > MaxAdvertIntV3*centisecond):
		return fmt.Errorf("%w: (%s) VRRPv3 advert_int %v, want 10ms..40.95s in steps of 10ms", ErrField, c.Name, c.AdvertInt)
	case c.InitialState != StateInit && c.InitialState != StateBackup && c.InitialState != StateMaster:
		return fmt.Errorf("%w: (%s) initial state %v", ErrField, c.Name, c.InitialState)
	case c.DownTimerAdverts < 0 || c.DownTimerAdverts > 100:
		return fmt.Errorf("%w: (%s) down_timer_adverts %d, want 1..100", ErrField, c.Name, c.DownTimerAdverts)
	case c.PreemptDelay < 0 || c.GARPMasterDelay < 0 || c.GARPMasterRefresh < 0 || c.GARPLowerPrioDelay < 0:
		return fmt.Errorf("%w: (%s) negative delay", ErrField, c.Name)
	case c.GARPMasterRepeat < 0 || c.GARPMasterRefreshRepeat < 0 || c.GARPLowerPrioRepeat < 0:
		return fmt.Errorf("%w: (%s) negative GARP repeat", ErrField, c.Name)
	}
	return nil
}

// centisecond is the unit of the VRRPv3 Max Adver Int field.
const centisecond = 10 * time.Millisecond

// Event is an input to Machine.Step: Start, TimerFired, AdvertReceived,
// EffectivePriority, FaultChanged or Stop.
type Event interface{ isEvent() }

// Start starts the instance: the RFC 5798 §6.4.1 Startup event.
// AfterScripts marks a start held until every tracked script had its first
// result: keepalived 2.2.7 keeps such an instance in a silent FAULT
// meanwhile, then logs "Entering BACKUP STATE" without "(init)", or enters
// FAULT without a log line (its notifies still run).
type Start struct{ AfterScripts bool }

// TimerFired reports that the timer last armed by SetTimer has expired.
type TimerFired struct{ Timer Timer }

// AdvertReceived is an advert for this instance that passed Check.
type AdvertReceived struct {
	Src    netip.Addr // the sender (Result.Src)
	Advert Advert
}

// EffectivePriority reports that tracking changed the effective priority.
// The caller clamps it to 1..254; the Machine ignores it for an address
// owner, whose priority never changes (reference §4.1), and keeps it for
// later while demoted (Demote).
type EffectivePriority struct{ Priority int }

// FaultChanged reports that tracking (a weight-0 script, interface, file or
// process) put the instance into fault or took it out. Reason is free text
// carried into the StateChange.
type FaultChanged struct {
	Fault  bool
	Reason string
}

// VIPDeleted reports that someone else deleted one of the instance's
// tracked VIPs (one without no_track) while it was MASTER. keepalived 2.2.7
// then enters BACKUP, sends priority 0, removes its VIPs and re-elects at
// once.
type VIPDeleted struct{}

// AdvertsSent reports that the caller itself sent the master's periodic
// adverts, the ones PeriodicAdvert describes, the latest at Last: the
// advert timer runs on from there. It is ignored unless the machine is
// MASTER with its advert timer armed.
type AdvertsSent struct{ Last time.Time }

// Demote is the maintenance drain (gokeepalived demote / undemote). While
// On, the instance's effective priority is 1 whatever tracking says, and a
// MASTER first advertises priority 0 and enters BACKUP, so that a backup
// takes over after Skew_Time; it takes the VIPs again only if no other
// router is master when its master-down timer expires. Off restores the
// priority tracking last asked for. An address owner ignores it: its
// priority never changes (the daemon refuses such a demotion).
type Demote struct{ On bool }

// Stop is the SIGTERM shutdown of the instance (reference §5.6): the
// RFC 5798 §6.4.3 Shutdown event.
type Stop struct{}

// Reconfigure applies a reloaded configuration to a running instance
// without a transition (reference §5.7: a reload keeps each instance's
// state). Name, VRID, Version, Family and address ownership must not
// change: such an instance is replaced instead. The caller re-sends the
// effective priority afterwards.
type Reconfigure struct{ Config Config }

// SyncState is the sync group's order (keepalived's vrrp_sync_master and
// vrrp_sync_backup): StateMaster makes a BACKUP member take over,
// StateBackup makes a MASTER member give up without a priority 0 advert.
// It is ignored in other states.
type SyncState struct{ State State }

func (Start) isEvent()             {}
func (TimerFired) isEvent()        {}
func (AdvertReceived) isEvent()    {}
func (EffectivePriority) isEvent() {}
func (FaultChanged) isEvent()      {}
func (Stop) isEvent()              {}
func (Demote) isEvent()            {}
func (VIPDeleted) isEvent()        {}
func (SyncState) isEvent()         {}
func (Reconfigure) isEvent()       {}
func (AdvertsSent) isEvent()       {}

// Action is an output of Machine.Step, which the caller executes in order.
// Every Action has a String method giving a short description.
type Action interface {
	isAction()
	String() string
}

// SendAdvert asks the caller to send one advert with this priority and the
// instance's own configured interval, VIPs and authentication.
type SendAdvert struct{ Priority int }

// AddVIPs asks the caller to add the VIPs, eVIPs, virtual routes and rules
// (the caller logs "(Name) setting VIPs.").
type AddVIPs struct{}

// RemoveVIPs asks the caller to remove what AddVIPs added (the caller logs
// "(Name) removing VIPs.").
type RemoveVIPs struct{}

// GARPBurst asks the caller to send Repeat gratuitous ARPs / unsolicited
// neighbour adverts for every VIP and eVIP, spaced by garp_interval.
type GARPBurst struct{ Repeat int }

// SetTimer arms (or re-arms) Timer to fire at At.
type SetTimer struct {
	Timer Timer
	At    time.Time
}

// StopTimer disarms Timer.
type StopTimer struct{ Timer Timer }

// StateChange reports a transition; the caller runs notify scripts, writes
// the FIFO and updates its status from it.
type StateChange struct {
	From, To State
	Reason   string
}

// NotifyRxLowerPri asks the caller to run notify_master_rx_lower_pri and
// write the FIFO event: a master heard a lower-priority advert.
type NotifyRxLowerPri struct{}

// WantMaster tells the sync group that a member's master-down timer fired
// (Want) or that it heard a master again after that (!Want).
type WantMaster struct{ Want bool }

// Log is a line keepalived 2.2.7 logs (reference §8), without timestamp or
// syslog prefix. Detail lines are logged only with --log-detail (-D).
type Log struct {
	Text   string
	Detail bool
}

func (SendAdvert) isAction()       {}
func (AddVIPs) isAction()          {}
func (RemoveVIPs) isAction()       {}
func (GARPBurst) isAction()        {}
func (SetTimer) isAction()         {}
func (StopTimer) isAction()        {}
func (StateChange) isAction()      {}
func (NotifyRxLowerPri) isAction() {}
func (Log) isAction()              {}
func (WantMaster) isAction()       {}

// String returns "advert prio N".
func (a SendAdvert) String() string { return fmt.Sprintf("advert prio %d", a.Priority) }

// String returns "addVIPs".
func (AddVIPs) String() string { return "addVIPs" }

// String returns "removeVIPs".
func (RemoveVIPs) String() string { return "removeVIPs" }

// String returns "garp xN".
func (a GARPBurst) String() string { return fmt.Sprintf("garp x%d", a.Repeat) }

// String returns "timer NAME at TIME".
func (a SetTimer) String() string {
	return fmt.Sprintf("timer %v at %s", a.Timer, a.At.Format(time.RFC3339Nano))
}

// String returns "timer NAME stop".
func (a StopTimer) String() string { return fmt.Sprintf("timer %v stop", a.Timer) }

// String returns "state FROM->TO (reason)".
func (a StateChange) String() string {
	return fmt.Sprintf("state %v->%v (%s)", a.From, a.To, a.Reason)
}

// String returns "notify master_rx_lower_pri".
func (NotifyRxLowerPri) String() string { return "notify master_rx_lower_pri" }

// String returns "want master" or "want master: no".
func (a WantMaster) String() string {
	if a.Want {
		return "want master"
	}
	return "want master: no"
}

// String returns "log: TEXT" or, for a detail line, "log -D: TEXT".
func (a Log) String() string {
	if a.Detail {
		return "log -D: " + a.Text
	}
	return "log: " + a.Text
}
