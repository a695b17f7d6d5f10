package vip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// checkGoroutines fails t if goroutines started during the test outlive
// it, polling until they end.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		nstest.WaitFor(t, 5*time.Second, 10*time.Millisecond, func() (bool, string) {
			n := runtime.NumGoroutine()
			return n <= before, fmt.Sprintf("%d goroutines, %d before the test", n, before)
		})
	})
}

// hostNS makes a namespace with eth0 (MAC 02:00:00:00:00:01) and a Host in
// it.
func hostNS(t *testing.T) (*nstest.Netns, *Host) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "ip")
	ns := nstest.NewNetns(t, "vip")
	nstest.AddLink(ns, "eth0", "192.0.2.1/24", "2001:db8::1/64")
	h, err := Open(Config{Netns: ns.Path()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return ns, h
}

// ipShow runs `ip -n NS args...` and returns its output.
func ipShow(t *testing.T, ns *nstest.Netns, args ...string) string {
	t.Helper()
	out, err := ns.IP(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestIntegrationAddress adds and deletes a VIP with each option of
// reference §3.4 and checks `ip addr show`.
func TestIntegrationAddress(t *testing.T) {
	ns, h := hostNS(t)
	tests := []struct {
		a    config.Address
		want string // regexp matched against `ip -o addr show dev eth0`
	}{
		{config.Address{Prefix: pfx("192.0.2.100/24")}, `inet 192.0.2.100/24 scope global secondary eth0\\`},
		{config.Address{Prefix: pfx("192.0.2.101/24"), Broadcast: ip("192.0.2.255"), Label: "eth0:1"},
			`inet 192.0.2.101/24 brd 192.0.2.255 scope global secondary eth0:1\\`},
		{config.Address{Prefix: pfx("198.51.100.1/32"), Scope: 253}, `inet 198.51.100.1/32 scope link eth0\\`},
		{config.Address{Prefix: pfx("198.51.100.2/32"), Scope: 254}, `inet 198.51.100.2/32 scope host eth0\\`},
		{config.Address{Prefix: pfx("203.0.113.1/32"), Peer: ip("203.0.113.2")},
			`inet 203.0.113.1 peer 203.0.113.2/32 scope global eth0\\`},
		{config.Address{Prefix: pfx("198.51.100.10/24"), NoPrefixRoute: true},
			`inet 198.51.100.10/24 scope global noprefixroute eth0\\`},
		// Like `ip addr add ... preferred_lft 30`: the kernel keeps an IPv4
		// address with an infinite valid lifetime preferred forever.
		{config.Address{Prefix: pfx("198.51.100.11/24"), PreferredLft: "30"},
			`inet 198.51.100.11/24 scope global eth0\\\s+valid_lft forever`},
		// Until duplicate address detection ends, an IPv6 address is
		// also "tentative".
		{config.Address{Prefix: pfx("2001:db8::100/64"), PreferredLft: "forever"},
			`inet6 2001:db8::100/64 scope global (tentative )?\\\s+valid_lft forever preferred_lft forever`},
		{config.Address{Prefix: pfx("2001:db8::101/128"), PreferredLft: "0"},
			`inet6 2001:db8::101/128 scope global deprecated (tentative )?\\\s+valid_lft forever preferred_lft 0sec`},
		{config.Address{Prefix: pfx("2001:db8::102/64"), PreferredLft: "forever", Home: true, NoDAD: true,
			MngTmpAddr: true, NoPrefixRoute: true}, `inet6 2001:db8::102/64 scope global nodad home mngtmpaddr noprefixroute`},
		// autojoin needs a multicast address, outside the documentation
		// ranges; TestAddrToNetlink covers its flag.
	}
	for _, tt := range tests {
		a := tt.a
		a.Dev = "eth0"
		re := regexp.MustCompile(tt.want)
		for range 2 { // The second add must be a no-op.
			if err := h.AddAddress(&a); err != nil {
				t.Fatalf("AddAddress(%s): %v", &a, err)
			}
		}
		if out := ipShow(t, ns, "-o", "addr", "show", "dev", "eth0"); !re.MatchString(out) {
			t.Errorf("after adding %s, ip addr show lacks %q:\n%s", &a, tt.want, out)
		}
		if ok, err := h.HasAddress("eth0", a.Prefix); !ok || err != nil {
			t.Errorf("HasAddress(eth0, %s) = %v, %v after adding", a.Prefix, ok, err)
		}
		for range 2 { // The second delete must be a no-op.
			if err := h.DelAddress(&a); err != nil {
				t.Fatalf("DelAddress(%s): %v", &a, err)
			}
		}
		if out := ipShow(t, ns, "-o", "addr", "show", "dev", "eth0"); strings.Contains(out, " "+a.Prefix.Addr().String()+"/") ||
			strings.Contains(out, " "+a.Prefix.Addr().String()+" ") {
			t.Errorf("after deleting %s, ip addr show still has it:\n%s", &a, out)
		}
		if ok, err := h.HasAddress("eth0", a.Prefix); ok || err != nil {
			t.Errorf("HasAddress(eth0, %s) = %v, %v after deleting", a.Prefix, ok, err)
		}
	}
	missing := config.Address{Prefix: pfx("192.0.2.9/24"), Dev: "nosuch0"}
	if err := h.AddAddress(&missing); !errors.Is(err, ErrNoLink) {
		t.Errorf("AddAddress on a missing interface: %v, want ErrNoLink", err)
	}
	if err := h.DelAddress(&missing); err != nil {
		t.Errorf("DelAddress on a missing interface: %v, want nil", err)
	}
}

// TestIntegrationRoutes adds and deletes routes of reference §3.5 and
// checks `ip route show`.
func TestIntegrationRoutes(t *testing.T) {
	ns, h := hostNS(t)
	tests := []struct {
		r     config.Route
		table string
		want  string
	}{
		{config.Route{Dst: pfx("198.51.100.0/24"), Via: ip("192.0.2.254"), Dev: "eth0", Metric: 10, Protocol: 18},
			"main", "198.51.100.0/24 via 192.0.2.254 dev eth0 proto keepalived metric 10"},
		{config.Route{Dst: pfx("203.0.113.0/24"), Dev: "eth0", Src: ip("192.0.2.1"), Table: 100, Metric: -1},
			"100", "203.0.113.0/24 dev eth0 scope link src 192.0.2.1"},
		{config.Route{Op: "add", Dst: pfx("0.0.0.0/0"), Via: ip("192.0.2.254"), Table: 1000, Metric: -1, Protocol: 18},
			"1000", "default via 192.0.2.254 dev eth0 proto keepalived"},
		{config.Route{Type: 6, Dst: pfx("198.51.100.128/25"), Metric: -1}, "main", "blackhole 198.51.100.128/25 \n"},
		{config.Route{Type: 7, Dst: pfx("203.0.113.128/25"), Metric: -1}, "main", "unreachable 203.0.113.128/25 \n"},
		{config.Route{Type: 8, Dst: pfx("203.0.113.64/26"), Metric: -1}, "main", "prohibit 203.0.113.64/26 \n"},
		{config.Route{Dst: pfx("198.51.100.64/26"), Dev: "eth0", Scope: 254, Metric: -1}, "main",
			"198.51.100.64/26 dev eth0 scope host \n"},
		{config.Route{Dst: pfx("198.51.100.96/27"), Dev: "eth0", Metric: -1, Realms: 5<<16 | 6}, "main",
			"198.51.100.96/27 dev eth0 scope link realms 5/6"},
		{config.Route{Dst: pfx("198.51.100.160/27"), Dev: "eth0", Metric: -1, Tos: 0x10, Table: 254}, "main",
			"198.51.100.160/27 tos 0x10 dev eth0 scope link"},
		{config.Route{Dst: pfx("2001:db8:2::/48"), Via: ip("2001:db8::fe"), Dev: "eth0", Metric: 100, Op: "append"}, "main",
			"2001:db8:2::/48 via 2001:db8::fe dev eth0 metric 100 pref medium"},
		{config.Route{Dst: pfx("198.51.100.32/27"), Via: ip("192.0.2.253"), Or: ip("192.0.2.252"), Dev: "eth0", Metric: -1}, "main",
			"198.51.100.32/27 \n\tnexthop via 192.0.2.253 dev eth0 weight 1 \n\tnexthop via 192.0.2.252 dev eth0 weight 1"},
	}
	for _, tt := range tests {
		r := unset(tt.r)
		for range 2 {
			if err := h.AddRoute(&r); err != nil {
				t.Fatalf("AddRoute(%s): %v", &r, err)
			}
		}
		fam := "-4"
		if r.Dst.Addr().Is6() {
			fam = "-6"
		}
		out := ipShow(t, ns, fam, "route", "show", "table", tt.table)
		if !strings.Contains(out, tt.want) {
			t.Errorf("after adding %s, ip route show table %s lacks %q:\n%s", &r, tt.table, tt.want, out)
		}
		for range 2 {
			if err := h.DelRoute(&r); err != nil {
				t.Fatalf("DelRoute(%s): %v", &r, err)
			}
		}
		out = ipShow(t, ns, fam, "route", "show", "table", tt.table)
		if first := strings.Fields(tt.want)[0]; strings.Contains(out, r.Dst.String()) || first == "default" && strings.Contains(out, "default") {
			t.Errorf("after deleting %s, ip route show table %s still has it:\n%s", &r, tt.table, out)
		}
	}
}

// TestIntegrationRules adds and deletes rules of reference §3.5 and checks
// `ip rule show`.
func TestIntegrationRules(t *testing.T) {
	ns, h := hostNS(t)
	tests := []struct {
		r    config.Rule
		want string
	}{
		{config.Rule{Family: config.IPv4, From: pfx("192.0.2.0/24"), Preference: 100, Action: "lookup", Table: 100},
			"100:\tfrom 192.0.2.0/24 lookup 100"},
		{config.Rule{Family: config.IPv4, To: pfx("198.51.100.0/24"), Preference: 101, Action: "lookup", Table: 254,
			Fwmark: 0x10, FwmarkSet: true, FwMask: 0xff, FwMaskSet: true, Iif: "eth0"},
			"101:\tfrom all to 198.51.100.0/24 fwmark 0x10/0xff iif eth0 lookup main"},
		{config.Rule{Family: config.IPv4, From: pfx("203.0.113.0/24"), Oif: "eth0", Preference: 102, Action: "lookup", Table: 1000, Protocol: 18},
			"102:\tfrom 203.0.113.0/24 oif eth0 lookup 1000 proto keepalived"},
		{config.Rule{Family: config.IPv4, Not: true, From: pfx("192.0.2.0/24"), Preference: 103, Action: "prohibit"},
			"103:\tnot from 192.0.2.0/24 prohibit"},
		{config.Rule{Family: config.IPv6, From: pfx("2001:db8::/32"), Preference: 104, Action: "lookup", Table: 100, IPProto: 6, DPort: "80-81"},
			"104:\tfrom 2001:db8::/32 ipproto tcp dport 80-81 lookup 100"},
	}
	for _, tt := range tests {
		r := unsetRule(tt.r)
		fam := "-4"
		if r.Family == config.IPv6 {
			fam = "-6"
		}
		for range 2 {
			if err := h.AddRule(&r); err != nil {
				t.Fatalf("AddRule(%s): %v", &r, err)
			}
		}
		if out := ipShow(t, ns, fam, "rule", "show"); !strings.Contains(out, tt.want) {
			t.Errorf("after adding %s, ip rule show lacks %q:\n%s", &r, tt.want, out)
		}
		for range 2 {
			if err := h.DelRule(&r); err != nil {
				t.Fatalf("DelRule(%s): %v", &r, err)
			}
		}
		pref := fmt.Sprintf("%d:", r.Preference)
		if out := ipShow(t, ns, fam, "rule", "show"); strings.Contains(out, pref) {
			t.Errorf("after deleting %s, ip rule show still has it:\n%s", &r, out)
		}
	}
}

// lanPair attaches two namespaces to a LAN: a (the announcer, eth0 with MAC
// 02:00:00:00:00:0a) and b (the listener).
func lanPair(t *testing.T) (lan *nstest.LAN, a, b *nstest.Netns, pb *nstest.Port) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "ip", "tcpdump")
	lan = nstest.NewLAN(t)
	a = nstest.NewNetns(t, "a")
	b = nstest.NewNetns(t, "b")
	lan.Attach(a, "eth0", "192.0.2.1/24", "2001:db8::1/64")
	pb = lan.Attach(b, "eth0", "192.0.2.2/24", "2001:db8::2/64")
	ipShow(t, a, "link", "set", "eth0", "address", "02:00:00:00:00:0a")
	return lan, a, b, pb
}

// waitRecorder is a WaitFunc that records the gaps asked for and returns at
// once.
type waitRecorder struct {
	mu   sync.Mutex
	gaps []time.Duration
}

func (w *waitRecorder) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gaps = append(w.gaps, d)
	return ctx.Err()
}

