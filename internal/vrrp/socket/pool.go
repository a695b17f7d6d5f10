//go:build linux

package socket

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// openFunc opens the socket pair for key on interface ifname.
type openFunc func(key sockKey, ifname string) (conn, error)

// Pool is keepalived's VRRP socket pool: it opens one receive socket and one
// send socket per interface, family and multicast group (or unicast source)
// and hands each received advert to the Endpoint with its VRID. It is safe
// for concurrent use.
type Pool struct {
	log     *slog.Logger
	open    openFunc
	ifindex func(name string) (int, error)

	mu     sync.RWMutex
	socks  map[sockKey]*sock
	closed bool
	wg     sync.WaitGroup // one per reading goroutine

	stats counters
}

// sock is a shared socket pair and its subscribers. subs is guarded by
// Pool.mu.
type sock struct {
	key    sockKey
	ifname string
	c      conn
	subs   map[uint8][]*Endpoint
	n      int // number of endpoints
	// drops is the receive socket's last overflow count and dropLog
	// when an overflow was last logged; both belong to the reader.
	drops   uint32
	dropLog time.Time
	// send sends the repeating adverts of its endpoints.
	send sender
}

// NewPool returns an empty pool that logs socket openings to log (nil
// discards them). Close it to close its sockets and stop its readers.
func NewPool(log *slog.Logger) *Pool {
	return newPool(log, openConn, interfaceIndex)
}

// newPool returns a pool that opens sockets with open and resolves
// interface names with ifindex.
func newPool(log *slog.Logger, open openFunc, ifindex func(string) (int, error)) *Pool {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Pool{log: log, open: open, ifindex: ifindex, socks: make(map[sockKey]*sock)}
}

// interfaceIndex returns the index of the interface called name in the
// calling thread's network namespace.
func interfaceIndex(name string) (int, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, err
	}
	return ifi.Index, nil
}

// Open returns an endpoint for the instance opts describes, opening the
// sockets it needs unless another endpoint already has. Sockets are created
// in the network namespace of the calling thread.
func (p *Pool) Open(opts Options) (*Endpoint, error) {
	opts, err := opts.validate()
	if err != nil {
		return nil, err
	}
	ifindex, err := p.ifindexOf(opts.Ifname)
	if err != nil {
		return nil, fmt.Errorf("open VRRP socket on %s: %w", opts.Ifname, err)
	}
	key := sockKey{ifindex: ifindex, family: opts.Family, unicast: opts.unicast(), addr: opts.Group}
	if key.unicast {
		key.addr = opts.Src
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, fmt.Errorf("open VRRP socket on %s: %w", opts.Ifname, ErrClosed)
	}
	return p.openLocked(key, opts)
}

// ifindexOf resolves an interface name, from an open socket on it when
// there is one: a lookup by name reads every link of the host, which at
// thousands of instances is most of the start-up time.
func (p *Pool) ifindexOf(name string) (int, error) {
	p.mu.RLock()
	for _, s := range p.socks {
		if s.ifname == name {
			p.mu.RUnlock()
			return s.key.ifindex, nil
		}
	}
	p.mu.RUnlock()
	return p.ifindex(name)
}

// openLocked is Open once the socket's key is known, with p.mu held.
func (p *Pool) openLocked(key sockKey, opts Options) (*Endpoint, error) {
	s := p.socks[key]
	if s != nil && !key.unicast && len(s.subs[opts.VRID]) > 0 {
		return nil, fmt.Errorf("VRID %d with %v on interface %s: %w", opts.VRID, opts.Family, opts.Ifname, ErrVRIDInUse)
	}
	if s == nil {
		c, err := p.open(key, opts.Ifname)
		if err != nil {
			return nil, fmt.Errorf("open %v VRRP socket on %s: %w", opts.Family, opts.Ifname, err)
		}
		s = &sock{key: key, ifname: opts.Ifname, c: c, subs: make(map[uint8][]*Endpoint)}
		p.socks[key] = s
		p.logOpen(s)
		p.wg.Add(1)
		go p.read(s) // Ends when s.c is closed, by its last Endpoint.Close or by Pool.Close.
	}
	e := &Endpoint{pool: p, sock: s, opts: opts, ch: make(chan Packet, opts.QueueLen)}
	s.subs[opts.VRID] = append(s.subs[opts.VRID], e)
	s.n++
	return e, nil
}

// logOpen logs keepalived's line for a newly opened socket pair.
func (p *Pool) logOpen(s *sock) {
	in, out := s.c.fds()
	kind := " multicast"
	if s.key.unicast {
		kind = " , unicast"
	}
	p.log.Info(fmt.Sprintf("VRRP sockpool: [ifindex(%3d), family(%v), proto(%d), fd(%d,%d)%s, address(%v)]",
		s.key.ifindex, s.key.family, vrrp.ProtocolVRRP, in, out, kind, s.key.addr))
}

// unsubscribe removes e from its socket, closes its channel and closes the
// socket pair, and its sender, if e was its last endpoint.
func (p *Pool) unsubscribe(e *Endpoint) error {
	e.StopRepeat()
	s, err := p.unsubscribeLocked(e)
	if s != nil {
		// Outside p.mu: the sender's sends take it.
		s.send.close()
	}
	return err
}

