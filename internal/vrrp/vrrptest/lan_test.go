package vrrptest

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// TestLANDropAndLatency: DropNext and Drop lose adverts, Latency delays
// them, and an IPv6 VRRPv3 LAN goes through the same Check.
func TestLANDropAndLatency(t *testing.T) {
	l := newLAN(config(150), config(100))
	l.Start()
	l.Run(5 * time.Second)
	l.ResetTranscript()
	l.DropNext("r1", 4) // adverts at 5.414062, 6.414062, 7.414062 and r1's answer at 8.023437 lost
	l.Run(4 * time.Second)
	wantTranscript(t, l,
		"t=8.023437 r2 addVIPs", "t=8.023437 r2 garp x5", "t=8.023437 r2 state BACKUP->MASTER",
		"t=8.023437 r1 garp x5", "t=8.023437 r1 notify master_rx_lower_pri",
		"t=8.414062 r1 garp x5")
	l.Run(2 * time.Second)
	wantMasters(t, l, "r1")

	l = newLAN(config(150), config(100))
	l.Latency = 100 * time.Millisecond
	l.Drop = func(from, to string, a vrrp.Advert) bool { return a.Priority == 0 }
	l.Start()
	l.Run(5 * time.Second)
	l.ResetTranscript()
	l.Stop("r1") // its priority 0 advert is dropped: a full Master_Down_Interval
	l.Run(4 * time.Second)
	wantTranscript(t, l, "t=5 r1 removeVIPs", "t=5 r1 state MASTER->STOP",
		"t=8.123437 r2 addVIPs", "t=8.123437 r2 garp x5", "t=8.123437 r2 state BACKUP->MASTER")

	l = NewLAN(t0)
	for i, p := range []int{100, 200} {
		c := v3(config(p))
		c.Family = vrrp.IPv6
		l.Add(Spec{Name: fmt.Sprintf("r%d", i+1), Config: c,
			Addr: netip.MustParseAddr(fmt.Sprintf("fe80::%d", i+1)),
			VIPs: []netip.Addr{netip.MustParseAddr("fe80::100"), netip.MustParseAddr("2001:db8::100")}})
	}
	l.Start()
	l.Run(10 * time.Second)
	wantTranscript(t, l, "t=0 r1 state INIT->BACKUP", "t=0 r2 state INIT->BACKUP",
		"t=3.21875 r2 addVIPs", "t=3.21875 r2 garp x5", "t=3.21875 r2 state BACKUP->MASTER",
		"t=8.21875 r2 garp x5")
}

// TestLANTimersMirrorMachine: the timers the actions armed are exactly the
// Machine's deadlines, so a caller driving one real timer from SetTimer
// and StopTimer misses nothing.
func TestLANTimersMirrorMachine(t *testing.T) {
	l := newLAN(config(150), config(100))
	l.Start()
	for i := 0; i < 20; i++ {
		l.Run(700 * time.Millisecond)
		checkMirror(t, l)
	}
}

// checkMirror compares every router's action-armed timers with its Machine.
func checkMirror(t *testing.T, l *LAN) {
	t.Helper()
	for _, r := range l.Routers() {
		got := r.Timers()
		for _, tm := range []vrrp.Timer{vrrp.TimerAdvert, vrrp.TimerMasterDown, vrrp.TimerGARP} {
			want, ok := r.Machine().Deadline(tm)
			if g, armed := got[tm]; armed != ok || !g.Equal(want) {
				t.Fatalf("t=%s %s timer %v: actions say %v/%v, machine %v/%v", l.stamp(l.now), r.Name(), tm,
					g, armed, want, ok)
			}
		}
	}
}

// TestRandomizedElections drives random LANs through random priority
// changes, faults, cuts, isolation, loss and stops. The Machine must never
// make an illegal transition or an inconsistent action stream, and once the
// LAN is healed, after Master_Down_Interval and an advert round, at most
// one router is master, and exactly one if any can be (RFC 5798 §6.4).
func TestRandomizedElections(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 50
	}
	for seed := 1; seed <= seeds; seed++ {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		l := randomLAN(rng)
		lossy := false
		l.Drop = func(string, string, vrrp.Advert) bool { return lossy && rng.IntN(4) == 0 }
		l.Start()
		for k := 0; k < 40; k++ {
			lossy = randomEvent(rng, l, lossy)
			l.Run(time.Duration(rng.IntN(5000)) * time.Millisecond)
			checkMirror(t, l)
		}
		l.Heal()
		lossy = false
		l.Run(6 * time.Second) // > 3 × 1 s + Skew_Time + one advert
		masters := l.Masters()
		alive := 0
		for _, r := range l.Routers() {
			if s := r.Machine().State(); s == vrrp.StateBackup || s == vrrp.StateMaster {
				alive++
			}
		}
		if errs := l.Errors(); len(errs) > 0 || len(masters) > 1 || (alive > 0) != (len(masters) == 1) {
			tr := l.Transcript()
			t.Fatalf("seed %d: masters %q of %d alive, errors %q; transcript tail:\n\t%s", seed, masters, alive,
				errs, strings.Join(tr[max(0, len(tr)-40):], "\n\t"))
		}
	}
}

// randomLAN builds 2 to 4 routers with random priorities and options, all
// VRRPv2 or all VRRPv3.
func randomLAN(rng *rand.Rand) *LAN {
	l := NewLAN(t0)
	version := 2 + rng.IntN(2)
	for i := 1; i <= 2+rng.IntN(3); i++ {
		c := config(1 + rng.IntN(254))
		if rng.IntN(10) == 0 {
			c.Priority = vrrp.PriorityOwner
		}
		c.Version = version
		c.Nopreempt = rng.IntN(3) == 0
		c.LowerPrioNoAdvert = rng.IntN(2) == 0
		c.HigherPrioSendAdvert = rng.IntN(2) == 0
		if rng.IntN(3) == 0 {
			c.PreemptDelay = time.Duration(1+rng.IntN(5)) * time.Second
		}
		l.Add(spec(i, c))
	}
	return l
}

// randomEvent applies one random disturbance and returns the new loss flag.
func randomEvent(rng *rand.Rand, l *LAN, lossy bool) bool {
	rs := l.Routers()
	r := rs[rng.IntN(len(rs))].Name()
	o := rs[rng.IntN(len(rs))].Name()
	switch rng.IntN(10) {
	case 0, 1:
		l.SetPriority(r, 1+rng.IntN(254))
	case 2:
		l.SetFault(r, rng.IntN(2) == 0, "chk")
	case 3:
		if r != o {
			l.Cut(r, o)
		}
	case 4:
		l.Isolate(r)
	case 5, 6:
		l.Heal()
	case 7:
		l.DropNext(r, rng.IntN(4))
	case 8:
		return !lossy
	case 9:
		if rng.IntN(4) == 0 {
			l.Stop(r)
		}
	}
	return lossy
}
