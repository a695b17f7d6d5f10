package socket

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// renumbered returns p with another IPv4 identification and the header
// checksum that goes with it, as the master's next advert carries.
func renumbered(t *testing.T, p Packet, id uint16) Packet {
	t.Helper()
	q := p
	q.Data = slices.Clone(p.Data)
	if err := vrrp.SetIPv4ID(q.Data, id); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestRefresherMatch(t *testing.T) {
	var r Refresher
	p := v3Packet(t, 7, a2, DefaultGroup(vrrp.IPv4))
	t0 := time.Now()
	if r.Match(p, t0) {
		t.Fatal("a Refresher that expects nothing matched")
	}
	r.Expect(p, t0)
	next := renumbered(t, p, 2)
	if bytes.Equal(next.Data, p.Data) {
		t.Fatal("renumbered packet is unchanged")
	}
	if !r.Match(next, t0.Add(10*time.Millisecond)) || !r.Match(renumbered(t, p, 3), t0.Add(20*time.Millisecond)) {
		t.Fatal("the same advert with another IPv4 ID did not match")
	}
	other := func(name string, f func(q *Packet)) {
		q := p
		q.Data = slices.Clone(p.Data)
		f(&q)
		if r.Match(q, t0.Add(time.Second)) {
			t.Errorf("%s matched", name)
		}
	}
	other("another priority", func(q *Packet) { q.Data[vrrp.IPv4HeaderLen+2]-- })
	other("another TTL", func(q *Packet) { q.Data[8] = 254; q.HopLimit = 254 })
	other("another source", func(q *Packet) { q.Src = a1 })
	other("another destination", func(q *Packet) { q.Dst = a1 })
	other("a longer packet", func(q *Packet) { q.Data = append(q.Data, 0) })

	last, n, ok := r.Take()
	if !ok || n != 2 || !last.Equal(t0.Add(20*time.Millisecond)) {
		t.Errorf("Take = %v, %d, %v; want the second match's time, 2", last, n, ok)
	}
	if _, n, ok := r.Take(); ok || n != 0 {
		t.Errorf("second Take = %d, %v; want nothing new", n, ok)
	}
	r.Clear()
	if r.Active() || r.Match(next, t0) {
		t.Error("a cleared Refresher matched")
	}
	r.Expect(p, t0)
	if allocs := testing.AllocsPerRun(100, func() { r.Match(next, t0) }); allocs != 0 {
		t.Errorf("Match allocates %v times per packet, want 0", allocs)
	}
}

// TestDeliverFastPath: an advert the endpoint expects is counted and noted,
// not queued, and costs no allocation; any other is queued as before.
func TestDeliverFastPath(t *testing.T) {
	p, n, _ := newFakePool(t)
	e, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 7, Src: a1})
	if err != nil {
		t.Fatal(err)
	}
	pkt := v3Packet(t, 7, a2, DefaultGroup(vrrp.IPv4))
	e.Refresh().Expect(pkt, time.Now())
	c := n.all()[0]
	c.in <- renumbered(t, pkt, 9)
	changed := v3Packet(t, 7, a3, DefaultGroup(vrrp.IPv4))
	c.in <- changed
	if got := receive(t, e.Packets()); got.Src != a3 {
		t.Fatalf("queued the packet from %v, want only the one from %v", got.Src, a3)
	}
	if _, n, ok := e.Refresh().Take(); !ok || n != 1 {
		t.Errorf("Take = %d, %v; want the one expected advert", n, ok)
	}
	s := e.sock
	next := renumbered(t, pkt, 10)
	if allocs := testing.AllocsPerRun(100, func() { p.deliver(s, next) }); allocs != 0 {
		t.Errorf("delivering an expected advert allocates %v times, want 0", allocs)
	}
	if got := p.Stats(); got.Refreshed != 102 || got.Delivered != 1 {
		t.Errorf("Stats = %+v, want 102 refreshed and 1 delivered", got)
	}
}

// countConn is a conn that keeps the last packet written and when each
// write happened, copying nothing and allocating nothing per write.
type countConn struct {
	mu    sync.Mutex
	last  []byte
	times []time.Time
	done  chan struct{}
}

func (c *countConn) read() (Packet, error) {
	<-c.done
	return Packet{}, net.ErrClosed
}
func (c *countConn) drain(func(Packet, error))     {}
func (c *countConn) prepare(p outPacket) outPacket { return p }
func (c *countConn) fds() (int, int)               { return 13, 14 }
func (c *countConn) close() error                  { close(c.done); return nil }
func (c *countConn) write(p outPacket) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = append(c.last[:0], p.b...)
	if len(c.times) < cap(c.times) {
		c.times = append(c.times, time.Now())
	}
	return nil
}

func (c *countConn) writes() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.times)
}

func (c *countConn) lastPacket() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.last)
}

// countPool returns a pool whose one socket is a countConn able to record
// max writes.
func countPool(t *testing.T, max int) (*Pool, *countConn) {
	t.Helper()
	c := &countConn{done: make(chan struct{}), times: make([]time.Time, 0, max), last: make([]byte, 0, 128)}
	p := newPool(slog.New(slog.DiscardHandler), func(sockKey, string) (conn, error) { return c, nil }, fakeIfindex)
	t.Cleanup(func() { p.Close() })
	return p, c
}

