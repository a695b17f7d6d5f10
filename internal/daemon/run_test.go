package daemon

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// hub is an in-memory multicast segment: what one endpoint sends, every
// other endpoint of the same VRID receives, as the socket layer would
// deliver it (an IPv4 packet with keepalived's header).
type hub struct {
	mu  sync.Mutex
	eps []*hubEndpoint
}

type hubEndpoint struct {
	hub    *hub
	src    netip.Addr
	vrid   uint8
	ch     chan socket.Packet
	id     uint16
	closed bool
	// refresh is the receive fast path, as the socket pool's; fast
	// counts the adverts it took, sent those this endpoint sent.
	refresh socket.Refresher
	fast    int
	sent    int
	last    time.Time // when it last sent
	// mute drops what the endpoint sends: its host went silent.
	mute bool
}

func (e *hubEndpoint) Refresh() *socket.Refresher { return &e.refresh }

func (h *hub) open(src string) func(socket.Options) (Endpoint, error) {
	return func(o socket.Options) (Endpoint, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		e := &hubEndpoint{hub: h, src: netip.MustParseAddr(src), vrid: o.VRID, ch: make(chan socket.Packet, 64)}
		h.eps = append(h.eps, e)
		return e, nil
	}
}

func (e *hubEndpoint) Packets() <-chan socket.Packet { return e.ch }
func (e *hubEndpoint) SetLegacyChecksum(bool)        {}

func (e *hubEndpoint) Send(adv vrrp.Advert) error {
	dst := netip.MustParseAddr("224.0.0.18")
	payload, err := adv.Marshal(e.src, dst)
	if err != nil {
		return err
	}
	e.id = vrrp.NextIPv4ID(e.id)
	pkt, err := vrrp.NewAdvertIPv4Header(e.src, dst, e.id, 255).MarshalPacket(payload)
	if err != nil {
		return err
	}
	e.hub.mu.Lock()
	defer e.hub.mu.Unlock()
	if e.mute {
		return nil
	}
	e.sent++
	e.last = time.Now()
	for _, o := range e.hub.eps {
		if o != e && !o.closed && o.vrid == adv.VRID {
			p := socket.Packet{Data: pkt, Family: vrrp.IPv4, Src: e.src, Dst: dst, HopLimit: 255}
			if o.refresh.Match(p, time.Now()) {
				o.fast++
				continue
			}
			select {
			case o.ch <- p:
			default:
			}
		}
	}
	return nil
}

func (e *hubEndpoint) Close() error {
	e.hub.mu.Lock()
	defer e.hub.mu.Unlock()
	e.closed = true
	return nil
}

func loadConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, diags := confparse.Load("/t.conf", confparse.Options{
		Read: confparse.ReadOptions{FS: confparse.MemFS{"/t.conf": text}},
		Env:  allEnv{},
	})
	if diags.CannotRun() || diags.ExitCode() != 0 {
		t.Fatalf("config: %v", diags)
	}
	return cfg
}

type allEnv struct{}

func (allEnv) InterfaceExists(string) bool                 { return true }
func (allEnv) InterfaceWithAddr(netip.Addr) (string, bool) { return "", false }
func (allEnv) UserExists(string) bool                      { return true }
func (allEnv) LookPath(name string) (string, error)        { return "/usr/bin/" + name, nil }
func (allEnv) Executable(string) bool                      { return true }

const routerConf = `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 7
    priority PRIO
    version 3
    advert_int 0.05
    track_interface {
        eth1 weight -60
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
`

type router struct {
	net    *viptest.Fake
	status *Status
	cancel context.CancelFunc
	done   chan struct{}
}

func startRouter(t *testing.T, h *hub, src string, prio string) *router {
	t.Helper()
	return startRouterWith(t, h, src, prio, nil)
}

