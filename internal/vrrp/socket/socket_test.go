//go:build linux

package socket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// fakeConn is a conn fed by a test: read returns the packets put on in, and
// write records what is sent.
type fakeConn struct {
	key  sockKey
	in   chan Packet
	done chan struct{}
	once sync.Once

	mu   sync.Mutex
	sent []outPacket
}

func (c *fakeConn) read() (Packet, error) {
	select {
	case p := <-c.in:
		return p, nil
	case <-c.done:
		return Packet{}, fmt.Errorf("fake read: %w", net.ErrClosed)
	}
}

func (c *fakeConn) write(p outPacket) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p.b = slices.Clone(p.b) // p.b is only valid during the call
	c.sent = append(c.sent, p)
	return nil
}

func (c *fakeConn) prepare(p outPacket) outPacket { return p }

// drain hands out the packets already put on in.
func (c *fakeConn) drain(f func(Packet, error)) {
	for {
		select {
		case p := <-c.in:
			f(p, nil)
		default:
			return
		}
	}
}

func (c *fakeConn) fds() (int, int) { return 13, 14 }

func (c *fakeConn) close() error {
	c.once.Do(func() { close(c.done) })
	return nil
}

func (c *fakeConn) written() []outPacket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]outPacket(nil), c.sent...)
}

// fakeNet opens fakeConns and remembers them.
type fakeNet struct {
	mu    sync.Mutex
	conns []*fakeConn
}

func (n *fakeNet) open(key sockKey, ifname string) (conn, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := &fakeConn{key: key, in: make(chan Packet), done: make(chan struct{})}
	n.conns = append(n.conns, c)
	return c, nil
}

func (n *fakeNet) all() []*fakeConn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]*fakeConn(nil), n.conns...)
}

func fakeIfindex(name string) (int, error) {
	if name == "eth0" {
		return 3, nil
	}
	return 0, fmt.Errorf("no interface %q", name)
}

// syncWriter is an io.Writer safe for concurrent use, for log output.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// newFakePool returns a pool over fake sockets whose log goes to the
// returned writer; the pool is closed at the end of the test.
func newFakePool(t *testing.T) (*Pool, *fakeNet, *syncWriter) {
	t.Helper()
	n := &fakeNet{}
	w := &syncWriter{}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	p := newPool(log, n.open, fakeIfindex)
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return p, n, w
}

var (
	a1 = netip.MustParseAddr("192.0.2.1")
	a2 = netip.MustParseAddr("192.0.2.2")
	a3 = netip.MustParseAddr("192.0.2.3")
	b1 = netip.MustParseAddr("2001:db8::1")
	l1 = netip.MustParseAddr("fe80::1")
)

// v3Packet returns an IPv4 VRRPv3 packet from src to dst for vrid, header
// included.
func v3Packet(t *testing.T, vrid uint8, src, dst netip.Addr) Packet {
	t.Helper()
	adv := vrrp.Advert{Version: 3, Type: 1, VRID: vrid, Priority: 100, MaxAdvertInt: 100,
		Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}
	b, err := adv.Marshal(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	b, err = vrrp.NewAdvertIPv4Header(src, dst, 1, 255).MarshalPacket(b)
	if err != nil {
		t.Fatal(err)
	}
	return Packet{Data: b, Family: vrrp.IPv4, Src: src, Dst: dst, HopLimit: 255, IfIndex: 3}
}

// receive waits for one packet on ch.
func receive(t *testing.T, ch <-chan Packet) Packet {
	t.Helper()
	select {
	case p, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no packet within 5s")
	}
	return Packet{}
}

func TestOptionsValidate(t *testing.T) {
	ok := Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1}
	o, err := ok.validate()
	if err != nil || o.Group != DefaultGroup(vrrp.IPv4) || o.QueueLen != DefaultQueueLen {
		t.Fatalf("validate(%+v) = %+v, %v", ok, o, err)
	}
	o6, err := Options{Ifname: "eth0", Family: vrrp.IPv6, VRID: 1, Src: l1.WithZone("eth0")}.validate()
	if err != nil || o6.Group.String() != "ff02::12" || o6.Src != l1 {
		t.Fatalf("IPv6 validate = %+v, %v", o6, err)
	}
	bad := map[string]Options{
		"no interface":  {Family: vrrp.IPv4, VRID: 1, Src: a1},
		"family":        {Ifname: "eth0", VRID: 1, Src: a1},
		"vrid 0":        {Ifname: "eth0", Family: vrrp.IPv4, Src: a1},
		"no source":     {Ifname: "eth0", Family: vrrp.IPv4, VRID: 1},
		"source family": {Ifname: "eth0", Family: vrrp.IPv6, VRID: 1, Src: a1},
		"group unicast": {Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1, Group: a2},
		"group family":  {Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1, Group: DefaultGroup(vrrp.IPv6)},
		"peer family":   {Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1, Peers: []netip.Addr{b1}},
		"peer mcast":    {Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1, Peers: []netip.Addr{DefaultGroup(vrrp.IPv4)}},
		"queue":         {Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1, QueueLen: -1},
	}
	for name, o := range bad {
		if _, err := o.validate(); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: validate = %v, want ErrOptions", name, err)
		}
	}
}

