package daemon

import (
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Stats are an instance's counters, named as in keepalived's JSON dump
// (reference §6).
type Stats struct {
	AdvertRcvd, AdvertSent, BecomeMaster, ReleaseMaster         uint64
	PacketLenErr, AdvertIntervalErr, IPTTLErr, InvalidTypeRcvd  uint64
	AddrListErr, InvalidAuthType, AuthTypeMismatch, AuthFailure uint64
	PriZeroRcvd, PriZeroSent                                    uint64
}

// InstanceStatus is what the daemon knows of one instance at a moment.
type InstanceStatus struct {
	Name              string
	State             vrrp.State
	EffectivePriority int
	BasePriority      int
	MasterAddr        string
	LastTransition    time.Time
	Stats             Stats
}

// Status collects every instance's state and counters. It is safe for
// concurrent use: instances write it, dumps, the metrics and tests read
// it. Each instance writes its own counters without taking the Status
// lock, so that the advert path shares no lock with readers.
type Status struct {
	mu    sync.Mutex
	byKey map[string]*counters
	order []string

	obs daemonObservations // daemon-wide, for the metrics (observe.go)
}

// counters are one instance's status, every field atomic.
type counters struct {
	advertRcvd, advertSent, becomeMaster, releaseMaster         atomic.Uint64
	packetLenErr, advertIntervalErr, ipTTLErr, invalidTypeRcvd  atomic.Uint64
	addrListErr, invalidAuthType, authTypeMismatch, authFailure atomic.Uint64
	priZeroRcvd, priZeroSent                                    atomic.Uint64

	// The rest changes with the machine's state. The instance's goroutine
	// stores it atomically, so that readers (dumps, scrapes) never hold a
	// lock the instance could wait for.
	state      atomic.Int32
	prio, base atomic.Int32
	master     atomic.Pointer[netip.Addr] // nil until a master is known
	since      atomic.Int64               // the last transition, Unix ns; 0 before any

	obs observations // what only the metrics read (observe.go)
}

// NewStatus returns an empty Status.
func NewStatus() *Status {
	return &Status{byKey: map[string]*counters{}, obs: daemonObservations{lateness: newHistogram(masterDownBounds)}}
}

// counters returns the counters of the instance called name, adding them
// if need be.
func (s *Status) counters(name string) *counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.get(name)
}

func (s *Status) get(name string) *counters {
	c, ok := s.byKey[name]
	if !ok {
		c = &counters{}
		s.byKey[name] = c
		s.order = append(s.order, name)
	}
	return c
}

// countError counts a failed receive check.
func (c *counters) countError(k vrrp.Counter) {
	switch k {
	case vrrp.CounterPacketLenErr:
		c.packetLenErr.Add(1)
	case vrrp.CounterIPTTLErr:
		c.ipTTLErr.Add(1)
	case vrrp.CounterInvalidTypeRcvd:
		c.invalidTypeRcvd.Add(1)
	case vrrp.CounterAddrListErr:
		c.addrListErr.Add(1)
	case vrrp.CounterInvalidAuthType:
		c.invalidAuthType.Add(1)
	case vrrp.CounterAuthTypeMismatch:
		c.authTypeMismatch.Add(1)
	case vrrp.CounterAuthFailure:
		c.authFailure.Add(1)
	}
}

// transition records a state change at now.
func (c *counters) transition(sc vrrp.StateChange, now time.Time) {
	c.since.Store(now.UnixNano())
	c.obs.transition(sc)
	if sc.To == vrrp.StateMaster {
		c.becomeMaster.Add(1)
	}
	if sc.From == vrrp.StateMaster {
		c.releaseMaster.Add(1)
	}
}

// publish records the machine's state, priorities and master.
func (c *counters) publish(m *vrrp.Machine) {
	c.state.Store(int32(m.State()))
	c.prio.Store(int32(m.EffectivePriority()))
	c.base.Store(int32(m.BasePriority()))
	if a := m.MasterAddr(); a.IsValid() {
		if p := c.master.Load(); p == nil || *p != a {
			n := a // allocated only when the master changes
			c.master.Store(&n)
		}
	}
}

// snapshot returns the status of the instance called name.
func (c *counters) snapshot(name string) InstanceStatus {
	st := InstanceStatus{Name: name, Stats: Stats{
		AdvertRcvd: c.advertRcvd.Load(), AdvertSent: c.advertSent.Load(),
		BecomeMaster: c.becomeMaster.Load(), ReleaseMaster: c.releaseMaster.Load(),
		PacketLenErr: c.packetLenErr.Load(), AdvertIntervalErr: c.advertIntervalErr.Load(),
		IPTTLErr: c.ipTTLErr.Load(), InvalidTypeRcvd: c.invalidTypeRcvd.Load(),
		AddrListErr: c.addrListErr.Load(), InvalidAuthType: c.invalidAuthType.Load(),
		AuthTypeMismatch: c.authTypeMismatch.Load(), AuthFailure: c.authFailure.Load(),
		PriZeroRcvd: c.priZeroRcvd.Load(), PriZeroSent: c.priZeroSent.Load(),
	}}
	st.State = vrrp.State(c.state.Load())
	st.EffectivePriority, st.BasePriority = int(c.prio.Load()), int(c.base.Load())
	if ns := c.since.Load(); ns != 0 {
		st.LastTransition = time.Unix(0, ns)
	}
	if p := c.master.Load(); p != nil {
		st.MasterAddr = p.String()
	}
	return st
}

// clear zeroes the counts.
func (c *counters) clear() {
	for _, a := range []*atomic.Uint64{
		&c.advertRcvd, &c.advertSent, &c.becomeMaster, &c.releaseMaster,
		&c.packetLenErr, &c.advertIntervalErr, &c.ipTTLErr, &c.invalidTypeRcvd,
		&c.addrListErr, &c.invalidAuthType, &c.authTypeMismatch, &c.authFailure,
		&c.priZeroRcvd, &c.priZeroSent,
	} {
		a.Store(0)
	}
}

// get1 returns a copy of one instance's status.
func (s *Status) get1(name string) InstanceStatus {
	return s.counters(name).snapshot(name)
}

// clearStats zeroes every instance's counters (signal 63).
func (s *Status) clearStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.byKey {
		c.clear()
	}
}

// remove forgets an instance removed by a reload.
func (s *Status) remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byKey, name)
	s.order = slices.DeleteFunc(s.order, func(n string) bool { return n == name })
}

// Snapshot returns a copy of every instance's status, in configuration
// order.
func (s *Status) Snapshot() []InstanceStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]InstanceStatus, 0, len(s.order))
	for _, n := range s.order {
		out = append(out, s.byKey[n].snapshot(n))
	}
	return out
}
