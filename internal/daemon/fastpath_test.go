package daemon

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// endpoint returns the hub's endpoint of the router at src.
func (h *hub) endpoint(t *testing.T, src string) *hubEndpoint {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.eps {
		if e.src == netip.MustParseAddr(src) && !e.closed {
			return e
		}
	}
	t.Fatalf("no endpoint for %s", src)
	return nil
}

// TestRunLazyMasterDown runs a master and a backup on virtual time: the
// master's steady adverts reach the backup through its receive fast path
// (they only note their arrival), never fire its master-down timer and
// are all counted; once the master falls silent, the backup takes over
// exactly Master_Down_Interval after the last advert it heard (RFC 5798
// §6.4.2), not later for having slept through the adverts.
func TestRunLazyMasterDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		a := startRouter(t, h, "192.0.2.1", "150")
		b := startRouter(t, h, "192.0.2.2", "100")
		time.Sleep(2 * time.Second)
		if !a.holds() || b.holds() {
			t.Fatalf("after 2 s: a holds %v, b holds %v; want a alone", a.holds(), b.holds())
		}
		ae, be := h.endpoint(t, "192.0.2.1"), h.endpoint(t, "192.0.2.2")
		h.mu.Lock()
		sent0, fast0 := ae.sent, be.fast
		h.mu.Unlock()

		time.Sleep(10 * time.Second)
		h.mu.Lock()
		sent, fast := ae.sent-sent0, be.fast-fast0
		total, last := ae.sent, ae.last
		ae.mute = true // a's host goes silent, without a priority 0 advert
		h.mu.Unlock()
		// advert_int 0.05: 200 adverts in 10 s.
		if sent < 199 || sent > 201 {
			t.Errorf("a sent %d adverts in 10 s, want 200", sent)
		}
		if fast != sent {
			t.Errorf("b's fast path took %d of a's %d adverts, want all", fast, sent)
		}
		if st := b.status.Snapshot()[0]; st.State != vrrp.StateBackup || st.Stats.BecomeMaster != 0 {
			t.Fatalf("b: %+v, want BACKUP, never MASTER", st)
		}

		time.Sleep(time.Second)
		if !b.holds() {
			t.Fatal("b does not hold the VIP 1 s after a went silent")
		}
		st := b.status.Snapshot()[0]
		// Master_Down_Interval for priority 100 at 50 ms: 3 × 50 ms +
		// (256-100) × 50 ms / 256 = 180.468 ms (reference §7.5), from the
		// last advert b heard.
		mdi := 150*time.Millisecond + 30468*time.Microsecond
		if took := st.LastTransition.Sub(last); took != mdi {
			t.Errorf("b took over %v after a's last advert, want Master_Down_Interval %v", took, mdi)
		}
		if got := st.Stats.AdvertRcvd; got < uint64(total)-1 || got > uint64(total) {
			t.Errorf("b counted %d adverts received, a sent %d", got, total)
		}
	})
}