// optMap turns an option list into name → value.
func optMap(opts []intOpt) map[string]int {
	m := make(map[string]int)
	for _, o := range opts {
		m[o.name] = o.val
	}
	return m
}

func TestSocketOptions(t *testing.T) {
	mc := sockKey{ifindex: 7, family: vrrp.IPv4, addr: DefaultGroup(vrrp.IPv4)}
	uc := sockKey{ifindex: 7, family: vrrp.IPv4, unicast: true, addr: a1}
	check := func(what string, got map[string]int, want map[string]int) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s options = %v, want %v", what, got, want)
		}
	}
	check("IPv4 receive", optMap(ipv4RecvOpts()), map[string]int{"IP_PKTINFO": 1, "IP_MULTICAST_ALL": 0})
	check("IPv4 multicast send", optMap(ipv4SendOpts(mc)), map[string]int{"IP_HDRINCL": 1, "IP_MULTICAST_LOOP": 0})
	check("IPv4 unicast send", optMap(ipv4SendOpts(uc)), map[string]int{"IP_HDRINCL": 1})
	check("IPv6 receive", optMap(ipv6RecvOpts()),
		map[string]int{"IPV6_CHECKSUM": 6, "IPV6_RECVHOPLIMIT": 1, "IPV6_RECVPKTINFO": 1})
	mc.family, uc.family = vrrp.IPv6, vrrp.IPv6
	check("IPv6 multicast send", optMap(ipv6SendOpts(mc)), map[string]int{"IPV6_CHECKSUM": 6, "IPV6_TCLASS": 0xc0,
		"IPV6_MULTICAST_IF": 7, "IPV6_MULTICAST_HOPS": 255, "IPV6_MULTICAST_LOOP": 0})
	check("IPv6 unicast send", optMap(ipv6SendOpts(uc)), map[string]int{"IPV6_CHECKSUM": 6, "IPV6_TCLASS": 0xc0})
}

func TestIPv6SendControl(t *testing.T) {
	for _, hl := range []int{0, 64} {
		msgs, err := unix.ParseSocketControlMessage(ipv6SendControl(l1, 9, hl))
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if hl != 0 {
			want = 2
		}
		if len(msgs) != want {
			t.Fatalf("hop limit %d: %d control messages, want %d", hl, len(msgs), want)
		}
		m := msgs[0]
		if m.Header.Level != unix.IPPROTO_IPV6 || m.Header.Type != unix.IPV6_PKTINFO ||
			netip.AddrFrom16([16]byte(m.Data[:16])) != l1 || binary.NativeEndian.Uint32(m.Data[16:20]) != 9 {
			t.Errorf("pktinfo = %+v", m)
		}
		if hl != 0 {
			m = msgs[1]
			if m.Header.Type != unix.IPV6_HOPLIMIT || binary.NativeEndian.Uint32(m.Data) != uint32(hl) {
				t.Errorf("hop limit message = %+v", m)
			}
		}
	}
}

