package vrrp

import (
	"testing"
	"time"
)

// TestRefreshes: only a backup's repeat of its master's accepted advert
// counts as a pure refresh of the master-down timer; and stepping that
// advert once, at the time of the last repeat, gives the deadline that
// stepping every repeat gives (RFC 5798 §6.4.2).
func TestRefreshes(t *testing.T) {
	each := newTestMachine(t, machineConfig(100))
	lazy := newTestMachine(t, machineConfig(100))
	for _, m := range []*Machine{each, lazy} {
		m.Step(at(0), Start{})
		if m.Refreshes(adv(200).Src, adv(200).Advert) {
			t.Fatal("an advert from a master never heard counts as a refresh")
		}
		m.Step(at(0.5), adv(200))
	}
	rx := adv(200)
	if !lazy.Refreshes(rx.Src, rx.Advert) {
		t.Fatal("the master's advert heard again is not a refresh")
	}
	for i := 1; i <= 10; i++ {
		each.Step(at(0.5+float64(i)), rx)
	}
	lazy.Step(at(10.5), rx)
	de, _ := each.Deadline(TimerMasterDown)
	dl, _ := lazy.Deadline(TimerMasterDown)
	if !de.Equal(dl) || !de.Equal(at(10.5).Add(each.MasterDownInterval())) {
		t.Errorf("master-down deadline %v stepping each advert, %v stepping the last; want both %v", de, dl, at(10.5).Add(each.MasterDownInterval()))
	}
	for name, ev := range map[string]AdvertReceived{
		"another priority": adv(190), "priority 0": adv(0), "another sender": advFrom("192.0.2.3", 200),
		"a lower priority we preempt": adv(50),
	} {
		if lazy.Refreshes(ev.Src, ev.Advert) {
			t.Errorf("%s counts as a refresh", name)
		}
	}
	lazy.Step(at(11), EffectivePriority{Priority: 250})
	if lazy.Refreshes(rx.Src, rx.Advert) {
		t.Error("a master we now preempt still counts as a refresh")
	}
	pd := machineConfig(100)
	pd.Nopreempt, pd.PreemptDelay = true, 10*time.Second
	m := newTestMachine(t, pd)
	m.Step(at(0), Start{})
	m.Step(at(0.5), adv(50)) // starts preempt_delay
	if !m.Refreshes(adv(50).Src, adv(50).Advert) {
		t.Error("nopreempt with preempt_delay running: the same lower advert should be a refresh")
	}
}

// TestPeriodicAdvert: a master's advert timer can be handed out and taken
// back with AdvertsSent, which re-arms it from the last advert sent.
func TestPeriodicAdvert(t *testing.T) {
	m := newTestMachine(t, machineConfig(255))
	if _, ok := m.PeriodicAdvert(); ok {
		t.Fatal("periodic adverts before start")
	}
	m.Step(at(0), Start{})
	prio, ok := m.PeriodicAdvert()
	if !ok || prio != 255 {
		t.Fatalf("PeriodicAdvert = %d, %v; want 255, true", prio, ok)
	}
	step(t, m, 7.2, AdvertsSent{Last: at(7)}, "timer advert at 8")
	refresh := machineConfig(255)
	refresh.GARPMasterRefresh = 10 * time.Second
	r := newTestMachine(t, refresh)
	r.Step(at(0), Start{})
	if _, ok := r.PeriodicAdvert(); ok {
		t.Error("garp_master_refresh adverts are not all alike, yet PeriodicAdvert says they are")
	}
	m.Step(at(8), Stop{})
	if _, ok := m.PeriodicAdvert(); ok {
		t.Error("periodic adverts after stop")
	}
	step(t, m, 9, AdvertsSent{Last: at(9)})
}
