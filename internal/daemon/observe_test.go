package daemon

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// observed returns the observation of the router's one instance.
func observed(t *testing.T, st *Status) InstanceObservation {
	t.Helper()
	o := st.Observe()
	if len(o.Instances) != 1 {
		t.Fatalf("%d instances observed, want 1", len(o.Instances))
	}
	return o.Instances[0]
}

// transitions returns the instance's transitions as "FROM>TO reason=N".
func transitions(in InstanceObservation) []string {
	var out []string
	for _, t := range in.Transitions {
		out = append(out, t.From.String()+">"+t.To.String()+" "+t.Reason+"="+strings.Repeat("I", int(t.Count)))
	}
	return out
}

// TestObserveFailover: what the metrics read follows the VRRP traffic: the
// base and effective priority, the transitions by edge and reason, the
// master-down timer served, two masters at once, adverts dropped by the
// failed check.
func TestObserveFailover(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		a := startRouter(t, h, "192.0.2.1", "150")
		b := startRouter(t, h, "192.0.2.2", "100")
		waitUntil(t, "a holds the VIP and b does not", func() bool { return a.holds() && !b.holds() })

		oa, ob := observed(t, a.status), observed(t, b.status)
		if oa.Config == nil || oa.Config.VRID != 7 || oa.Interface != "eth0" {
			t.Errorf("a's configuration: %+v, interface %q", oa.Config, oa.Interface)
		}
		if oa.BasePriority != 150 || oa.EffectivePriority != 150 || oa.MasterAddr != "192.0.2.1" {
			t.Errorf("a: base %d, effective %d, master %q", oa.BasePriority, oa.EffectivePriority, oa.MasterAddr)
		}
		if got, want := transitions(oa), []string{"INIT>BACKUP init=I", "BACKUP>MASTER master down=I"}; !slices.Equal(got, want) {
			t.Errorf("a's transitions %q, want %q", got, want)
		}
		if got, want := transitions(ob), []string{"INIT>BACKUP init=I"}; !slices.Equal(got, want) {
			t.Errorf("b's transitions %q, want %q", got, want)
		}
		if ob.MasterAddr != "192.0.2.1" || ob.OtherMasterAdverts != 0 || oa.OtherMasterAdverts != 0 {
			t.Errorf("b: master %q; other masters: a %d, b %d", ob.MasterAddr, oa.OtherMasterAdverts, ob.OtherMasterAdverts)
		}
		if n := a.status.Observe().MasterDownLateness.Count(); n != 1 {
			t.Errorf("a's master-down timer served %d times, want 1", n)
		}
		if !a.status.Observe().Serving || a.status.Observe().Loaded.IsZero() {
			t.Error("a does not say it serves a loaded configuration")
		}

		// Tracking takes 60 off a: b preempts.
		a.net.SetLink("eth1", false)
		waitUntil(t, "b holds the VIP", func() bool { return b.holds() && !a.holds() })
		oa = observed(t, a.status)
		if oa.BasePriority != 150 || oa.EffectivePriority != 90 {
			t.Errorf("a after eth1 down: base %d, effective %d, want 150 and 90", oa.BasePriority, oa.EffectivePriority)
		}
		if !slices.Contains(transitions(oa), "MASTER>BACKUP higher priority advert=I") {
			t.Errorf("a's transitions %q lack MASTER>BACKUP", transitions(oa))
		}

		// b goes silent on the wire but keeps listening: a takes over
		// while b still thinks it is master, and b hears a second master.
		h.mu.Lock()
		for _, e := range h.eps {
			if e.src == netip.MustParseAddr("192.0.2.2") {
				e.mute = true
			}
		}
		h.mu.Unlock()
		waitUntil(t, "both hold the VIP", func() bool { return a.holds() && b.holds() })
		waitUntil(t, "b counts a as a second master", func() bool { return observed(t, b.status).OtherMasterAdverts > 0 })
		ob = observed(t, b.status)
		if ob.OtherMaster != netip.MustParseAddr("192.0.2.1") || ob.OtherMasterAt.IsZero() {
			t.Errorf("b's other master %v at %v", ob.OtherMaster, ob.OtherMasterAt)
		}

		// A VRRPv2 advert for the VRRPv3 instances: dropped by the
		// version check, keepalived logs and counts nothing else.
		ep, err := h.open("192.0.2.3")(socket.Options{VRID: 7})
		if err != nil {
			t.Fatal(err)
		}
		adv := vrrp.Advert{Version: 2, Type: vrrp.TypeAdvertisement, VRID: 7, Priority: 200, AdvertInt: 1,
			Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}
		if err := ep.Send(adv); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "a drops the VRRPv2 advert", func() bool {
			return slices.Equal(observed(t, a.status).Drops, []DropCount{{Reason: "version", Count: 1}})
		})
		a.stop()
		if got := transitions(observed(t, a.status)); !slices.Contains(got, "MASTER>STOP stop=I") {
			t.Errorf("a's transitions after stop: %q", got)
		}
	})
}

