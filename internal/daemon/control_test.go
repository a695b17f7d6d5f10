package daemon

import (
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// memDemotions is a DemotionStore in memory, shared by a router's runs.
type memDemotions struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (s *memDemotions) Load() (map[string]time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.m), nil
}

func (s *memDemotions) Save(m map[string]time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = maps.Clone(m)
	return nil
}

// ctlRouter is a router with a control channel.
type ctlRouter struct {
	*router
	ctl chan ControlRequest
}

func startCtlRouter(t *testing.T, h *hub, src, prio string, store DemotionStore) *ctlRouter {
	t.Helper()
	ctl := make(chan ControlRequest)
	r := startRouterWith(t, h, src, prio, func(d *Deps) { d.Control, d.Demotions = ctl, store })
	return &ctlRouter{router: r, ctl: ctl}
}

func (r *ctlRouter) ask(op ControlOp, d time.Duration, names ...string) ControlReply {
	reply := make(chan ControlReply, 1)
	r.ctl <- ControlRequest{Op: op, Names: names, For: d, Reply: reply}
	return <-reply
}

// TestControlDemote: a demoted master hands over to the backup within
// Skew_Time plus one advert, advertises priority 1, takes the VIP back when
// undemoted (preempt), and a timed demotion ends by itself.
func TestControlDemote(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		store := &memDemotions{}
		a := startCtlRouter(t, h, "192.0.2.1", "150", store)
		b := startCtlRouter(t, h, "192.0.2.2", "100", nil)
		waitUntil(t, "a holds the VIP", func() bool { return a.holds() && !b.holds() })

		start := time.Now()
		rep := a.ask(ControlDemote, 0, "VI_1")
		if rep.Err != nil || len(rep.Reports) != 1 {
			t.Fatalf("demote: %+v", rep)
		}
		waitUntil(t, "b holds the VIP", func() bool { return b.holds() && !a.holds() })
		// b (priority 100) takes over after its Skew_Time, once a's
		// priority 0 advert arrives; the polling adds at most 5 ms.
		skew := time.Duration((256 - 100) * int64(50*time.Millisecond) / 256)
		if took := time.Since(start); took > skew+50*time.Millisecond+5*time.Millisecond {
			t.Errorf("takeover took %v, want at most Skew_Time %v + one advert", took, skew)
		}
		r := a.ask(ControlReports, 0).Reports[0]
		if !r.Demoted || r.EffectivePriority != 1 || r.BasePriority != 150 || r.State != "BACKUP" || !r.DemotedUntil.IsZero() {
			t.Errorf("a's report while demoted: %+v", r)
		}
		if r.Master != "192.0.2.2" || r.MasterPriority != 100 || r.MasterHeard.IsZero() {
			t.Errorf("a's report: master %q/%d heard %v, want 192.0.2.2/100", r.Master, r.MasterPriority, r.MasterHeard)
		}
		if _, ok := store.m["VI_1"]; !ok {
			t.Errorf("demotion not stored: %v", store.m)
		}

		if rep := a.ask(ControlUndemote, 0, "VI_1"); rep.Err != nil || rep.Reports[0].Demoted {
			t.Fatalf("undemote: %+v", rep)
		}
		waitUntil(t, "a preempts again", func() bool { return a.holds() && !b.holds() })
		if len(store.m) != 0 {
			t.Errorf("undemoted, still stored: %v", store.m)
		}

		// A timed demotion ends by itself.
		start = time.Now()
		if rep := a.ask(ControlDemote, 2*time.Second, "VI_1"); rep.Err != nil || rep.Reports[0].DemotedUntil.IsZero() {
			t.Fatalf("timed demote: %+v", rep)
		}
		waitUntil(t, "b holds the VIP", func() bool { return b.holds() && !a.holds() })
		waitUntil(t, "a takes it back once the demotion ends", func() bool { return a.holds() && !b.holds() })
		if took := time.Since(start); took < 2*time.Second {
			t.Errorf("a came back after %v, before its 2s demotion ended", took)
		}
	})
}

// TestControlDemotionSurvivesRestart: a stored demotion applies from the
// start: the restarted higher-priority router stays backup.
func TestControlDemotionSurvivesRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		store := &memDemotions{m: map[string]time.Time{"VI_1": {}}}
		b := startCtlRouter(t, h, "192.0.2.2", "100", nil)
		waitUntil(t, "b holds the VIP", b.holds)
		a := startCtlRouter(t, h, "192.0.2.1", "150", store)
		waitUntil(t, "a is BACKUP", func() bool {
			st := a.status.Snapshot()
			return len(st) == 1 && st[0].State == vrrp.StateBackup
		})
		time.Sleep(time.Second) // virtual: 20 adverts, ample time to preempt were it not demoted
		if a.holds() || !b.holds() {
			t.Fatalf("restarted demoted router took the VIP: a %v b %v", a.holds(), b.holds())
		}
		if r := a.ask(ControlReports, 0).Reports[0]; !r.Demoted || r.EffectivePriority != 1 {
			t.Errorf("restarted a: %+v", r)
		}
	})
}

// TestControlRefusals: unknown instances and address owners are refused,
// with nothing changed.
func TestControlRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		store := &memDemotions{}
		a := startCtlRouter(t, h, "192.0.2.1", "255", store)
		waitUntil(t, "a holds the VIP", a.holds)
		if rep := a.ask(ControlDemote, 0, "VI_9"); !errors.Is(rep.Err, ErrUnknownInstance) {
			t.Errorf("demote VI_9: %v, want ErrUnknownInstance", rep.Err)
		}
		rep := a.ask(ControlDemote, 0, "VI_1")
		if rep.Err == nil || !strings.Contains(rep.Err.Error(), "address owner") {
			t.Errorf("demote an owner: %v, want a refusal naming the address owner", rep.Err)
		}
		if len(store.m) != 0 || !a.holds() {
			t.Errorf("refused demotion changed something: stored %v, holds %v", store.m, a.holds())
		}
		if r := a.ask(ControlReports, 0).Reports[0]; r.Demoted || !r.Owner || r.EffectivePriority != 255 {
			t.Errorf("owner's report: %+v", r)
		}
	})
}
