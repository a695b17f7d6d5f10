//go:build linux

package socket

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Errors returned by the package; every error it returns about these cases
// wraps one of them.
var (
	// ErrClosed is returned when using a closed Pool or Endpoint.
	ErrClosed = errors.New("socket: closed")
	// ErrOptions is wrapped by errors about invalid Options.
	ErrOptions = errors.New("socket: invalid options")
	// ErrVRIDInUse is returned when a multicast Endpoint asks for a VRID
	// that another Endpoint on the same socket already has: keepalived's
	// "both use VRID %d with IPv%d on interface %s".
	ErrVRIDInUse = errors.New("socket: VRID already in use on this interface and family")
)

// DefaultQueueLen is the capacity of an Endpoint's packet channel when
// Options.QueueLen is 0. It is small because the channel carries only
// adverts that change something: a master's steady stream goes to the
// endpoint's Refresher (thousands of instances each keep a channel).
const DefaultQueueLen = 8

// DefaultGroup returns the VRRP multicast group of fam: 224.0.0.18 (RFC 5798
// §5.1.1.2) or ff02::12 (§5.1.2.2).
func DefaultGroup(fam vrrp.Family) netip.Addr {
	if fam == vrrp.IPv6 {
		return netip.AddrFrom16([16]byte{0: 0xff, 1: 0x02, 15: 0x12})
	}
	return netip.AddrFrom4([4]byte{224, 0, 0, 18})
}

// Packet is one received advert, as the socket layer got it. It is a plain
// value, safe for concurrent use when not mutated.
type Packet struct {
	// Data is, for IPv4, the whole packet from its IP header on; for IPv6,
	// the VRRP packet (the IP payload).
	Data   []byte
	Family vrrp.Family
	// Src is the sender and Dst the destination (from the IPv4 header, or
	// from IPV6_PKTINFO; zero if the kernel did not say). Neither carries a
	// zone; IfIndex says where the packet arrived.
	Src, Dst netip.Addr
	// HopLimit is the IPv4 TTL, or the IPv6 hop limit from IPV6_HOPLIMIT
	// (-1 if the kernel did not say).
	HopLimit int
	// IfIndex is the index of the interface the packet arrived on.
	IfIndex int
	// RxqDrops is the receive socket's count of packets the kernel
	// dropped because its buffer was full (SO_RXQ_OVFL), as of this
	// packet.
	RxqDrops uint32
}

// Received returns p in the form vrrp.Check takes.
func (p Packet) Received() vrrp.Received {
	return vrrp.Received{Packet: p.Data, Src: p.Src, Dst: p.Dst, HopLimit: p.HopLimit}
}

// Options describe the endpoint of one vrrp_instance. Values are plain and
// are copied by Pool.Open.
type Options struct {
	// Ifname is the instance's interface.
	Ifname string
	Family vrrp.Family
	// VRID selects the adverts delivered to the endpoint (1 to 255).
	VRID uint8
	// Src is the source of sent adverts (mcast_src_ip, unicast_src_ip or
	// the interface's address, IPv6 usually link-local). For unicast it is
	// also the address the receive socket is bound to and part of the
	// socket's identity, as in keepalived.
	Src netip.Addr
	// Group is the multicast group (mcast_dst_ip); the zero Addr means
	// 224.0.0.18 or ff02::12. It is not used when Peers is not empty.
	Group netip.Addr
	// Peers are the unicast peers; when not empty the endpoint is a
	// unicast one, sending one advert to each peer.
	Peers []netip.Addr
	// UnicastTTL is unicast_ttl, for unicast endpoints only: 0 means the
	// default (IPv4 255, IPv6 the kernel's unicast hop limit).
	UnicastTTL uint8
	// QueueLen is the capacity of the packet channel; 0 means
	// DefaultQueueLen. Packets arriving while it is full are dropped.
	QueueLen int
}

// unicast reports whether o describes a unicast endpoint.
func (o Options) unicast() bool { return len(o.Peers) > 0 }

// group returns the multicast group to use.
func (o Options) group() netip.Addr {
	if o.Group.IsValid() {
		return o.Group
	}
	return DefaultGroup(o.Family)
}

