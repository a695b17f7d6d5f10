//go:build linux

package socket

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// inNetns runs f on the calling goroutine with its OS thread switched to the
// network namespace ns, so that sockets f opens live there, and switches
// back afterwards. If switching back fails, the thread stays locked and is
// discarded when the test's goroutine ends. f may call t.Fatal.
func inNetns(t *testing.T, ns *nstest.Netns, f func()) {
	t.Helper()
	runtime.LockOSThread()
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("open own namespace: %v", err)
	}
	defer unix.Close(orig)
	target, err := unix.Open(ns.Path(), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("open namespace %s: %v", ns, err)
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("setns %s: %v", ns, err)
	}
	defer func() {
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			t.Errorf("setns back from %s: %v", ns, err)
			return // The thread stays locked and dies with the goroutine.
		}
		runtime.UnlockOSThread()
	}()
	f()
}

// host is one namespace with a pool in it.
type host struct {
	ns   *nstest.Netns
	pool *Pool
	logs *syncWriter
	ll   netip.Addr // link-local address of eth0
}

// newHost returns a namespace attached to lan as eth0 with addrs and a pool
// for it, closed at the end of the test.
func newHost(t *testing.T, lan *nstest.LAN, name string, addrs ...string) *host {
	t.Helper()
	ns := nstest.NewNetns(t, name)
	lan.Attach(ns, "eth0", addrs...)
	w := &syncWriter{}
	h := &host{ns: ns, logs: w, pool: NewPool(slog.New(slog.NewTextHandler(w, nil)))}
	t.Cleanup(func() {
		if err := h.pool.Close(); err != nil {
			t.Errorf("close pool in %s: %v", ns, err)
		}
	})
	nstest.WaitFor(t, 5*time.Second, 20*time.Millisecond, func() (bool, string) {
		ps, err := ns.Addrs(context.Background(), "eth0")
		for _, p := range ps {
			if p.Addr().IsLinkLocalUnicast() {
				h.ll = p.Addr()
				return true, ""
			}
		}
		return false, fmt.Sprintf("no link-local address on eth0 in %s: %v %v", ns, ps, err)
	})
	return h
}

