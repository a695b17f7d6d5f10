package daemon

import (
	"context"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

const trackConf = `global_defs {
    enable_script_security
    script_user root
}
vrrp_script chk_haproxy {
    script "/usr/local/bin/check_haproxy.sh"
    interval 1
    fall 1
    rise 1
    weight WEIGHT
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 11
    priority PRIO
    version 3
    advert_int 0.05
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_script {
        chk_haproxy
    }
}
`

// startTracked starts a router whose chk_haproxy fails while *failing is
// set.
func startTracked(t *testing.T, h *hub, src, prio, weight string, failing *atomic.Bool) *router {
	t.Helper()
	conf := strings.NewReplacer("PRIO", prio, "WEIGHT", weight).Replace(trackConf)
	cfg := loadConfig(t, conf)
	r := &router{net: &viptest.Fake{}, status: NewStatus(), done: make(chan struct{})}
	r.net.SetLink("eth0", true)
	exec := &scriptstest.Exec{Results: func(scripts.Command) scripts.Result {
		if failing.Load() {
			return scripts.Result{ExitCode: 1}
		}
		return scripts.Result{}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		if err := Run(ctx, cfg, Deps{
			Net: r.net, Links: r.net, Scripts: exec, Open: h.open(src),
			SourceAddr: func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr(src), nil },
		}, r.status); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	t.Cleanup(r.stop)
	return r
}

// TestRunTrackScriptWeight: the seed's haproxy check with weight -60 on the
// master: when it fails the backup preempts; when it recovers the first
// router takes the VIP back (reference §4.1).
func TestRunTrackScriptWeight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		var aFails, bFails atomic.Bool
		a := startTracked(t, h, "192.0.2.1", "150", "-60", &aFails)
		b := startTracked(t, h, "192.0.2.2", "100", "-60", &bFails)
		waitUntil(t, "a holds the VIP", func() bool { return a.holds() && !b.holds() })
		aFails.Store(true) // 150 - 60 = 90 < 100
		waitUntil(t, "b takes the VIP", func() bool { return b.holds() && !a.holds() })
		aFails.Store(false)
		waitUntil(t, "a takes the VIP back", func() bool { return a.holds() && !b.holds() })
	})
}

// TestRunTrackScriptFault: a weight 0 script that fails puts the instance in
// FAULT and its VIP goes; when it succeeds again the instance comes back.
func TestRunTrackScriptFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		var fails atomic.Bool
		a := startTracked(t, h, "192.0.2.1", "150", "0", &fails)
		waitUntil(t, "a holds the VIP", a.holds)
		fails.Store(true)
		waitUntil(t, "a drops the VIP in FAULT", func() bool {
			return !a.holds() && a.status.Snapshot()[0].State == vrrp.StateFault
		})
		fails.Store(false)
		waitUntil(t, "a holds the VIP again", a.holds)
	})
}
