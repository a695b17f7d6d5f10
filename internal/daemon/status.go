package daemon

import (
	"slices"
	"sync"
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
	MasterAddr        string
	LastTransition    time.Time
	Stats             Stats
}

// Status collects every instance's state and counters. It is safe for
// concurrent use: instances write it, dumps and tests read it.
type Status struct {
	mu    sync.Mutex
	byKey map[string]*InstanceStatus
	order []string
}

// NewStatus returns an empty Status.
func NewStatus() *Status { return &Status{byKey: map[string]*InstanceStatus{}} }

func (s *Status) get(name string) *InstanceStatus {
	st, ok := s.byKey[name]
	if !ok {
		st = &InstanceStatus{Name: name}
		s.byKey[name] = st
		s.order = append(s.order, name)
	}
	return st
}

func (s *Status) count(name string, f func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.get(name).Stats)
}

func (s *Status) countError(name string, c vrrp.Counter) {
	s.count(name, func(st *Stats) {
		switch c {
		case vrrp.CounterPacketLenErr:
			st.PacketLenErr++
		case vrrp.CounterIPTTLErr:
			st.IPTTLErr++
		case vrrp.CounterInvalidTypeRcvd:
			st.InvalidTypeRcvd++
		case vrrp.CounterAddrListErr:
			st.AddrListErr++
		case vrrp.CounterInvalidAuthType:
			st.InvalidAuthType++
		case vrrp.CounterAuthTypeMismatch:
			st.AuthTypeMismatch++
		case vrrp.CounterAuthFailure:
			st.AuthFailure++
		}
	})
}

func (s *Status) transition(name string, sc vrrp.StateChange, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.get(name)
	st.LastTransition = now
	if sc.To == vrrp.StateMaster {
		st.Stats.BecomeMaster++
	}
	if sc.From == vrrp.StateMaster {
		st.Stats.ReleaseMaster++
	}
}

func (s *Status) update(name string, m *vrrp.Machine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.get(name)
	st.State = m.State()
	st.EffectivePriority = m.EffectivePriority()
	if a := m.MasterAddr(); a.IsValid() {
		st.MasterAddr = a.String()
	}
}

// get1 returns a copy of one instance's status.
func (s *Status) get1(name string) InstanceStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.get(name)
}

// clearStats zeroes every instance's counters (signal 63).
func (s *Status) clearStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.byKey {
		st.Stats = Stats{}
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
		out = append(out, *s.byKey[n])
	}
	return out
}