// blockingNet is a viptest.Fake whose AddAddress waits for release: the
// instance adding its VIPs hangs.
type blockingNet struct {
	*viptest.Fake
	entered chan struct{}
	release chan struct{}
}

func (n blockingNet) AddAddress(a *config.Address) error {
	n.entered <- struct{}{}
	<-n.release
	return n.Fake.AddAddress(a)
}

// TestAliveReady: Alive holds while every instance's goroutine answers and
// fails while one hangs or after the stop; Ready holds once the
// configuration runs with no instance in INIT.
func TestAliveReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := NewStatus()
		if err := st.Ready(); !errors.Is(err, ErrNotServing) || !strings.Contains(err.Error(), "starting") {
			t.Errorf("Ready before the start: %v", err)
		}
		if err := st.Alive(context.Background()); err != nil {
			t.Errorf("Alive before the start: %v", err)
		}
		net := blockingNet{Fake: &viptest.Fake{}, entered: make(chan struct{}), release: make(chan struct{})}
		net.SetLink("eth0", true)
		net.SetLink("eth1", true)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, loadConfig(t, strings.Replace(routerConf, "PRIO", "150", 1)), Deps{
				Net: net, Links: net.Fake, Open: (&hub{}).open("192.0.2.1"),
				SourceAddr: func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr("192.0.2.1"), nil },
			}, st)
		}()
		waitUntil(t, "ready", func() bool { return st.Ready() == nil })
		alive := func() error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			return st.Alive(ctx)
		}
		if err := alive(); err != nil {
			t.Errorf("Alive in BACKUP: %v", err)
		}
		<-net.entered // MASTER: the instance hangs adding its VIP
		if err := alive(); err == nil || !strings.Contains(err.Error(), "(VI_1)") {
			t.Errorf("Alive with a hung instance: %v", err)
		}
		close(net.release)
		if err := alive(); err != nil {
			t.Errorf("Alive once the instance is back: %v", err)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := st.Alive(context.Background()); !errors.Is(err, ErrNotServing) {
			t.Errorf("Alive after the stop: %v", err)
		}
		if err := st.Ready(); !errors.Is(err, ErrNotServing) {
			t.Errorf("Ready after the stop: %v", err)
		}
	})
}

const scriptConf = `global_defs {
    enable_script_security
    script_user root
}
vrrp_script chk {
    script "/usr/local/bin/chk.sh"
    interval 1
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 9
    priority 150
    version 3
    advert_int 0.05
    track_script {
        chk
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
`