// TestSendBuildsOnce: a master's advert is encoded once; the next sends
// only renumber the IPv4 header and allocate nothing, and a priority
// change encodes the new advert.
func TestSendBuildsOnce(t *testing.T) {
	p, c := countPool(t, 0)
	e, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1})
	if err != nil {
		t.Fatal(err)
	}
	adv := vrrp.Advert{Version: 3, Type: 1, VRID: 1, Priority: 200, MaxAdvertInt: 1,
		Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}
	if err := e.Send(adv); err != nil {
		t.Fatal(err)
	}
	first := c.lastPacket()
	if allocs := testing.AllocsPerRun(100, func() { e.Send(adv) }); allocs != 0 {
		t.Errorf("Send allocates %v times per advert, want 0", allocs)
	}
	again := c.lastPacket()
	if id := binary.BigEndian.Uint16(again[4:6]); id != 102 {
		t.Errorf("IPv4 ID after 102 sends = %d, want 102", id)
	}
	if err := vrrp.VerifyIPv4HeaderChecksum(again); err != nil {
		t.Errorf("renumbered header: %v", err)
	}
	if !bytes.Equal(first[vrrp.IPv4HeaderLen:], again[vrrp.IPv4HeaderLen:]) {
		t.Error("the advert itself changed between sends")
	}
	adv.Priority = 150
	if err := e.Send(adv); err != nil {
		t.Fatal(err)
	}
	b := c.lastPacket()
	got, err := vrrp.ParseAdvert(b[vrrp.IPv4HeaderLen:], vrrp.IPv4)
	if err != nil || got.Priority != 150 {
		t.Fatalf("after a priority change: %+v, %v; want priority 150", got, err)
	}
	if _, err := vrrp.VerifyChecksum(b[vrrp.IPv4HeaderLen:], a1, DefaultGroup(vrrp.IPv4), vrrp.ChecksumNever); err != nil {
		t.Errorf("rebuilt advert: %v", err)
	}
}

// TestRepeat: the socket sends a repeating advert every interval on its own
// (RFC 5798 §6.4.3 Adver_Timer), counts it for Repeated, and sends nothing
// once StopRepeat returns.
func TestRepeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, c := countPool(t, 1000)
		e, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1})
		if err != nil {
			t.Fatal(err)
		}
		adv := vrrp.Advert{Version: 3, Type: 1, VRID: 1, Priority: 200, MaxAdvertInt: 1,
			Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}
		start := time.Now()
		e.Repeat(adv, start.Add(10*time.Millisecond), 10*time.Millisecond)
		time.Sleep(time.Second + 5*time.Millisecond)
		last, n, ok := e.Repeated()
		if !ok || n != 100 {
			t.Fatalf("Repeated = %d, %v after 1 s at 10 ms, want 100", n, ok)
		}
		ws := c.writes()
		if len(ws) != 100 || !last.Equal(ws[len(ws)-1]) {
			t.Fatalf("%d writes, last %v; Repeated said %v", len(ws), ws[len(ws)-1], last)
		}
		for i, w := range ws {
			due := start.Add(time.Duration(i+1) * 10 * time.Millisecond)
			if w.After(due) || w.Before(due.Add(-repeatSlack)) {
				t.Errorf("advert %d went at %v, due at %v", i, w.Sub(start), due.Sub(start))
			}
		}
		e.StopRepeat()
		time.Sleep(time.Second)
		if _, n, ok := e.Repeated(); ok || n != 0 || len(c.writes()) != 100 {
			t.Errorf("after StopRepeat: %d more repeats, %d writes", n, len(c.writes()))
		}
	})
}

// TestCountInto: with CountInto, each refresh the Refresher notes and each
// advert Repeat sends is counted at once, and Take and Repeated still
// report theirs.
func TestCountInto(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := countPool(t, 1000)
		e, err := p.Open(Options{Ifname: "eth0", Family: vrrp.IPv4, VRID: 1, Src: a1})
		if err != nil {
			t.Fatal(err)
		}
		var rcvd, sent atomic.Uint64
		e.CountInto(&rcvd, &sent)
		adv := vrrp.Advert{Version: 3, Type: 1, VRID: 1, Priority: 200, MaxAdvertInt: 1,
			Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.100")}}
		e.Repeat(adv, time.Now().Add(10*time.Millisecond), 10*time.Millisecond)
		time.Sleep(505 * time.Millisecond)
		if got := sent.Load(); got != 50 {
			t.Errorf("sent counted %d after 0.5 s at 10 ms, want 50", got)
		}
		if _, n, _ := e.Repeated(); n != 50 {
			t.Errorf("Repeated = %d, want 50", n)
		}
		e.StopRepeat()

		pkt := v3Packet(t, 1, a2, DefaultGroup(vrrp.IPv4))
		r := e.Refresh()
		r.Expect(pkt, time.Now())
		for i := range 3 {
			if !r.Match(renumbered(t, pkt, uint16(i+2)), time.Now()) {
				t.Fatal("no match")
			}
		}
		if got := rcvd.Load(); got != 3 {
			t.Errorf("received counted %d, want 3", got)
		}
		if _, n, _ := r.Take(); n != 3 {
			t.Errorf("Take = %d, want 3", n)
		}
		if allocs := testing.AllocsPerRun(100, func() { r.Match(pkt, time.Now()) }); allocs != 0 {
			t.Errorf("a counted Match allocates %v times, want 0", allocs)
		}
	})
}