// validate checks o and returns a copy with defaults filled in.
func (o Options) validate() (Options, error) {
	fail := func(format string, args ...any) (Options, error) {
		return Options{}, fmt.Errorf("%w: "+format, append([]any{ErrOptions}, args...)...)
	}
	if o.Ifname == "" {
		return fail("no interface")
	}
	is := func(a netip.Addr) bool {
		return o.Family == vrrp.IPv4 && a.Is4() || o.Family == vrrp.IPv6 && a.Is6() && !a.Is4In6()
	}
	switch {
	case o.Family != vrrp.IPv4 && o.Family != vrrp.IPv6:
		return fail("family %v", o.Family)
	case o.VRID == 0:
		return fail("VRID 0")
	case !is(o.Src) || o.Src.IsMulticast() || o.Src.IsUnspecified():
		return fail("source %v for %v", o.Src, o.Family)
	case o.QueueLen < 0:
		return fail("queue length %d", o.QueueLen)
	}
	if o.Group.IsValid() && !o.unicast() && (!is(o.Group) || !o.Group.IsMulticast()) {
		return fail("multicast group %v for %v", o.Group, o.Family)
	}
	for _, p := range o.Peers {
		if !is(p) || p.IsMulticast() || p.IsUnspecified() {
			return fail("unicast peer %v for %v", p, o.Family)
		}
	}
	if o.QueueLen == 0 {
		o.QueueLen = DefaultQueueLen
	}
	o.Src = o.Src.WithZone("")
	o.Peers = slices.Clone(o.Peers)
	if !o.unicast() {
		o.Group = o.group()
	} else {
		o.Group = netip.Addr{}
	}
	return o, nil
}

// Stats counts what the pool's readers did with the packets they received.
// It is a plain value.
type Stats struct {
	Delivered   uint64 // handed to an endpoint
	Refreshed   uint64 // recorded by an endpoint's Refresher (the fast path)
	UnknownVRID uint64 // no endpoint has the packet's VRID (keepalived drops these silently)
	Malformed   uint64 // too short to hold a VRRP header, or truncated
	QueueFull   uint64 // the endpoint's channel was full
	ReadErrors  uint64 // receive errors other than the socket being closed
	// RcvbufDrops counts adverts the kernel dropped because a receive
	// socket's buffer was full (SO_RXQ_OVFL).
	RcvbufDrops uint64
}

// counters are the atomic counters behind Stats.
type counters struct {
	delivered, refreshed, unknownVRID, malformed, queueFull, readErrors, rcvbufDrops atomic.Uint64
}

// snapshot returns the current values.
func (c *counters) snapshot() Stats {
	return Stats{
		Delivered:   c.delivered.Load(),
		Refreshed:   c.refreshed.Load(),
		RcvbufDrops: c.rcvbufDrops.Load(),
		UnknownVRID: c.unknownVRID.Load(),
		Malformed:   c.malformed.Load(),
		QueueFull:   c.queueFull.Load(),
		ReadErrors:  c.readErrors.Load(),
	}
}

// outPacket is one packet for conn.write.
type outPacket struct {
	// b is, for IPv4, the whole packet with its header; for IPv6 the VRRP
	// packet.
	b        []byte
	src, dst netip.Addr
	// hopLimit is the IPv6 hop limit to ask for, or 0 for the socket's.
	hopLimit int
	// dontRoute sends with MSG_DONTROUTE (multicast).
	dontRoute bool
	// to and oob are the destination and control messages as the
	// socket takes them, built once by the conn (see conn.write).
	to  unix.Sockaddr
	oob []byte
}

// conn is one pool socket pair as the pool uses it. read is called by one
// goroutine only; write may be called concurrently with read and with
// itself; close makes a blocked read return an error wrapping
// net.ErrClosed or os.ErrClosed.
type conn interface {
	read() (Packet, error)
	// drain hands f, at once, the packets queued that read has not
	// returned yet; it may be called concurrently with read.
	drain(f func(Packet, error))
	// prepare fills in p's to and oob, once per packet built; write
	// sends a prepared packet, whose bytes it may use only during the
	// call.
	prepare(p outPacket) outPacket
	write(p outPacket) error
	fds() (in, out int)
	close() error
}