// open opens an endpoint in h's namespace.
func (h *host) open(t *testing.T, o Options) *Endpoint {
	t.Helper()
	if o.Ifname == "" {
		o.Ifname = "eth0"
	}
	var e *Endpoint
	var err error
	inNetns(t, h.ns, func() { e, err = h.pool.Open(o) })
	if err != nil {
		t.Fatalf("open %+v in %s: %v", o, h.ns, err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// newLAN returns a LAN with hosts a (…::1, .1) and b (…::2, .2).
func newLAN(t *testing.T) (*nstest.LAN, *host, *host) {
	t.Helper()
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "ip")
	lan := nstest.NewLAN(t)
	a := newHost(t, lan, "a", "192.0.2.1/24", "2001:db8::1/64")
	b := newHost(t, lan, "b", "192.0.2.2/24", "2001:db8::2/64")
	return lan, a, b
}

var (
	ip4a = netip.MustParseAddr("192.0.2.1")
	ip4b = netip.MustParseAddr("192.0.2.2")
	ip6a = netip.MustParseAddr("2001:db8::1")
	ip6b = netip.MustParseAddr("2001:db8::2")
)

// exchange is one advert sent by a and the expectations b checks it with.
type exchange struct {
	name     string
	optsA    Options
	optsB    Options
	advert   vrrp.Advert
	exp      vrrp.Expect
	hopLimit int
}

// exchanges returns the adverts TestIntegrationExchange sends.
func exchanges(a, b *host) []exchange {
	vip4 := []netip.Addr{netip.MustParseAddr("192.0.2.100")}
	vip6 := []netip.Addr{netip.MustParseAddr("2001:db8::100")}
	pass := [8]byte{'s', 'e', 'c', 'r', 'e', 't'}
	return []exchange{{
		name:  "v2-multicast-ipv4",
		optsA: Options{Family: vrrp.IPv4, VRID: 10, Src: ip4a},
		optsB: Options{Family: vrrp.IPv4, VRID: 10, Src: ip4b},
		advert: vrrp.Advert{Version: 2, Type: 1, VRID: 10, Priority: 150, AuthType: vrrp.AuthPass,
			AdvertInt: 1, Addrs: vip4, AuthData: pass},
		exp: vrrp.Expect{Name: "V2", Family: vrrp.IPv4, Version: 2, VRID: 10, AuthType: vrrp.AuthPass,
			AuthData: pass, AdvertInt: 1, VIPs: vip4},
		hopLimit: 255,
	}, {
		name:     "v3-unicast-ipv4",
		optsA:    Options{Family: vrrp.IPv4, VRID: 11, Src: ip4a, Peers: []netip.Addr{ip4b}},
		optsB:    Options{Family: vrrp.IPv4, VRID: 11, Src: ip4b, Peers: []netip.Addr{ip4a}},
		advert:   vrrp.Advert{Version: 3, Type: 1, VRID: 11, Priority: 150, MaxAdvertInt: 100, Addrs: vip4},
		exp:      vrrp.Expect{Name: "U4", Family: vrrp.IPv4, Version: 3, VRID: 11, VIPs: vip4, UnicastPeers: []vrrp.Peer{{Addr: ip4a, MaxTTL: 255}}, CheckUnicastSrc: true},
		hopLimit: 255,
	}, {
		name:     "v3-unicast-ipv4-ttl",
		optsA:    Options{Family: vrrp.IPv4, VRID: 12, Src: ip4a, Peers: []netip.Addr{ip4b}, UnicastTTL: 9},
		optsB:    Options{Family: vrrp.IPv4, VRID: 12, Src: ip4b, Peers: []netip.Addr{ip4a}},
		advert:   vrrp.Advert{Version: 3, Type: 1, VRID: 12, Priority: 150, MaxAdvertInt: 100, Addrs: vip4},
		exp:      vrrp.Expect{Name: "T4", Family: vrrp.IPv4, Version: 3, VRID: 12, VIPs: vip4, UnicastPeers: []vrrp.Peer{{Addr: ip4a}}},
		hopLimit: 9,
	}, {
		name:     "v3-multicast-ipv6",
		optsA:    Options{Family: vrrp.IPv6, VRID: 10, Src: a.ll},
		optsB:    Options{Family: vrrp.IPv6, VRID: 10, Src: b.ll},
		advert:   vrrp.Advert{Version: 3, Type: 1, VRID: 10, Priority: 150, MaxAdvertInt: 100, Addrs: vip6},
		exp:      vrrp.Expect{Name: "V6", Family: vrrp.IPv6, Version: 3, VRID: 10, VIPs: vip6},
		hopLimit: 255,
	}, {
		name:     "v3-unicast-ipv6",
		optsA:    Options{Family: vrrp.IPv6, VRID: 11, Src: ip6a, Peers: []netip.Addr{ip6b}, UnicastTTL: 17},
		optsB:    Options{Family: vrrp.IPv6, VRID: 11, Src: ip6b, Peers: []netip.Addr{ip6a}},
		advert:   vrrp.Advert{Version: 3, Type: 1, VRID: 11, Priority: 150, MaxAdvertInt: 100, Addrs: vip6},
		exp:      vrrp.Expect{Name: "U6", Family: vrrp.IPv6, Version: 3, VRID: 11, VIPs: vip6, UnicastPeers: []vrrp.Peer{{Addr: ip6a, MaxTTL: 255}}},
		hopLimit: 17,
	}}
}

// TestIntegrationExchange sends adverts between two namespaces over each
// transport and checks that they arrive whole, with TTL/hop limit 255 for
// multicast (RFC 5798 §5.1.1.3, §5.1.2.3) or unicast_ttl, and pass
// vrrp.Check.
func TestIntegrationExchange(t *testing.T) {
	_, a, b := newLAN(t)
	for _, x := range exchanges(a, b) {
		t.Run(x.name, func(t *testing.T) {
			ea := a.open(t, x.optsA)
			eb := b.open(t, x.optsB)
			// Resend until b hears one: the first multicast packets may
			// go out before the bridge has learnt anything.
			pkt := sendUntilHeard(t, ea, eb, x.advert)
			if pkt.HopLimit != x.hopLimit || pkt.IfIndex != eb.IfIndex() {
				t.Errorf("hop limit %d ifindex %d, want %d and %d", pkt.HopLimit, pkt.IfIndex, x.hopLimit, eb.IfIndex())
			}
			if x.optsA.Family == vrrp.IPv4 {
				checkIPv4Header(t, pkt)
			} else if want := x.optsA.Src; pkt.Src != want {
				t.Errorf("source %v, want %v", pkt.Src, want)
			}
			res, err := vrrp.Check(pkt.Received(), x.exp)
			if err != nil {
				t.Fatalf("vrrp.Check: %v", err)
			}
			if res.Advert.Priority != x.advert.Priority {
				t.Errorf("decoded %+v", res.Advert)
			}
			// Multicast is not looped back to the sender (IP_MULTICAST_LOOP 0).
			select {
			case p := <-ea.Packets():
				t.Errorf("sender heard %v -> %v", p.Src, p.Dst)
			default:
			}
		})
	}
}

// sendUntilHeard sends adv on from every 100ms until to receives a packet,
// for at most 5 seconds, and returns the first packet received.
func sendUntilHeard(t *testing.T, from, to *Endpoint, adv vrrp.Advert) Packet {
	t.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	for {
		if err := from.Send(adv); err != nil {
			t.Fatal(err)
		}
		select {
		case p := <-to.Packets():
			return p
		case <-deadline.C:
			t.Fatal("no advert received within 5s")
		case <-tick.C:
		}
	}
}

// checkIPv4Header checks the header keepalived builds (reference §7.2).
func checkIPv4Header(t *testing.T, pkt Packet) {
	t.Helper()
	h, err := vrrp.ParseIPv4Header(pkt.Data)
	if err != nil {
		t.Fatal(err)
	}
	if h.TOS != 0xc0 || h.Flags != 0 || h.ID == 0 || h.Protocol != 112 || h.Src != pkt.Src || int(h.TTL) != pkt.HopLimit {
		t.Errorf("IPv4 header %+v", h)
	}
}

// TestIntegrationManyVRIDs: a hundred instances on one interface share one
// socket pair and each hears only its own VRID.
func TestIntegrationManyVRIDs(t *testing.T) {
	_, a, b := newLAN(t)
	const n = 100
	var senders, receivers [n + 1]*Endpoint
	for vrid := 1; vrid <= n; vrid++ {
		senders[vrid] = a.open(t, Options{Family: vrrp.IPv4, VRID: uint8(vrid), Src: ip4a})
		receivers[vrid] = b.open(t, Options{Family: vrrp.IPv4, VRID: uint8(vrid), Src: ip4b, QueueLen: 64})
	}
	stray := a.open(t, Options{Family: vrrp.IPv4, VRID: 200, Src: ip4a})
	if got := strings.Count(b.logs.String(), "VRRP sockpool:"); got != 1 {
		t.Fatalf("%d sockets opened for %d instances, want 1:\n%s", got, n, b.logs)
	}
	advert := func(vrid int) vrrp.Advert {
		return vrrp.Advert{Version: 3, Type: 1, VRID: uint8(vrid), Priority: 100, MaxAdvertInt: 100,
			Addrs: []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(vrid)})}}
	}
	sendUntilHeard(t, senders[1], receivers[1], advert(1)) // the path works
	if err := stray.Send(advert(200)); err != nil {
		t.Fatal(err)
	}
	for vrid := 1; vrid <= n; vrid++ {
		if err := senders[vrid].Send(advert(vrid)); err != nil {
			t.Fatal(err)
		}
	}
	timeout := time.After(5 * time.Second)
	for vrid := 1; vrid <= n; vrid++ {
		select {
		case p := <-receivers[vrid].Packets():
			if got, _ := vrrp.PeekVRID(p.Data, vrrp.IPv4); got != uint8(vrid) {
				t.Errorf("endpoint %d received VRID %d", vrid, got)
			}
		case <-timeout:
			t.Fatalf("endpoint %d heard nothing", vrid)
		}
	}
	nstest.WaitFor(t, 5*time.Second, 10*time.Millisecond, func() (bool, string) {
		s := b.pool.Stats()
		return s.UnknownVRID >= 1, fmt.Sprintf("stats %+v", s)
	})
	for vrid := 1; vrid <= n; vrid++ {
		select {
		case p := <-receivers[vrid].Packets():
			got, _ := vrrp.PeekVRID(p.Data, vrrp.IPv4)
			t.Errorf("endpoint %d received an extra packet with VRID %d", vrid, got)
		default:
		}
	}
}

