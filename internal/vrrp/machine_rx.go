package vrrp

import (
	"net/netip"
	"slices"
	"time"
)

// timerFired handles the expiry of an armed timer. A timer that is not
// armed (stale) is ignored; one reported before its deadline is re-armed.
func (m *Machine) timerFired(t Timer) {
	if t < 0 || t >= numTimers || m.timers[t].IsZero() {
		return
	}
	if at := m.timers[t]; m.now.Before(at) {
		m.setTimer(t, at)
		return
	}
	m.timers[t] = time.Time{}
	switch {
	case t == TimerMasterDown && m.state == StateBackup && m.cfg.SyncMember:
		// keepalived's vrrp_sync_can_goto_master: a member asks its group
		// and waits another Master_Down_Interval for the others.
		if !m.wantMaster {
			m.log("Receive advertisement timeout")
			m.wantMaster = true
		}
		m.emit(WantMaster{Want: true})
		m.armDown(false)
	case t == TimerMasterDown && m.state == StateBackup:
		// RFC 5798 §6.4.2: "If the Master_Down_Timer fires".
		m.log("Receive advertisement timeout")
		m.becomeMaster("master down")
	case t == TimerAdvert && m.state == StateMaster:
		m.masterTx()
	case t == TimerGARP && m.state == StateMaster:
		m.fireGARPs()
	}
}

// masterTx is the master's Adver_Timer (RFC 5798 §6.4.3): send an advert,
// and a garp_master_refresh burst when one is due.
func (m *Machine) masterTx() {
	m.emit(SendAdvert{Priority: m.prio})
	if !m.garpRefreshAt.IsZero() && !m.now.Before(m.garpRefreshAt) {
		if m.cfg.GARPMasterRefreshRepeat > 0 {
			m.emit(GARPBurst{Repeat: m.cfg.GARPMasterRefreshRepeat})
		}
		m.garpRefreshAt = m.now.Add(m.cfg.GARPMasterRefresh)
	}
	m.setTimer(TimerAdvert, m.now.Add(m.cfg.AdvertInt))
}

// receive dispatches an advert that passed Check. keepalived ignores adverts
// in INIT and FAULT; so does the Machine, and in STOP.
func (m *Machine) receive(src netip.Addr, a Advert) {
	switch m.state {
	case StateBackup:
		m.backupRx(src, a)
	case StateMaster:
		m.masterRx(src, a)
	}
}

// backupRx is RFC 5798 §6.4.2 "If an ADVERTISEMENT is received" as
// keepalived's vrrp_state_backup decides it (reference §7.6).
func (m *Machine) backupRx(src netip.Addr, a Advert) {
	p := int(a.Priority)
	switch {
	case p == PriorityStop:
		// RFC 5798 §6.4.2: "Set the Master_Down_Timer to Skew_Time".
		m.logDetail("Backup received priority 0 advertisement")
		m.armDown(true)
	case m.cfg.Nopreempt || p >= m.prio || m.preemptPending():
		m.adoptInterval(a, "master")
		m.masterAddr, m.masterPrio = src, p
		m.preemptBookkeeping(p)
		m.armDown(false)
		if m.wantMaster {
			m.wantMaster = false
			m.emit(WantMaster{Want: false})
		}
	default:
		// Preempting: the advert is discarded, the down timer runs on
		// and we take over when it expires, not at once.
		m.log("received lower priority (%d) advert from %s - discarding", p, addrString(src))
		m.masterAddr = src
	}
}

// preemptPending reports that preempt_delay holds us back: no lower
// priority advert has started it yet, or it has not run out.
func (m *Machine) preemptPending() bool {
	return m.cfg.PreemptDelay > 0 && (m.preemptAt.IsZero() || m.now.Before(m.preemptAt))
}

// preemptBookkeeping starts preempt_delay at the first accepted
// lower-priority advert and cancels it at an advert we must not preempt.
func (m *Machine) preemptBookkeeping(p int) {
	switch {
	case m.cfg.PreemptDelay == 0:
	case p >= m.prio:
		if !m.preemptAt.IsZero() {
			m.logDetail("stop preempt delay")
			m.preemptAt = time.Time{}
		}
	case m.preemptAt.IsZero():
		us := m.cfg.PreemptDelay.Microseconds()
		m.logDetail("start preempt delay (%d.%06d)", us/1e6, us%1e6)
		m.preemptAt = m.now.Add(m.cfg.PreemptDelay)
	}
}