// sockKey identifies a shared socket pair, as keepalived's socket pool
// does: interface, family and, for multicast, the group or, for unicast,
// the source address.
type sockKey struct {
	ifindex int
	family  vrrp.Family
	unicast bool
	addr    netip.Addr
}

// Endpoint is one vrrp_instance's view of a shared socket: the adverts with
// its VRID, and a way to send its own. It is safe for concurrent use.
type Endpoint struct {
	pool *Pool
	sock *sock
	opts Options
	ch   chan Packet

	closed bool // guarded by pool.mu

	// mu guards ipID and sent.
	mu     sync.Mutex
	ipID   uint16
	sent   [2]builtAdvert // the two adverts sent last, newest first
	legacy atomic.Bool

	refresh Refresher
	rep     *repeat // guarded by sock.send.mu
	// sentCount, when set, counts the adverts the socket sends for the
	// endpoint (see CountInto).
	sentCount atomic.Pointer[atomic.Uint64]
}

// CountInto makes the two fast paths count as they go: every refresh the
// Refresher records adds one to received, every advert Repeat sends one to
// sent, so that the instance's counters are up to date between its steps
// (its metrics read them at any time). The counts of Take and Repeated are
// unchanged. The instance calls it before it uses either fast path.
func (e *Endpoint) CountInto(received, sent *atomic.Uint64) {
	e.refresh.CountInto(received)
	e.sentCount.Store(sent)
}

// builtAdvert is an advert encoded for every destination of an endpoint;
// only the IPv4 identification and header checksum change from one send to
// the next.
type builtAdvert struct {
	adv    vrrp.Advert // Addrs owned
	legacy bool
	pkts   []outPacket
}

// Packets returns the channel on which the endpoint's adverts arrive. It is
// closed when the endpoint or its pool is closed.
func (e *Endpoint) Packets() <-chan Packet { return e.ch }

// Refresh returns the endpoint's receive fast path.
func (e *Endpoint) Refresh() *Refresher { return &e.refresh }

// IfIndex returns the index of the endpoint's interface.
func (e *Endpoint) IfIndex() int { return e.sock.key.ifindex }

// SetLegacyChecksum makes VRRPv3 IPv4 unicast adverts carry keepalived's
// pre-1.3.6 checksum (old_unicast_checksum, or after vrrp.Check reported
// that a peer uses it). It has no effect on other adverts.
func (e *Endpoint) SetLegacyChecksum(on bool) { e.legacy.Store(on) }