// TestObserveScripts: an instance held for its script's first result is
// in INIT, so not ready, while the run shows as running; the runs are
// counted by exit status with their durations; reloads are counted.
func TestObserveScripts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := &viptest.Fake{}
		net.SetLink("eth0", true)
		exec := &scriptstest.Exec{Hold: make(chan scripts.Result)}
		reloads := make(chan Reload)
		st, _ := startDaemon(t, loadConfig(t, scriptConf), Deps{Net: net, Links: net, Scripts: exec, Reloads: reloads})
		waitUntil(t, "the script runs", func() bool {
			o := st.Observe()
			return o.Serving && len(o.Scripts) == 1 && o.Scripts[0].Running
		})
		if err := st.Ready(); err == nil || !strings.Contains(err.Error(), "(VI_1) is in INIT") {
			t.Errorf("Ready while the instance waits for its script: %v", err)
		}
		if s := st.Observe().Scripts[0]; s.Name != "chk" || s.Known {
			t.Errorf("before the first result: %+v", s)
		}
		time.Sleep(300 * time.Millisecond)
		exec.Hold <- scripts.Result{}
		waitUntil(t, "ready", func() bool { return st.Ready() == nil })
		s := st.Observe().Scripts[0]
		if !s.Known || !s.OK || !slices.Equal(s.Exits, []ExitCount{{Exit: "0", Count: 1}}) {
			t.Errorf("after a success: %+v", s)
		}
		// The run took 300 ms of virtual time, and the few ms the wait
		// for it to show as running polled: bucket (0.25, 0.5].
		if i := slices.Index(s.Duration.Bounds, 0.5); s.Duration.Counts[i] != 1 || s.Duration.Sum < 0.3 || s.Duration.Sum > 0.35 {
			t.Errorf("duration %+v", s.Duration)
		}
		exec.Hold <- scripts.Result{ExitCode: 2}
		exec.Hold <- scripts.Result{TimedOut: true, Signal: 15}
		waitUntil(t, "three runs", func() bool { return st.Observe().Scripts[0].Duration.Count() == 3 })
		s = st.Observe().Scripts[0]
		if want := []ExitCount{{"0", 1}, {"2", 1}, {"timeout", 1}}; !slices.Equal(s.Exits, want) || s.OK {
			t.Errorf("after three runs: %+v, want exits %v and BAD", s, want)
		}

		res := make(chan error, 1)
		reloads <- Reload{Config: loadConfig(t, scriptConf), Done: res}
		if err := <-res; err != nil {
			t.Fatal(err)
		}
		st.ReloadRejected()
		if got := st.Observe().Reloads; got != (ReloadCounts{OK: 1, Rejected: 1}) {
			t.Errorf("reloads %+v", got)
		}
	})
}

// TestTransitionReasons: reasons are counted by class (up to the first
// colon), each edge and class once.
func TestTransitionReasons(t *testing.T) {
	var o observations
	for _, sc := range []vrrp.StateChange{
		{From: vrrp.StateInit, To: vrrp.StateFault, Reason: "init: interface eth0 down"},
		{From: vrrp.StateFault, To: vrrp.StateBackup, Reason: "fault cleared"},
		{From: vrrp.StateBackup, To: vrrp.StateFault, Reason: "fault: script chk"},
		{From: vrrp.StateFault, To: vrrp.StateBackup, Reason: "fault cleared"},
		{From: vrrp.StateBackup, To: vrrp.StateFault, Reason: "fault: interface eth1 down"},
	} {
		o.transition(sc)
	}
	c := &counters{}
	c.obs.transitions.Store(o.transitions.Load())
	got := transitions(c.observe("VI_1"))
	want := []string{"INIT>FAULT init=I", "FAULT>BACKUP fault cleared=II", "BACKUP>FAULT fault=II"}
	if !slices.Equal(got, want) {
		t.Errorf("transitions %q, want %q", got, want)
	}
}

// TestHistogram: an observation falls in the first bucket whose bound is
// at least its value.
func TestHistogram(t *testing.T) {
	h := newHistogram([]float64{0.001, 0.01})
	for _, d := range []time.Duration{0, time.Millisecond, 2 * time.Millisecond, time.Second, -time.Second} {
		h.observe(d)
	}
	s := h.snapshot()
	if !slices.Equal(s.Counts, []uint64{3, 1, 1}) || s.Count() != 5 || s.Sum != 1.003 {
		t.Errorf("histogram %+v", s)
	}
}