// TestDemux: a hundred endpoints on one interface share one socket pair and
// each gets only its own VRID; unknown VRIDs and runts are dropped and
// counted (reference §7.4: "Demux first by interface/socket + VRID").
func TestDemux(t *testing.T) {
	p, n, logs := newFakePool(t)
	eps := make(map[uint8]*Endpoint)
	for vrid := 1; vrid <= 100; vrid++ {
		e, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: uint8(vrid), Src: a1})
		if err != nil {
			t.Fatal(err)
		}
		eps[uint8(vrid)] = e
	}
	conns := n.all()
	if len(conns) != 1 {
		t.Fatalf("%d socket pairs opened for 100 endpoints, want 1", len(conns))
	}
	want := "level=INFO msg=\"VRRP sockpool: [ifindex(  3), family(IPv4), proto(112), fd(13,14) multicast, address(224.0.0.18)]\"\n"
	if got := logs.String(); got != want {
		t.Errorf("log = %q, want %q", got, want)
	}
	c := conns[0]
	for vrid := 100; vrid >= 1; vrid-- {
		c.in <- v3Packet(t, uint8(vrid), a2, DefaultGroup(vrrp.IPv4))
	}
	c.in <- v3Packet(t, 200, a2, DefaultGroup(vrrp.IPv4))
	c.in <- Packet{Data: []byte{0x45, 0}, Family: vrrp.IPv4}
	for vrid, e := range eps {
		pkt := receive(t, e.Packets())
		if got, _ := vrrp.PeekVRID(pkt.Data, vrrp.IPv4); got != vrid {
			t.Errorf("endpoint %d got VRID %d", vrid, got)
		}
		select {
		case extra := <-e.Packets():
			t.Errorf("endpoint %d got a second packet %x", vrid, extra.Data)
		default:
		}
	}
	c.in <- v3Packet(t, 1, a2, DefaultGroup(vrrp.IPv4)) // read after the runt: both counted
	receive(t, eps[1].Packets())
	if err := p.Close(); err != nil { // waits for the reader: the counters are final
		t.Fatal(err)
	}
	if got, want := p.Stats(), (Stats{Delivered: 101, UnknownVRID: 1, Malformed: 1}); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestQueueFull(t *testing.T) {
	p, n, _ := newFakePool(t)
	e, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 5, Src: a1, QueueLen: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := n.all()[0]
	c.in <- v3Packet(t, 5, a2, DefaultGroup(vrrp.IPv4))
	c.in <- v3Packet(t, 5, a2, DefaultGroup(vrrp.IPv4))
	// The reader takes the third packet once it has dealt with the second.
	c.in <- v3Packet(t, 6, a2, DefaultGroup(vrrp.IPv4))
	if got := p.Stats(); got.Delivered != 1 || got.QueueFull != 1 {
		t.Errorf("Stats = %+v, want 1 delivered and 1 dropped on a full queue", got)
	}
	receive(t, e.Packets())
}

func TestSharingAndClose(t *testing.T) {
	p, n, logs := newFakePool(t)
	open := func(o Options) *Endpoint {
		t.Helper()
		e, err := p.Open(o)
		if err != nil {
			t.Fatalf("Open(%+v): %v", o, err)
		}
		return e
	}
	m1 := open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1})
	if _, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a3}); !errors.Is(err, ErrVRIDInUse) {
		t.Errorf("second multicast VRID 1 on eth0: %v, want ErrVRIDInUse", err)
	}
	if _, err := p.Open(Options{Ifname: "eth9", Family: vrrp.IPv4, VRID: 1, Src: a1}); err == nil {
		t.Error("Open on a missing interface succeeded")
	}
	m6 := open(Options{Ifname: "eth0", Family: vrrp.IPv6, VRID: 1, Src: l1})
	u1 := open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1, Peers: []netip.Addr{a2}})
	u2 := open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1, Peers: []netip.Addr{a3}})
	if got := len(n.all()); got != 3 {
		t.Fatalf("%d socket pairs, want 3 (IPv4 multicast, IPv6 multicast, IPv4 unicast from %v)", got, a1)
	}
	if !strings.Contains(logs.String(), `fd(13,14) , unicast, address(192.0.2.1)]`) ||
		!strings.Contains(logs.String(), `family(IPv6), proto(112), fd(13,14) multicast, address(ff02::12)]`) {
		t.Errorf("log lacks the unicast or IPv6 sockpool line:\n%s", logs)
	}
	uc := n.all()[2]
	// Two unicast instances with VRID 1: told apart by their peers.
	uc.in <- v3Packet(t, 1, a3, a1)
	uc.in <- v3Packet(t, 1, a2, a1)
	if got := receive(t, u1.Packets()); got.Src != a2 {
		t.Errorf("u1 got a packet from %v", got.Src)
	}
	if got := receive(t, u2.Packets()); got.Src != a3 {
		t.Errorf("u2 got a packet from %v", got.Src)
	}

	if err := u1.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-u1.Packets(); ok {
		t.Error("u1's channel open after Close")
	}
	select {
	case <-uc.done:
		t.Fatal("unicast socket closed while u2 still uses it")
	default:
	}
	if err := errors.Join(u2.Close(), u2.Close()); err != nil {
		t.Fatal(err)
	}
	<-uc.done // closed with its last endpoint
	if err := u2.Send(vrrp.Advert{Version: 3, Type: 1, VRID: 1}); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for _, e := range []*Endpoint{m1, m6} {
		if _, ok := <-e.Packets(); ok {
			t.Error("channel open after Pool.Close")
		}
		if err := e.Close(); err != nil {
			t.Errorf("Endpoint.Close after Pool.Close: %v", err)
		}
	}
	if _, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 2, Src: a1}); !errors.Is(err, ErrClosed) {
		t.Errorf("Open after Close = %v, want ErrClosed", err)
	}
}