// masterRx is RFC 5798 §6.4.3 "If an ADVERTISEMENT is received" as
// keepalived's vrrp_state_master_rx decides it (reference §7.6).
func (m *Machine) masterRx(src netip.Addr, a Advert) {
	p := int(a.Priority)
	cmp := m.compareAddr(src)
	theyWin := p > m.prio || (p == m.prio && cmp > 0)
	if p == PriorityStop || (m.cfg.HigherPrioSendAdvert && theyWin) {
		m.emit(SendAdvert{Priority: m.prio})
		if p == PriorityStop {
			// RFC 5798 §6.4.3: "Send an ADVERTISEMENT" at once.
			m.logDetail("Master received priority 0 message")
			m.rearmAdvert()
			return
		}
	}
	if p == m.prio {
		switch {
		case cmp == 0:
			m.log("WARNING - equal priority advert received from remote host with our IP address.")
		case m.prio == PriorityOwner:
			m.log("CONFIGURATION ERROR: local instance and a remote instance are both configured " +
				"as address owner, please fix - reducing local priority")
			m.prio, m.base = maxTrackedPriority, maxTrackedPriority
		}
	}
	switch {
	case p < m.prio || (p == m.prio && cmp < 0):
		m.answerLower(src, p)
		m.rearmAdvert()
	case p > m.prio || (p == m.prio && cmp > 0):
		m.yield(src, a)
	default:
		m.rearmAdvert()
	}
}

// answerLower is keepalived's answer to a lower-priority advert while
// master: an advert (unless lower_prio_no_advert, the RFC behaviour),
// a GARP burst and a delayed one, and notify_master_rx_lower_pri.
func (m *Machine) answerLower(src netip.Addr, p int) {
	suffix := ", forcing new election"
	if m.cfg.LowerPrioNoAdvert {
		suffix = ""
	}
	m.log("Received advert from %s with lower priority %d, ours %d%s", addrString(src), p, m.prio, suffix)
	if !m.cfg.LowerPrioNoAdvert {
		m.emit(SendAdvert{Priority: m.prio})
	}
	if rep := m.cfg.GARPLowerPrioRepeat; rep > 0 {
		m.emit(GARPBurst{Repeat: rep})
		if m.cfg.GARPLowerPrioDelay > 0 {
			m.queueGARP(m.cfg.GARPLowerPrioDelay, rep)
		}
	}
	m.emit(NotifyRxLowerPri{})
}

// yield hands over to a better master (RFC 5798 §6.4.3: "Transition to
// the Backup state").
func (m *Machine) yield(src netip.Addr, a Advert) {
	p := int(a.Priority)
	if p > m.prio {
		m.log("Master received advert from %s with higher priority %d, ours %d", addrString(src), p, m.prio)
	} else {
		m.log("Master received advert from %s with same priority %d but higher IP address than ours",
			addrString(src), p)
	}
	m.adoptInterval(a, "new master")
	m.masterAddr, m.masterPrio = src, p
	m.becomeBackup("higher priority advert", "Entering BACKUP STATE")
}

// rearmAdvert restarts the advert interval after an advert was handled
// while master, as keepalived's read dispatcher does unless
// lower_prio_no_advert is set.
func (m *Machine) rearmAdvert() {
	if !m.cfg.LowerPrioNoAdvert {
		m.setTimer(TimerAdvert, m.now.Add(m.cfg.AdvertInt))
	}
}

// compareAddr compares src with our PrimaryAddr as keepalived's
// vrrp_saddr_cmp does: >0 if src is higher, 0 if equal or unknown.
func (m *Machine) compareAddr(src netip.Addr) int {
	ours := m.cfg.PrimaryAddr.WithZone("")
	theirs := src.WithZone("")
	if !ours.IsValid() || ours.BitLen() != theirs.BitLen() {
		return 0
	}
	return theirs.Compare(ours)
}