// Send encodes adv for each destination (the group, or every unicast peer
// in turn) with the checksum for that destination, and sends it from
// Options.Src. The encoding is kept: sending the same advert again (a
// master's steady state, or its priority 0 advert) only renumbers the IPv4
// header, and allocates nothing. It returns the errors of all sends that
// failed, joined.
func (e *Endpoint) Send(adv vrrp.Advert) error {
	// The pool's lock, held while sending, keeps the socket open.
	e.pool.mu.RLock()
	defer e.pool.mu.RUnlock()
	if e.closed {
		return fmt.Errorf("send VRID %d advert: %w", adv.VRID, ErrClosed)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b, err := e.built(adv)
	if err != nil {
		return fmt.Errorf("send VRID %d advert: %w", adv.VRID, err)
	}
	var errs []error
	for i := range b.pkts {
		p := &b.pkts[i]
		if e.opts.Family == vrrp.IPv4 {
			e.ipID = vrrp.NextIPv4ID(e.ipID)
			if err := vrrp.SetIPv4ID(p.b, e.ipID); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if err := e.sock.c.write(*p); err != nil {
			errs = append(errs, fmt.Errorf("send VRID %d advert to %v on %s: %w", adv.VRID, p.dst, e.sock.ifname, err))
		}
	}
	return errors.Join(errs...)
}

// built returns adv encoded for every destination, from e.sent when it was
// sent lately, with e.mu held.
func (e *Endpoint) built(adv vrrp.Advert) (*builtAdvert, error) {
	legacy := e.legacy.Load()
	for i := range e.sent {
		if b := &e.sent[i]; b.pkts != nil && b.legacy == legacy && sameAdvert(b.adv, adv) {
			if i > 0 {
				e.sent[0], e.sent[1] = e.sent[1], e.sent[0]
			}
			return &e.sent[0], nil
		}
	}
	dsts := e.opts.Peers
	if !e.opts.unicast() {
		dsts = []netip.Addr{e.opts.Group}
	}
	nb := builtAdvert{adv: adv, legacy: legacy}
	nb.adv.Addrs = slices.Clone(adv.Addrs)
	for _, dst := range dsts {
		p, err := e.packet(adv, dst, legacy)
		if err != nil {
			return nil, err
		}
		nb.pkts = append(nb.pkts, p)
	}
	e.sent[1], e.sent[0] = e.sent[0], nb
	return &e.sent[0], nil
}

// sameAdvert reports whether a and b encode to the same packet.
func sameAdvert(a, b vrrp.Advert) bool {
	return a.Version == b.Version && a.Type == b.Type && a.VRID == b.VRID && a.Priority == b.Priority &&
		a.AuthType == b.AuthType && a.AdvertInt == b.AdvertInt && a.MaxAdvertInt == b.MaxAdvertInt &&
		a.AuthData == b.AuthData && slices.Equal(a.Addrs, b.Addrs)
}

// packet builds the packet that carries adv to dst, its IPv4 header (if
// any) numbered later by Send.
func (e *Endpoint) packet(adv vrrp.Advert, dst netip.Addr, legacy bool) (outPacket, error) {
	src, unicast := e.opts.Src, e.opts.unicast()
	var b []byte
	var err error
	if unicast && legacy && e.opts.Family == vrrp.IPv4 {
		b, err = adv.MarshalLegacyUnicast(src)
	} else {
		b, err = adv.Marshal(src, dst)
	}
	if err != nil {
		return outPacket{}, err
	}
	p := outPacket{b: b, src: src, dst: dst, dontRoute: !unicast}
	if e.opts.Family == vrrp.IPv6 {
		if unicast {
			p.hopLimit = int(e.opts.UnicastTTL)
		}
		return e.sock.c.prepare(p), nil
	}
	ttl := uint8(vrrp.DefaultTTL)
	if unicast && e.opts.UnicastTTL != 0 {
		ttl = e.opts.UnicastTTL
	}
	p.b, err = vrrp.NewAdvertIPv4Header(src, dst, 0, ttl).MarshalPacket(b)
	return e.sock.c.prepare(p), err
}

// Close unsubscribes the endpoint and closes its channel; the sockets are
// closed with their last endpoint. Closing twice, or after the pool, is
// harmless.
func (e *Endpoint) Close() error {
	return e.pool.unsubscribe(e)
}

// rawConn is a socket pair made of two raw sockets in non-blocking mode,
// wrapped in os.File so that the runtime poller wakes readers on close.
type rawConn struct {
	ifindex int
	in, out *os.File
	inFD    int
	outFD   int
	rin     syscall.RawConn
	rout    syscall.RawConn
	rx      *batch // receive buffers, used by the one reader
}

// newRawConn wraps the descriptors inFD and outFD, taking ownership of them:
// they are closed on error. Received packets are at most size bytes, with
// oobLen bytes of control messages.
func newRawConn(ifindex, inFD, outFD, size, oobLen int) (*rawConn, error) {
	c := &rawConn{
		ifindex: ifindex, inFD: inFD, outFD: outFD,
		in:  os.NewFile(uintptr(inFD), "vrrp-in"),
		out: os.NewFile(uintptr(outFD), "vrrp-out"),
		rx:  newBatch(size, oobLen),
	}
	var err1, err2 error
	c.rin, err1 = c.in.SyscallConn()
	c.rout, err2 = c.out.SyscallConn()
	if err := errors.Join(err1, err2); err != nil {
		return nil, errors.Join(err, c.close())
	}
	return c, nil
}

// fds returns the receive and send descriptors.
func (c *rawConn) fds() (in, out int) { return c.inFD, c.outFD }

// close closes both sockets.
func (c *rawConn) close() error {
	return errors.Join(c.in.Close(), c.out.Close())
}

// next returns the next received packet's data, control messages and
// sender, waiting for one to arrive. It returns an error wrapping
// net.ErrClosed once c is closed, and errMalformed for a truncated packet.
// The slices are valid until the next call.
func (c *rawConn) next() (data, oob []byte, from *unix.RawSockaddrAny, err error) {
	for {
		data, oob, from, ok, err := c.rx.take()
		if ok {
			return data, oob, from, err
		}
		if err := c.rx.fill(c); err != nil {
			return nil, nil, nil, err
		}
	}
}

// drops returns the receive socket's overflow count (SO_RXQ_OVFL) as of
// the last packet read.
func (c *rawConn) drops() uint32 { return c.rx.drops }

// drainRaw reads what the receive socket has queued now, between the
// reader's batches, and calls f with each packet. The descriptor stays
// open meanwhile even if c is closed.
func (c *rawConn) drainRaw(f func(data, oob []byte, from *unix.RawSockaddrAny, err error)) {
	c.rin.Control(func(fd uintptr) { c.rx.drain(fd, f) })
}

// sendmsg sends b with control messages oob to to, waiting for buffer
// space if need be. The caller keeps c open meanwhile (Endpoint.Send holds
// the pool's lock), so the first try goes straight to the descriptor: it
// allocates nothing, where the poller's path allocates a closure.
func (c *rawConn) sendmsg(b, oob []byte, to unix.Sockaddr, flags int) error {
	serr := unix.Sendmsg(c.outFD, b, oob, to, flags)
	if serr == nil {
		return nil
	}
	if serr != unix.EAGAIN && serr != unix.EWOULDBLOCK {
		return fmt.Errorf("sendmsg: %w", serr)
	}
	err := c.rout.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), b, oob, to, flags)
		return serr != unix.EAGAIN && serr != unix.EWOULDBLOCK
	})
	if err != nil {
		// As in recvmsg: the file is closing.
		return fmt.Errorf("sendmsg: %w (%w)", ErrClosed, err)
	}
	if serr != nil {
		return fmt.Errorf("sendmsg: %w", serr)
	}
	return nil
}