// startRouterWith is startRouter with the Deps changed by with, if not nil.
func startRouterWith(t *testing.T, h *hub, src string, prio string, with func(*Deps)) *router {
	t.Helper()
	cfg := loadConfig(t, strings.Replace(routerConf, "PRIO", prio, 1))
	r := &router{net: &viptest.Fake{}, status: NewStatus(), done: make(chan struct{})}
	r.net.SetLink("eth0", true)
	r.net.SetLink("eth1", true)
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	deps := Deps{
		Net: r.net, Links: r.net, Addrs: r.net, Open: h.open(src),
		SourceAddr: func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr(src), nil },
	}
	if with != nil {
		with(&deps)
	}
	go func() {
		defer close(r.done)
		if err := Run(ctx, cfg, deps, r.status); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *router) stop() {
	r.cancel()
	<-r.done
}

func (r *router) holds() bool {
	return slices.Contains(r.net.Addresses("eth0"), netip.MustParsePrefix("192.0.2.100/24"))
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition with a deadline
	}
}

// TestRunTrackInterfaceWeight: a master whose tracked interface goes down
// loses 60 priority, so the backup preempts it and the VIP moves; when the
// interface comes back the first router takes it back (reference §4.1).
func TestRunTrackInterfaceWeight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		a := startRouter(t, h, "192.0.2.1", "150")
		b := startRouter(t, h, "192.0.2.2", "100")
		waitUntil(t, "a holds the VIP and b does not", func() bool { return a.holds() && !b.holds() })

		a.net.SetLink("eth1", false) // 150 - 60 = 90 < 100
		waitUntil(t, "b holds the VIP and a does not", func() bool { return b.holds() && !a.holds() })
		a.net.SetLink("eth1", true)
		waitUntil(t, "a holds the VIP again", func() bool { return a.holds() && !b.holds() })

		a.stop()
		b.stop()
		if a.holds() || b.holds() {
			t.Errorf("VIP left after stop: a %v, b %v", a.net.Addresses("eth0"), b.net.Addresses("eth0"))
		}
		tr := strings.Join(a.net.Transcript(), "\n")
		for _, want := range []string{"addr add 192.0.2.100/24 dev eth0", "garp 192.0.2.100 dev eth0 x5", "addr del 192.0.2.100/24 dev eth0"} {
			if !strings.Contains(tr, want) {
				t.Errorf("a's transcript lacks %q:\n%s", want, tr)
			}
		}
		st := a.status.Snapshot()
		if len(st) != 1 || st[0].Stats.BecomeMaster < 2 || st[0].Stats.PriZeroSent == 0 || st[0].Stats.AdvertRcvd == 0 {
			t.Errorf("a's status: %+v", st)
		}
	})
}

// TestRunOwnInterfaceDown: the instance's own interface going down is a
// FAULT: the master gives up its VIP; back up, it returns to BACKUP and wins
// again.
func TestRunOwnInterfaceDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		a := startRouter(t, h, "192.0.2.1", "150")
		waitUntil(t, "a holds the VIP", a.holds)
		a.net.SetLink("eth0", false)
		waitUntil(t, "a drops the VIP", func() bool { return !a.holds() })
		if st := a.status.Snapshot(); st[0].State != vrrp.StateFault {
			t.Errorf("state %v, want FAULT", st[0].State)
		}
		a.net.SetLink("eth0", true)
		waitUntil(t, "a holds the VIP again", a.holds)
	})
}

// startDaemon runs Run on cfg with deps until stop is called or the test
// ends; Open defaults to a fresh hub and SourceAddr to 192.0.2.1. stop
// waits for Run and fails the test on its error.
func startDaemon(t *testing.T, cfg *config.Config, deps Deps) (status *Status, stop func()) {
	t.Helper()
	if deps.Open == nil {
		deps.Open = (&hub{}).open("192.0.2.1")
	}
	if deps.SourceAddr == nil {
		deps.SourceAddr = func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr("192.0.2.1"), nil }
	}
	status = NewStatus()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, deps, status) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(stop)
	return status, stop
}

// viptest.Fake stands in for *vip.Host behind every seam.
var (
	_ Net         = (*viptest.Fake)(nil)
	_ LinkWatcher = (*viptest.Fake)(nil)
	_ AddrWatcher = (*viptest.Fake)(nil)
)
