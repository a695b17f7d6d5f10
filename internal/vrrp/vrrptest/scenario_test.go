package vrrptest

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// t0 is the start of every test LAN.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// vips are the addresses every test router advertises.
var vips = []netip.Addr{netip.MustParseAddr("192.0.2.100")}

// config is a VRRPv2 instance with keepalived's GARP defaults.
func config(prio int) vrrp.Config {
	return vrrp.Config{Name: "VI_1", VRID: 51, Version: 2, Family: vrrp.IPv4, Priority: prio,
		AdvertInt: time.Second, GARPMasterDelay: 5 * time.Second, GARPMasterRepeat: 5,
		GARPMasterRefreshRepeat: 1, GARPLowerPrioDelay: 5 * time.Second, GARPLowerPrioRepeat: 5}
}

// v3 turns a config into VRRPv3.
func v3(c vrrp.Config) vrrp.Config {
	c.Version = 3
	return c
}

// spec is router rN at 192.0.2.N with cfg.
func spec(n int, cfg vrrp.Config) Spec {
	return Spec{Name: "r" + string(rune('0'+n)), Config: cfg,
		Addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(n)}), VIPs: vips}
}

// newLAN builds a LAN of the given routers, r1, r2, ... in order.
func newLAN(cfgs ...vrrp.Config) *LAN {
	l := NewLAN(t0)
	for i, c := range cfgs {
		l.Add(spec(i+1, c))
	}
	return l
}