// openConn opens the socket pair for key on interface ifname.
func openConn(key sockKey, ifname string) (conn, error) {
	if key.family == vrrp.IPv6 {
		return openIPv6(key, ifname)
	}
	return openIPv4(key, ifname)
}

// rawSocket returns a non-blocking raw socket of family domain and protocol
// 112 bound to interface ifname.
func rawSocket(domain int, ifname string) (int, error) {
	fd, err := unix.Socket(domain, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, vrrp.ProtocolVRRP)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, ifname); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("setsockopt SO_BINDTODEVICE %s: %w", ifname, err)
	}
	return fd, nil
}

// sendOnly makes fd receive nothing, as a send socket of protocol 112 would
// otherwise queue every advert, and discards what it queued before.
func sendOnly(fd int) error {
	filter := [...]unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: 0}} // "ret #0": accept nothing
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if err := unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog); err != nil {
		return fmt.Errorf("setsockopt SO_ATTACH_FILTER: %w", err)
	}
	var b [1]byte
	for {
		if _, _, err := unix.Recvfrom(fd, b[:], unix.MSG_DONTWAIT|unix.MSG_TRUNC); err != nil {
			return nil // EAGAIN: the queue is empty.
		}
	}
}

// setInts sets integer socket options, stopping at the first failure.
func setInts(fd int, opts ...intOpt) error {
	for _, o := range opts {
		if err := unix.SetsockoptInt(fd, o.level, o.opt, o.val); err != nil {
			return fmt.Errorf("setsockopt %s %d: %w", o.name, o.val, err)
		}
	}
	return nil
}

// intOpt is one integer socket option.
type intOpt struct {
	name       string
	level, opt int
	val        int
}