// capture starts tcpdump on b's eth0 for n frames matching filter and
// waits until it listens.
func capture(t *testing.T, b *nstest.Netns, n int, filter ...string) *nstest.Process {
	args := append([]string{"-i", "eth0", "-e", "-n", "-l", "-xx", "-c", fmt.Sprint(n)}, filter...)
	p := b.Start(t, "tcpdump", args...)
	p.WaitOutput(t, 10*time.Second, "listening on eth0")
	return p
}

// captured waits for tcpdump to exit and returns n frames, each its
// summary line without the timestamp followed by its hex dump lines.
func captured(t *testing.T, p *nstest.Process, n int) []string {
	t.Helper()
	if _, err := p.Wait(10 * time.Second); err != nil {
		t.Fatalf("tcpdump: %v; output:\n%s", err, p.Output())
	}
	stamp := regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d+ `)
	var frames []string
	for _, l := range strings.Split(p.Output(), "\n") {
		switch {
		case stamp.MatchString(l):
			frames = append(frames, stamp.ReplaceAllString(l, ""))
		case strings.HasPrefix(l, "\t0x") && len(frames) > 0:
			frames[len(frames)-1] += "\n" + strings.TrimSpace(l)
		}
	}
	if len(frames) != n {
		t.Fatalf("tcpdump saw %d frames, want %d:\n%s", len(frames), n, p.Output())
	}
	return frames
}

// TestIntegrationGARP sends five gratuitous ARPs and checks what a peer on
// the LAN receives, byte by byte (reference §7.7).
func TestIntegrationGARP(t *testing.T) {
	checkGoroutines(t)
	_, a, b, _ := lanPair(t)
	p := capture(t, b, 5, "arp")
	var w waitRecorder
	an := NewAnnouncer(Config{Netns: a.Path(), Wait: w.wait})
	defer an.Close()
	if err := an.Announce(t.Context(), "eth0", []netip.Addr{ip("192.0.2.100")}, 5, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// Ethernet broadcast from the MAC; ARP request, sender the MAC and the
	// VIP, target ff:ff:ff:ff:ff:ff and the VIP.
	want := "02:00:00:00:00:0a > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: " +
		"Request who-has 192.0.2.100 (ff:ff:ff:ff:ff:ff) tell 192.0.2.100, length 46\n" +
		"0x0000:  ffff ffff ffff 0200 0000 000a 0806 0001\n" +
		"0x0010:  0800 0604 0001 0200 0000 000a c000 0264\n" +
		"0x0020:  ffff ffff ffff c000 0264 0000 0000 0000\n" +
		"0x0030:  0000 0000 0000 0000 0000 0000"
	for i, f := range captured(t, p, 5) {
		if f != want {
			t.Errorf("frame %d:\n%s\nwant\n%s", i, f, want)
		}
	}
	if got := fmt.Sprint(w.gaps); got != "[10ms 10ms 10ms 10ms]" {
		t.Errorf("gaps %s, want four of 10ms between five messages", got)
	}

	ctx, cancel := context.WithCancel(t.Context())
	stop := NewAnnouncer(Config{Netns: a.Path(), Wait: func(context.Context, time.Duration) error {
		cancel()
		return ctx.Err()
	}})
	defer stop.Close()
	if err := stop.Announce(ctx, "eth0", []netip.Addr{ip("192.0.2.100")}, 5, time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("Announce with the context ending during a gap = %v, want context.Canceled", err)
	}
	if err := an.Announce(t.Context(), "nosuch0", []netip.Addr{ip("192.0.2.100")}, 1, 0); !errors.Is(err, ErrNoLink) {
		t.Errorf("Announce on a missing interface = %v, want ErrNoLink", err)
	}
}

// TestIntegrationNA sends unsolicited neighbour advertisements and checks
// what a peer on the LAN receives, byte by byte, with IPv6 forwarding off
// and then on (reference §7.7).
func TestIntegrationNA(t *testing.T) {
	checkGoroutines(t)
	_, a, b, _ := lanPair(t)
	p := capture(t, b, 6, "icmp6", "and", "ip6[40]", "==", "136")
	an := NewAnnouncer(Config{Netns: a.Path()})
	defer an.Close()
	vip := []netip.Addr{ip("2001:db8::100")}
	if err := an.Announce(t.Context(), "eth0", vip, 5, 0); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(t.Context(), "sysctl", "-qw", "net.ipv6.conf.eth0.forwarding=1"); err != nil {
		t.Fatal(err)
	}
	if err := an.Announce(t.Context(), "eth0", vip, 1, 0); err != nil {
		t.Fatal(err)
	}
	// Ethernet to 33:33:00:00:00:01 from the MAC; IPv6 from the VIP to
	// ff02::1, next header 58, hop limit 255; NA (136) with flags 0x20
	// (override) or 0xa0 (router, override), target the VIP, option 2
	// (target link-layer address) of length 1 holding the MAC.
	frame := func(sum, flags string) string {
		return "02:00:00:00:00:0a > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: " +
			"2001:db8::100 > ff02::1: ICMP6, neighbor advertisement, tgt is 2001:db8::100, length 32\n" +
			"0x0000:  3333 0000 0001 0200 0000 000a 86dd 6000\n" +
			"0x0010:  0000 0020 3aff 2001 0db8 0000 0000 0000\n" +
			"0x0020:  0000 0000 0100 ff02 0000 0000 0000 0000\n" +
			"0x0030:  0000 0000 0001 8800 " + sum + " " + flags + "00 0000 2001\n" +
			"0x0040:  0db8 0000 0000 0000 0000 0000 0100 0201\n" +
			"0x0050:  0200 0000 000a"
	}
	for i, f := range captured(t, p, 6) {
		want := frame("f723", "20")
		if i == 5 {
			want = frame("7723", "a0")
		}
		if f != want {
			t.Errorf("frame %d:\n%s\nwant\n%s", i, f, want)
		}
	}
}

// TestIntegrationLinkWatcher checks the initial state and the down and up
// events of an interface whose cable is pulled and put back.
func TestIntegrationLinkWatcher(t *testing.T) {
	checkGoroutines(t)
	lan, _, b, pb := lanPair(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w := NewLinkWatcher(Config{Netns: b.Path()})
	initial, events, err := w.Watch(ctx, "eth0", "nosuch0")
	if err != nil {
		t.Fatal(err)
	}
	if len(initial) != 2 || initial[0].Ifname != "eth0" || !initial[0].Up || initial[0].Index == 0 ||
		initial[1] != (LinkEvent{Ifname: "nosuch0"}) {
		t.Fatalf("initial state %+v, want eth0 up and nosuch0 down", initial)
	}
	next := func(want bool) {
		t.Helper()
		timer := time.NewTimer(10 * time.Second)
		defer timer.Stop()
		select {
		case e := <-events:
			if e != (LinkEvent{Ifname: "eth0", Index: initial[0].Index, Up: want}) {
				t.Fatalf("event %+v, want eth0 up=%v", e, want)
			}
		case <-timer.C:
			t.Fatalf("no event for eth0 up=%v", want)
		}
	}
	lan.SetUp(pb, false)
	next(false)
	lan.SetUp(pb, true)
	next(true)
	cancel()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-timer.C:
			t.Fatal("events not closed after the context ended")
		}
	}
}