// adoptInterval sets Master_Adver_Interval to a VRRPv3 advert's Max Adver
// Int (RFC 5798 §6.4.2). VRRPv2 adverts carry our own interval, or Check
// has dropped them.
func (m *Machine) adoptInterval(a Advert, who string) {
	if m.cfg.Version != 3 {
		return
	}
	mai := time.Duration(a.MaxAdvertInt) * centisecond
	if mai != m.masterAdverInt {
		m.logDetail("advertisement interval updated from %dms to %dms by %s",
			m.masterAdverInt.Milliseconds(), mai.Milliseconds(), who)
		m.masterAdverInt = mai
	}
}

// armDown (re)starts the master-down timer from now: Master_Down_Interval,
// or Skew_Time only after a priority 0 advert.
func (m *Machine) armDown(skewOnly bool) {
	m.downFrom, m.downSkew = m.now, skewOnly
	m.setTimer(TimerMasterDown, m.downFrom.Add(m.downInterval()))
}

// downInterval is the length of the running master-down timer.
func (m *Machine) downInterval() time.Duration {
	if m.downSkew {
		return m.SkewTime()
	}
	return m.MasterDownInterval()
}

// setPriority applies an effective priority from tracking. Skew_Time
// depends on it, so a running master-down timer is re-timed from when it
// was armed (reference §7.5).
func (m *Machine) setPriority(p int) {
	p = min(max(p, 1), maxTrackedPriority)
	if m.demoted {
		m.tracked = p
		return
	}
	if m.base == PriorityOwner || p == m.prio {
		return
	}
	m.log("Changing effective priority from %d to %d", m.prio, p)
	m.prio = p
	if m.state == StateBackup && !m.timers[TimerMasterDown].IsZero() {
		m.setTimer(TimerMasterDown, m.downFrom.Add(m.downInterval()))
	}
}

// queueGARP schedules a burst of repeat GARPs after delay.
func (m *Machine) queueGARP(delay time.Duration, repeat int) {
	g := delayedGARP{at: m.now.Add(delay), repeat: repeat}
	i, _ := slices.BinarySearchFunc(m.garps, g.at, func(d delayedGARP, at time.Time) int {
		if d.at.After(at) {
			return 1
		}
		return -1 // equal times keep their order: insert after
	})
	m.garps = slices.Insert(m.garps, i, g)
	if !m.garps[0].at.Equal(m.timers[TimerGARP]) {
		m.setTimer(TimerGARP, m.garps[0].at)
	}
}

// fireGARPs sends the delayed bursts that are due and re-arms TimerGARP
// for the next one.
func (m *Machine) fireGARPs() {
	for len(m.garps) > 0 && !m.now.Before(m.garps[0].at) {
		m.emit(GARPBurst{Repeat: m.garps[0].repeat})
		m.garps = m.garps[1:]
	}
	if len(m.garps) > 0 {
		m.setTimer(TimerGARP, m.garps[0].at)
	}
}

// addrString formats an address for a log line, without zone.
func addrString(a netip.Addr) string { return a.WithZone("").String() }

// Refreshes reports whether receiving a from src now would do nothing but
// re-arm the master-down timer: a backup hearing its master's advert again,
// with the same priority and interval, that neither preempt_delay nor a
// sync group's wait depends on. A caller may then note only when such
// adverts arrive and hand the machine the last one when its timer is due
// (the daemon's receive fast path): the outcome is the same. It is ignored
// in every other case, where each advert must be stepped.
func (m *Machine) Refreshes(src netip.Addr, a Advert) bool {
	p := int(a.Priority)
	switch {
	case m.state != StateBackup || m.wantMaster || m.downSkew || m.timers[TimerMasterDown].IsZero():
		return false
	case p == PriorityStop || src != m.masterAddr || p != m.masterPrio:
		return false
	case m.cfg.Version == 3 && time.Duration(a.MaxAdvertInt)*centisecond != m.masterAdverInt:
		return false
	case p >= m.prio:
		// Accepted; preempt_delay stopped already (or never ran).
		return m.preemptAt.IsZero()
	case m.cfg.Nopreempt:
		// Accepted; preempt_delay, if any, already started.
		return m.cfg.PreemptDelay == 0 || !m.preemptAt.IsZero()
	}
	// A lower priority we would preempt: every advert matters.
	return false
}