// wantTranscript compares the whole transcript and the LAN's consistency.
func wantTranscript(t *testing.T, l *LAN, want ...string) {
	t.Helper()
	if errs := l.Errors(); len(errs) > 0 {
		t.Errorf("inconsistent actions:\n\t%s", strings.Join(errs, "\n\t"))
	}
	if got := l.Transcript(); !slices.Equal(got, want) {
		t.Fatalf("transcript:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	l.ResetTranscript()
}

// wantMasters checks who is master.
func wantMasters(t *testing.T, l *LAN, want ...string) {
	t.Helper()
	if got := l.Masters(); !slices.Equal(got, want) {
		t.Fatalf("t=%s masters %q, want %q", l.stamp(l.now), got, want)
	}
}

// TestElectionTiming: RFC 3768 §6.4.1 / RFC 5798 §6.4.1, with nobody else
// on the LAN the backup takes over after exactly Master_Down_Interval
// (reference §7.5: 3.609375 s for priority 100 v2, 3.414062 s for 150 v3).
func TestElectionTiming(t *testing.T) {
	l := newLAN(config(100), v3(config(150)))
	l.Start()
	l.Run(4 * time.Second)
	// Different versions do not hear each other: "wrong version".
	wantTranscript(t, l,
		"t=0 r1 state INIT->BACKUP", "t=0 r2 state INIT->BACKUP",
		"t=3.414062 r2 addVIPs", "t=3.414062 r2 garp x5", "t=3.414062 r2 state BACKUP->MASTER",
		"t=3.414062 r1 drop advert from r2: wrong version. Received 3 and expect 2",
		"t=3.609375 r1 addVIPs", "t=3.609375 r1 garp x5", "t=3.609375 r1 state BACKUP->MASTER",
		"t=3.609375 r2 drop advert from r1: wrong version. Received 2 and expect 3")
}

// TestPreemption: RFC 5798 §6.4.2, a higher-priority backup discards the
// lower master's adverts and takes over when its down timer expires; the
// old master yields on its first advert (reference §7.6).
func TestPreemption(t *testing.T) {
	l := newLAN(config(100), config(150))
	l.Start("r1")
	l.Run(5 * time.Second)
	l.ResetTranscript()
	l.Record |= KindLog
	l.Start("r2")
	l.Run(4 * time.Second)
	wantTranscript(t, l,
		"t=5 r2 log: (VI_1) Entering BACKUP STATE (init)",
		"t=5 r2 state INIT->BACKUP",
		"t=5.609375 r2 log: (VI_1) received lower priority (100) advert from 192.0.2.1 - discarding",
		"t=6.609375 r2 log: (VI_1) received lower priority (100) advert from 192.0.2.1 - discarding",
		"t=7.609375 r2 log: (VI_1) received lower priority (100) advert from 192.0.2.1 - discarding",
		"t=8.414062 r2 log: (VI_1) Receive advertisement timeout",
		"t=8.414062 r2 log: (VI_1) Entering MASTER STATE",
		"t=8.414062 r2 addVIPs",
		"t=8.414062 r2 garp x5",
		"t=8.414062 r2 state BACKUP->MASTER",
		"t=8.414062 r1 log: (VI_1) Master received advert from 192.0.2.2 with higher priority 150, ours 100",
		"t=8.414062 r1 log: (VI_1) Entering BACKUP STATE",
		"t=8.414062 r1 removeVIPs",
		"t=8.414062 r1 state MASTER->BACKUP")
	wantMasters(t, l, "r2")
}

// TestNopreempt: a nopreempt backup never takes over while a lower
// priority master speaks, but does when it stops.
func TestNopreempt(t *testing.T) {
	np := config(150)
	np.Nopreempt = true
	l := newLAN(config(100), np)
	l.Start("r1")
	l.Run(5 * time.Second)
	l.Start("r2")
	l.Run(60 * time.Second)
	wantMasters(t, l, "r1")
	l.ResetTranscript()
	l.Stop("r1")
	l.Run(time.Second)
	wantTranscript(t, l,
		"t=65 r1 removeVIPs", "t=65 r1 state MASTER->STOP",
		"t=65.414062 r2 addVIPs", "t=65.414062 r2 garp x5", "t=65.414062 r2 state BACKUP->MASTER")
}

// TestOwner: the address owner is master at once and takes over from a
// running master with its first advert (RFC 5798 §6.4.1, §6.4.3).
func TestOwner(t *testing.T) {
	l := newLAN(config(100), config(255))
	l.Start("r1")
	l.Run(5 * time.Second)
	l.ResetTranscript()
	l.Start("r2")
	l.Run(time.Second)
	wantTranscript(t, l,
		"t=5 r2 addVIPs", "t=5 r2 garp x5", "t=5 r2 state INIT->MASTER",
		"t=5 r1 removeVIPs", "t=5 r1 state MASTER->BACKUP")
}

// TestBothOwners: two address owners hear each other; each drops to 254
// and yields (reference §7.6); then the first down timer to expire wins
// (the LAN delivers r1's advert before r2's timer of the same instant).
func TestBothOwners(t *testing.T) {
	l := newLAN(config(255), config(255))
	l.Record |= KindLog
	l.Start()
	l.Run(time.Second)
	wantMasters(t, l)
	l.Run(3 * time.Second)
	wantMasters(t, l, "r1")
	if got := l.Transcript(); !slices.Contains(got, "t=0 r1 log: (VI_1) CONFIGURATION ERROR: local instance and "+
		"a remote instance are both configured as address owner, please fix - reducing local priority") {
		t.Errorf("no configuration error in %q", got)
	}
}

// TestStopPriorityZero: RFC 5798 §6.4.3 Shutdown, the master's priority 0
// advert makes the backup take over after Skew_Time: 0.609375 s for
// priority 100 (reference §5.6).
func TestStopPriorityZero(t *testing.T) {
	l := newLAN(config(150), config(100))
	l.Start()
	l.Run(10 * time.Second)
	wantMasters(t, l, "r1")
	l.ResetTranscript()
	l.Record |= KindAdvert
	l.Stop("r1")
	l.Run(time.Second)
	wantTranscript(t, l,
		"t=10 r1 advert prio 0", "t=10 r1 removeVIPs", "t=10 r1 state MASTER->STOP",
		"t=10.609375 r2 advert prio 100", "t=10.609375 r2 addVIPs", "t=10.609375 r2 garp x5",
		"t=10.609375 r2 state BACKUP->MASTER")
}

// TestEqualPriority: RFC 5798 §6.4.3, between two masters of equal
// priority the higher primary address wins; RFC 5798 §6.4.2, a backup
// accepts an equal-priority master whatever its address.
func TestEqualPriority(t *testing.T) {
	l := newLAN(config(100), config(100))
	l.Cut("r1", "r2")
	l.Start()
	l.Run(4 * time.Second)
	wantMasters(t, l, "r1", "r2")
	l.ResetTranscript()
	l.Record |= KindLog
	l.Heal()
	l.Run(time.Second)
	wantMasters(t, l, "r2")
	wantTranscript(t, l,
		"t=4.609375 r2 log: (VI_1) Received advert from 192.0.2.1 with lower priority 100, ours 100, forcing new election",
		"t=4.609375 r2 garp x5",
		"t=4.609375 r2 notify master_rx_lower_pri",
		"t=4.609375 r1 log: (VI_1) Master received advert from 192.0.2.2 with same priority 100 but higher IP address than ours",
		"t=4.609375 r1 log: (VI_1) Entering BACKUP STATE",
		"t=4.609375 r1 removeVIPs",
		"t=4.609375 r1 state MASTER->BACKUP")

	l = newLAN(config(100), config(100))
	l.Start("r1")
	l.Run(4 * time.Second)
	l.Start("r2")
	l.Run(10 * time.Second)
	wantMasters(t, l, "r1")
}

// TestSplitBrainAndHeal: a cut link makes two masters; on healing, the
// lower one yields at the first advert it hears (RFC 5798 §6.4.3), after
// keepalived's master has answered its lower-priority advert.
func TestSplitBrainAndHeal(t *testing.T) {
	l := newLAN(config(150), config(100))
	l.Start()
	l.Run(5 * time.Second)
	l.ResetTranscript()
	l.Cut("r1", "r2")
	l.Run(5 * time.Second)
	wantMasters(t, l, "r1", "r2")
	// r1's last advert reached r2 at 4.414062: 3.609375 s later r2 takes over.
	wantTranscript(t, l, "t=8.023437 r2 addVIPs", "t=8.023437 r2 garp x5", "t=8.023437 r2 state BACKUP->MASTER",
		"t=8.414062 r1 garp x5")
	l.Heal()
	l.Run(2 * time.Second)
	wantMasters(t, l, "r1")
	wantTranscript(t, l,
		"t=10.023437 r1 garp x5", "t=10.023437 r1 notify master_rx_lower_pri",
		"t=10.023437 r2 removeVIPs", "t=10.023437 r2 state MASTER->BACKUP")
	l.Isolate("r1")
	l.Run(4 * time.Second)
	wantMasters(t, l, "r1", "r2")
}

// TestConfigMismatchDualMaster: adverts that fail Check are dropped, so a
// VRRPv2 interval or authentication mismatch gives two masters (reference
// §7.4; RFC 3768 §7.1).
func TestConfigMismatchDualMaster(t *testing.T) {
	slow := config(100)
	slow.AdvertInt = 2 * time.Second
	l := newLAN(config(150), slow)
	l.Start()
	l.Run(8 * time.Second)
	wantMasters(t, l, "r1", "r2")
	if got := l.Transcript(); !slices.Contains(got, "t=3.414062 r2 drop advert from r1: advertisement interval mismatch mine=2 sec rcv'd=1 sec") {
		t.Errorf("transcript %q", got)
	}

	l = NewLAN(t0)
	a, b := spec(1, config(150)), spec(2, config(100))
	a.AuthType, a.AuthPass = vrrp.AuthPass, "secret"
	b.AuthType, b.AuthPass = vrrp.AuthPass, "other"
	l.Add(a)
	l.Add(b)
	l.Start()
	l.Run(8 * time.Second)
	wantMasters(t, l, "r1", "r2")
	if got := l.Transcript(); !slices.Contains(got, "t=3.414062 r2 drop advert from r1: received an invalid passwd!") {
		t.Errorf("transcript %q", got)
	}
}

// TestV3IntervalAdoption: RFC 5798 §6.4.2, a VRRPv3 backup with a
// different advert_int adopts the master's, so no dual master, and its
// Master_Down_Interval follows the master's interval.
func TestV3IntervalAdoption(t *testing.T) {
	fast := v3(config(100))
	fast.AdvertInt = 500 * time.Millisecond
	l := newLAN(v3(config(150)), fast)
	l.Start()
	l.Run(10 * time.Second)
	wantMasters(t, l, "r1")
	if got := l.Router("r2").Machine().MasterAdverInt(); got != time.Second {
		t.Errorf("r2 Master_Adver_Interval %v, want 1s", got)
	}
	l.ResetTranscript()
	l.Isolate("r1")
	l.Run(4 * time.Second)
	// r1's last advert reached r2 at t=10 (3.414062+6 rounds of 1s ...):
	// take-over is 3×1s + (256-100)×1s/256 = 3.609375 s after it.
	got := l.Transcript()
	if len(got) == 0 || !strings.HasSuffix(got[len(got)-1], "r2 state BACKUP->MASTER") {
		t.Fatalf("transcript %q", got)
	}
	wantTranscript(t, l, "t=13.023437 r2 addVIPs", "t=13.023437 r2 garp x5", "t=13.023437 r2 state BACKUP->MASTER")
}

// TestEffectivePriorityChange: tracking lowers the master's priority below
// the backup's; the backup discards its adverts and takes over when its
// down timer runs out (reference §7.6).
func TestEffectivePriorityChange(t *testing.T) {
	l := newLAN(config(150), config(100))
	l.Start()
	l.Run(10 * time.Second)
	l.ResetTranscript()
	l.SetPriority("r1", 90)
	l.Run(5 * time.Second)
	wantTranscript(t, l,
		"t=13.023437 r2 addVIPs", "t=13.023437 r2 garp x5", "t=13.023437 r2 state BACKUP->MASTER",
		"t=13.023437 r1 removeVIPs", "t=13.023437 r1 state MASTER->BACKUP")
	l.SetPriority("r1", 200) // preempts back
	l.Run(5 * time.Second)
	wantMasters(t, l, "r1")
}

// TestFaultAndRecovery: a faulty master advertises priority 0 and the
// backup takes over after Skew_Time; once cleared it preempts back.
func TestFaultAndRecovery(t *testing.T) {
	l := newLAN(config(150), config(100))
	l.Start()
	l.Run(10 * time.Second)
	l.ResetTranscript()
	l.SetFault("r1", true, "chk_haproxy")
	l.Run(2 * time.Second)
	wantTranscript(t, l,
		"t=10 r1 removeVIPs", "t=10 r1 state MASTER->FAULT",
		"t=10.609375 r2 addVIPs", "t=10.609375 r2 garp x5", "t=10.609375 r2 state BACKUP->MASTER")
	l.SetFault("r1", false, "")
	l.Run(5 * time.Second)
	wantTranscript(t, l,
		"t=12 r1 state FAULT->BACKUP",
		"t=15.414062 r1 addVIPs", "t=15.414062 r1 garp x5", "t=15.414062 r1 state BACKUP->MASTER",
		"t=15.414062 r2 removeVIPs", "t=15.414062 r2 state MASTER->BACKUP")
}

// TestLowerPrioNoAdvert: with lower_prio_no_advert (the RFC 5798 §6.4.3
// behaviour) a master does not answer a lower-priority master's adverts,
// so after a split that master only yields when it hears ours.
func TestLowerPrioNoAdvert(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		c := config(150)
		c.LowerPrioNoAdvert = quiet
		l := newLAN(c, config(100))
		l.Record |= KindAdvert
		l.Start()
		l.Run(5 * time.Second)
		l.Cut("r1", "r2")
		l.Run(5 * time.Second)
		l.Heal()
		l.ResetTranscript()
		l.Run(time.Second)
		want := []string{"t=10.023437 r2 advert prio 100", "t=10.023437 r1 advert prio 150",
			"t=10.023437 r1 garp x5", "t=10.023437 r1 notify master_rx_lower_pri",
			"t=10.023437 r2 removeVIPs", "t=10.023437 r2 state MASTER->BACKUP"}
		if quiet {
			want = []string{"t=10.023437 r2 advert prio 100", "t=10.023437 r1 garp x5",
				"t=10.023437 r1 notify master_rx_lower_pri", "t=10.414062 r1 advert prio 150",
				"t=10.414062 r2 removeVIPs", "t=10.414062 r2 state MASTER->BACKUP"}
		}
		wantTranscript(t, l, want...)
	}
}