// keepalivedConf has one instance per transport; priority 100 starts them
// in BACKUP, so a priority 0 advert from us is logged at once with -D.
const keepalivedConf = `global_defs {
    router_id gk-socket-test
    vrrp_garp_master_delay 0
}
vrrp_instance K2 {
    interface eth0
    virtual_router_id 21
    priority 100
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass secret
    }
    virtual_ipaddress {
        192.0.2.121
    }
}
vrrp_instance K3U {
    interface eth0
    version 3
    virtual_router_id 22
    priority 100
    advert_int 0.5
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
    }
    virtual_ipaddress {
        192.0.2.122
    }
}
vrrp_instance K6 {
    interface eth0
    version 3
    virtual_router_id 23
    priority 100
    advert_int 0.5
    virtual_ipaddress {
        2001:db8::123
    }
}
`

// TestIntegrationKeepalived runs keepalived 2.2.7 in one namespace and our
// sockets in the other: keepalived accepts our priority 0 adverts over each
// transport ("Backup received priority 0 advertisement", so it verified our
// checksums), then becomes MASTER and its adverts reach our endpoints and
// pass vrrp.Check.
func TestIntegrationKeepalived(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "keepalived")
	_, a, b := newLAN(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(conf, []byte(keepalivedConf), 0o644); err != nil {
		t.Fatal(err)
	}
	pass := [8]byte{'s', 'e', 'c', 'r', 'e', 't'}
	cases := []struct {
		instance string
		opts     Options
		exp      vrrp.Expect
		advert   vrrp.Advert
	}{{
		instance: "K2",
		opts:     Options{Family: vrrp.IPv4, VRID: 21, Src: ip4b},
		exp: vrrp.Expect{Name: "K2", Family: vrrp.IPv4, Version: 2, VRID: 21, AuthType: vrrp.AuthPass,
			AuthData: pass, AdvertInt: 1, VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.121")}},
		advert: vrrp.Advert{Version: 2, Type: 1, VRID: 21, AuthType: vrrp.AuthPass, AdvertInt: 1, AuthData: pass,
			Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.121")}},
	}, {
		instance: "K3U",
		opts:     Options{Family: vrrp.IPv4, VRID: 22, Src: ip4b, Peers: []netip.Addr{ip4a}},
		exp: vrrp.Expect{Name: "K3U", Family: vrrp.IPv4, Version: 3, VRID: 22, CheckUnicastSrc: true,
			UnicastPeers: []vrrp.Peer{{Addr: ip4a, MaxTTL: 255}}, VIPs: []netip.Addr{netip.MustParseAddr("192.0.2.122")}},
		advert: vrrp.Advert{Version: 3, Type: 1, VRID: 22, MaxAdvertInt: 50,
			Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.122")}},
	}, {
		instance: "K6",
		opts:     Options{Family: vrrp.IPv6, VRID: 23, Src: b.ll},
		exp: vrrp.Expect{Name: "K6", Family: vrrp.IPv6, Version: 3, VRID: 23,
			VIPs: []netip.Addr{netip.MustParseAddr("2001:db8::123")}},
		advert: vrrp.Advert{Version: 3, Type: 1, VRID: 23, MaxAdvertInt: 50,
			Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::123")}},
	}}
	eps := make([]*Endpoint, len(cases))
	for i, c := range cases {
		eps[i] = b.open(t, c.opts)
	}
	k := a.ns.Start(t, "keepalived", "-n", "-l", "-D", "-P", "-f", conf,
		"-p", filepath.Join(dir, "keepalived.pid"), "-r", filepath.Join(dir, "vrrp.pid"))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("keepalived output:\n%s", k.Output())
		}
	})
	for _, c := range cases {
		k.WaitOutput(t, 10*time.Second, "("+c.instance+") Entering BACKUP STATE (init)")
	}
	if out := k.Output(); !strings.Contains(out, "VRRP sockpool: [ifindex(") {
		t.Logf("keepalived logged no sockpool line:\n%s", out)
	}
	// Priority 0 from us: keepalived's backup logs it (-D), having run its
	// receive checks, checksum included, on our packet.
	for i, c := range cases {
		want := "(" + c.instance + ") Backup received priority 0 advertisement"
		nstest.WaitFor(t, 10*time.Second, 100*time.Millisecond, func() (bool, string) {
			if strings.Contains(k.Output(), want) {
				return true, ""
			}
			if err := eps[i].Send(c.advert); err != nil {
				return false, err.Error()
			}
			return false, fmt.Sprintf("keepalived has not logged %q", want)
		})
	}
	// keepalived then takes over; its adverts must reach us and pass Check.
	for i, c := range cases {
		t.Run(c.instance, func(t *testing.T) {
			deadline := time.After(15 * time.Second)
			for {
				var p Packet
				select {
				case p = <-eps[i].Packets():
				case <-deadline:
					t.Fatalf("no advert from keepalived's %s", c.instance)
				}
				res, err := vrrp.Check(p.Received(), c.exp)
				if err != nil {
					t.Fatalf("vrrp.Check on keepalived's advert %x: %v", p.Data, err)
				}
				if res.Advert.Priority == 0 {
					continue // our own kind of advert cannot come back; keep waiting for a real one
				}
				if res.Advert.Priority != 100 || p.HopLimit != 255 {
					t.Errorf("advert %+v with hop limit %d", res.Advert, p.HopLimit)
				}
				if c.opts.Family == vrrp.IPv4 {
					checkIPv4Header(t, p)
				} else if !p.Src.IsLinkLocalUnicast() || p.Dst != DefaultGroup(vrrp.IPv6) {
					t.Errorf("IPv6 advert from %v to %v", p.Src, p.Dst)
				}
				return
			}
		})
	}
}

// TestIntegrationCapture captures our adverts on the LAN's bridge and has
// tshark (and tcpdump) decode them: VRRP with a correct checksum, for VRRPv2
// multicast, VRRPv3 IPv4 unicast and VRRPv3 IPv6 multicast.
func TestIntegrationCapture(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "tcpdump", "tshark")
	lan, _, b := newLAN(t) // a answers ARP for the unicast advert
	file := filepath.Join(t.TempDir(), "vrrp.pcap")
	dump := lan.Start(t, "tcpdump", "-i", nstest.BridgeName, "-n", "-U", "-c", "3", "-w", file,
		"ip proto 112 or ip6 proto 112")
	dump.WaitOutput(t, 10*time.Second, "listening on")
	vip4 := []netip.Addr{netip.MustParseAddr("192.0.2.100")}
	sends := []struct {
		opts   Options
		advert vrrp.Advert
	}{
		{Options{Family: vrrp.IPv4, VRID: 31, Src: ip4b},
			vrrp.Advert{Version: 2, Type: 1, VRID: 31, Priority: 100, AdvertInt: 1, Addrs: vip4}},
		{Options{Family: vrrp.IPv4, VRID: 32, Src: ip4b, Peers: []netip.Addr{ip4a}},
			vrrp.Advert{Version: 3, Type: 1, VRID: 32, Priority: 100, MaxAdvertInt: 100, Addrs: vip4}},
		{Options{Family: vrrp.IPv6, VRID: 33, Src: b.ll},
			vrrp.Advert{Version: 3, Type: 1, VRID: 33, Priority: 100, MaxAdvertInt: 100,
				Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::100")}}},
	}
	for _, s := range sends {
		if err := b.open(t, s.opts).Send(s.advert); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dump.Wait(10 * time.Second); err != nil {
		t.Fatalf("tcpdump did not capture 3 adverts: %v\n%s", err, dump.Output())
	}

	out, err := lan.Output(t.Context(), "tshark", "-r", file, "-V")
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if got := strings.Count(text, "Virtual Router Redundancy Protocol"); got != 3 {
		t.Errorf("tshark decoded %d VRRP packets, want 3:\n%s", got, text)
	}
	if got := strings.Count(text, "[Checksum Status: Good]"); got != 3 {
		t.Errorf("tshark found %d good VRRP checksums, want 3:\n%s", got, text)
	}
	for _, want := range []string{"Virtual Rtr ID: 31", "Virtual Rtr ID: 32", "Virtual Rtr ID: 33",
		"Time to Live: 255", "Hop Limit: 255", "Differentiated Services Field: 0xc0", "Traffic Class: 0xc0"} {
		if !strings.Contains(text, want) {
			t.Errorf("tshark output lacks %q:\n%s", want, text)
		}
	}

	out, err = lan.Output(t.Context(), "tcpdump", "-r", file, "-n", "-vv")
	if err != nil {
		t.Fatal(err)
	}
	if text := string(out); strings.Count(text, "VRRPv") != 3 || strings.Contains(text, "bad") {
		t.Errorf("tcpdump -vv output:\n%s", text)
	}
}