// TestSendIPv4 checks the packets handed to the socket: keepalived's IPv4
// header (reference §7.2) and one packet per unicast peer with the
// checksum for that peer (§7.3, §7.8).
func TestSendIPv4(t *testing.T) {
	p, n, _ := newFakePool(t)
	mc, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1})
	if err != nil {
		t.Fatal(err)
	}
	uc, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 2, Src: a1,
		Peers: []netip.Addr{a2, a3}, UnicastTTL: 64})
	if err != nil {
		t.Fatal(err)
	}
	v2 := vrrp.Advert{Version: 2, Type: 1, VRID: 1, Priority: 100, AdvertInt: 1,
		Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}
	for range 2 {
		if err := mc.Send(v2); err != nil {
			t.Fatal(err)
		}
	}
	v3 := vrrp.Advert{Version: 3, Type: 1, VRID: 2, Priority: 100, MaxAdvertInt: 100,
		Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.101")}}
	if err := uc.Send(v3); err != nil {
		t.Fatal(err)
	}
	uc.SetLegacyChecksum(true)
	if err := uc.Send(v3); err != nil {
		t.Fatal(err)
	}

	type want struct {
		dst       netip.Addr
		id        uint16
		ttl       uint8
		dontRoute bool
		variant   vrrp.ChecksumVariant
	}
	check := func(c *fakeConn, wants []want) {
		t.Helper()
		sent := c.written()
		if len(sent) != len(wants) {
			t.Fatalf("%d packets sent, want %d", len(sent), len(wants))
		}
		for i, w := range wants {
			s := sent[i]
			h, err := vrrp.ParseIPv4Header(s.b)
			if err != nil {
				t.Fatal(err)
			}
			if err := vrrp.VerifyIPv4HeaderChecksum(s.b); err != nil {
				t.Error(err)
			}
			if s.dst != w.dst || h.Dst != w.dst || h.Src != a1 || h.ID != w.id || h.TTL != w.ttl ||
				h.TOS != 0xc0 || h.Flags != 0 || h.Protocol != 112 || int(h.TotalLen) != len(s.b) ||
				s.dontRoute != w.dontRoute {
				t.Errorf("packet %d: header %+v dst %v dontRoute %v; want %+v", i, h, s.dst, s.dontRoute, w)
			}
			mode := vrrp.ChecksumAuto
			if v, err := vrrp.VerifyChecksum(s.b[h.Len():], a1, w.dst, mode); err != nil || v != w.variant {
				t.Errorf("packet %d: checksum variant %v, %v; want %v", i, v, err, w.variant)
			}
		}
	}
	conns := n.all()
	check(conns[0], []want{
		{DefaultGroup(vrrp.IPv4), 1, 255, true, vrrp.ChecksumStandard},
		{DefaultGroup(vrrp.IPv4), 2, 255, true, vrrp.ChecksumStandard},
	})
	check(conns[1], []want{
		{a2, 1, 64, false, vrrp.ChecksumStandard},
		{a3, 2, 64, false, vrrp.ChecksumStandard},
		{a2, 3, 64, false, vrrp.ChecksumLegacyUnicast},
		{a3, 4, 64, false, vrrp.ChecksumLegacyUnicast},
	})
}

func TestSendIPv6(t *testing.T) {
	p, n, _ := newFakePool(t)
	mc, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv6, VRID: 1, Src: l1})
	if err != nil {
		t.Fatal(err)
	}
	uc, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv6, VRID: 1, Src: b1,
		Peers: []netip.Addr{netip.MustParseAddr("2001:db8::2")}, UnicastTTL: 7})
	if err != nil {
		t.Fatal(err)
	}
	adv := vrrp.Advert{Version: 3, Type: 1, VRID: 1, Priority: 100, MaxAdvertInt: 100,
		Addrs: []netip.Addr{netip.MustParseAddr("2001:db8::100")}}
	if err := errors.Join(mc.Send(adv), uc.Send(adv)); err != nil {
		t.Fatal(err)
	}
	m, u := n.all()[0].written(), n.all()[1].written()
	if len(m) != 1 || m[0].dst != DefaultGroup(vrrp.IPv6) || m[0].src != l1 || !m[0].dontRoute || m[0].hopLimit != 0 {
		t.Errorf("multicast sends %+v", m)
	}
	if len(u) != 1 || u[0].dst.String() != "2001:db8::2" || u[0].src != b1 || u[0].dontRoute || u[0].hopLimit != 7 {
		t.Errorf("unicast sends %+v", u)
	}
	if _, err := vrrp.VerifyChecksum(m[0].b, l1, m[0].dst, vrrp.ChecksumNever); err != nil {
		t.Errorf("multicast checksum: %v", err)
	}
}