// unsubscribeLocked is unsubscribe under p.mu; it returns the socket when
// it closed it.
func (p *Pool) unsubscribeLocked(e *Endpoint) (*sock, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.closed {
		return nil, nil
	}
	e.closed = true
	close(e.ch)
	s := e.sock
	vrid := e.opts.VRID
	s.subs[vrid] = slices.DeleteFunc(s.subs[vrid], func(x *Endpoint) bool { return x == e })
	if len(s.subs[vrid]) == 0 {
		delete(s.subs, vrid)
	}
	s.n--
	if s.n > 0 {
		return nil, nil
	}
	delete(p.socks, s.key)
	if err := s.c.close(); err != nil {
		return s, fmt.Errorf("close VRRP socket on %s: %w", s.ifname, err)
	}
	return s, nil
}

// Close closes every socket and endpoint of the pool and waits for its
// reading goroutines to end. Closing twice is harmless.
func (p *Pool) Close() error {
	p.mu.Lock()
	var errs []error
	var socks []*sock
	if !p.closed {
		p.closed = true
		for key, s := range p.socks {
			socks = append(socks, s)
			for _, subs := range s.subs {
				for _, e := range subs {
					e.closed = true
					close(e.ch)
				}
			}
			s.subs, s.n = nil, 0
			if err := s.c.close(); err != nil {
				errs = append(errs, fmt.Errorf("close VRRP socket on %s: %w", s.ifname, err))
			}
			delete(p.socks, key)
		}
	}
	p.mu.Unlock()
	for _, s := range socks {
		s.send.close()
	}
	p.wg.Wait()
	return errors.Join(errs...)
}

// Stats returns the pool's receive counters.
func (p *Pool) Stats() Stats { return p.stats.snapshot() }

// read receives packets on s until its sockets are closed.
func (p *Pool) read(s *sock) {
	defer p.wg.Done()
	for {
		pkt, err := s.c.read()
		switch {
		case errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrClosed):
			return
		case errors.Is(err, errMalformed):
			p.stats.malformed.Add(1)
			continue
		case err != nil:
			// The reader is the top of its goroutine, so it logs.
			p.stats.readErrors.Add(1)
			p.log.Warn(fmt.Sprintf("VRRP socket receive failed on %s (%v): %v", s.ifname, s.key.family, err))
			continue
		}
		p.overflows(s, pkt.RxqDrops)
		p.deliver(s, pkt)
	}
}

// overflowLogEvery is how often at most a socket's receive buffer
// overflows are logged.
const overflowLogEvery = 10 * time.Second

// overflows counts the adverts the kernel dropped on s's full receive
// buffer since the last packet, and logs them at most every
// overflowLogEvery.
func (p *Pool) overflows(s *sock, total uint32) {
	if total == s.drops {
		return
	}
	p.stats.rcvbufDrops.Add(uint64(total - s.drops))
	s.drops = total
	if now := time.Now(); now.Sub(s.dropLog) >= overflowLogEvery {
		s.dropLog = now
		p.log.Warn(fmt.Sprintf("VRRP socket receive buffer full on %s (%v): %d adverts dropped so far", s.ifname, s.key.family, total))
	}
}

// Drain reads the adverts the endpoint's socket has queued now and hands
// them out as the reader does, to every endpoint of the socket, before it
// returns. An instance whose master-down timer expires calls it, so that
// it never takes over from a master whose advert sits unread in the
// socket's buffer because the host was busy.
func (e *Endpoint) Drain() {
	p := e.pool
	p.mu.RLock()
	closed, s := e.closed, e.sock
	p.mu.RUnlock()
	if closed {
		return
	}
	s.c.drain(func(pkt Packet, err error) {
		switch {
		case errors.Is(err, errMalformed):
			p.stats.malformed.Add(1)
		case err != nil:
			p.stats.readErrors.Add(1)
		default:
			p.deliver(s, pkt)
		}
	})
}

// errMalformed is returned by conn.read for packets it cannot make sense of
// (truncated, or without the addresses of the family).
var errMalformed = errors.New("socket: malformed packet")

// deliver hands pkt to the endpoint of s with its VRID, or counts it
// dropped. An advert that only refreshes its instance's master-down timer
// is recorded in the endpoint's Refresher instead (see Refresher); any
// other is copied onto the endpoint's channel, since pkt.Data is the
// reader's buffer.
func (p *Pool) deliver(s *sock, pkt Packet) {
	vrid, err := vrrp.PeekVRID(pkt.Data, s.key.family)
	if err != nil {
		p.stats.malformed.Add(1)
		return
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	e := pick(s.subs[vrid], pkt.Src)
	if e == nil {
		p.stats.unknownVRID.Add(1)
		return
	}
	if e.refresh.Match(pkt, time.Now()) {
		p.stats.refreshed.Add(1)
		return
	}
	pkt.Data = slices.Clone(pkt.Data)
	select {
	case e.ch <- pkt:
		p.stats.delivered.Add(1)
	default:
		p.stats.queueFull.Add(1)
	}
}

// pick chooses the endpoint for a packet from src among those with its
// VRID: the only one, or (several unicast endpoints sharing a VRID) the one
// that has src among its peers.
func pick(subs []*Endpoint, src netip.Addr) *Endpoint {
	if len(subs) == 1 {
		return subs[0]
	}
	for _, e := range subs {
		if slices.Contains(e.opts.Peers, src.WithZone("")) {
			return e
		}
	}
	return nil
}
