package vip

import (
	"context"
	"errors"
	"fmt"
	"github.com/gokeepalived/gokeepalived/internal/netnsrun"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/mdlayher/arp"
	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/packet"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Announcer sends gratuitous ARP requests for IPv4 addresses and
// unsolicited neighbour advertisements for IPv6 addresses (reference §7.7)
// through packet sockets opened in [Config].Netns. It is safe for
// concurrent use. It keeps an interface's sockets, index and MAC address
// for linkTTL after opening them, so that a mass takeover neither reads
// the host's whole link table nor opens sockets once per instance; Close
// closes what it keeps.
type Announcer struct {
	netns string
	log   *slog.Logger
	wait  WaitFunc

	mu    sync.Mutex
	links map[string]*announceLink
}

// linkTTL is how long an Announcer trusts an interface's index and MAC
// address: long enough for a burst of takeovers, short enough that a
// changed address is soon seen.
const linkTTL = time.Second

// NewAnnouncer returns an Announcer for cfg.
func NewAnnouncer(cfg Config) *Announcer {
	w := cfg.Wait
	if w == nil {
		w = realWait
	}
	return &Announcer{netns: cfg.Netns, log: cfg.logger(), wait: w}
}

// Announce sends count rounds of messages on interface ifname, each round
// one gratuitous ARP per IPv4 address and one unsolicited neighbour
// advertisement per IPv6 address of addrs, in order. Consecutive messages
// are gap apart (vrrp_garp_interval or vrrp_gna_interval; callers wanting
// different gaps per family call Announce once per family). It returns
// when all are sent, or early with ctx's error when ctx ends.
func (a *Announcer) Announce(ctx context.Context, ifname string, addrs []netip.Addr, count int, gap time.Duration) error {
	if count <= 0 || len(addrs) == 0 {
		return nil
	}
	l, err := a.acquire(ifname, addrs)
	if err != nil {
		return fmt.Errorf("announce on %s: %w", ifname, err)
	}
	defer a.release(l)
	msgs, err := l.messages(addrs)
	if err != nil {
		return fmt.Errorf("announce on %s: %w", ifname, err)
	}
	first, debug := true, a.log.Enabled(ctx, slog.LevelDebug)
	for range count {
		for _, m := range msgs {
			if !first && gap > 0 {
				if err := a.wait(ctx, gap); err != nil {
					return fmt.Errorf("announce on %s: %w", ifname, err)
				}
			} else if err := ctx.Err(); err != nil {
				return fmt.Errorf("announce on %s: %w", ifname, err)
			}
			first = false
			if _, err := m.conn.WriteTo(m.frame, &packet.Addr{HardwareAddr: m.dst}); err != nil {
				a.evict(l) // the interface may be gone: open afresh next time
				return fmt.Errorf("%s: %w", m.log, err)
			}
			if debug {
				a.log.Debug(m.log)
			}
		}
	}
	return nil
}

// announceLink holds the sockets and facts of one interface. Its fields
// but refs and stale are set once by open; refs and stale are guarded by
// the Announcer's mu.
type announceLink struct {
	name  string
	netns string // the Announcer's namespace
	mac   net.HardwareAddr
	arp   *packet.Conn // nil without IPv4 addresses
	nd    *packet.Conn // nil without IPv6 addresses
	at    time.Time    // when it was opened
	refs  int          // Announce calls using it
	stale bool         // no longer in the cache: closed once unused
}

// acquire returns the link of ifname with the sockets addrs need, from the
// cache when it is fresh. The caller releases it.
func (a *Announcer) acquire(ifname string, addrs []netip.Addr) (*announceLink, error) {
	var has4, has6 bool
	for _, ip := range addrs {
		has4 = has4 || ip.Unmap().Is4()
		has6 = has6 || !ip.Unmap().Is4()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	old := a.links[ifname]
	if old != nil && time.Since(old.at) < linkTTL && (!has4 || old.arp != nil) && (!has6 || old.nd != nil) {
		old.refs++
		return old, nil
	}
	if old != nil {
		// Keep the families the old link served.
		has4, has6 = has4 || old.arp != nil, has6 || old.nd != nil
	}
	l, err := a.open(ifname, has4, has6)
	if err != nil {
		return nil, err
	}
	if old != nil {
		a.evictLocked(old)
	}
	if a.links == nil {
		a.links = map[string]*announceLink{}
	}
	l.at, l.refs = time.Now(), 1
	a.links[ifname] = l
	return l, nil
}

// release ends a use of l.
func (a *Announcer) release(l *announceLink) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l.refs--
	if l.stale && l.refs == 0 {
		l.close()
	}
}

// evict drops l from the cache.
func (a *Announcer) evict(l *announceLink) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.evictLocked(l)
}

func (a *Announcer) evictLocked(l *announceLink) {
	if a.links[l.name] == l {
		delete(a.links, l.name)
	}
	if !l.stale {
		l.stale = true
		if l.refs == 0 {
			l.close()
		}
	}
}

// Close closes the sockets the Announcer keeps; those in use close when
// their Announce call ends.
func (a *Announcer) Close() error {
	a.mu.Lock()
	links := make([]*announceLink, 0, len(a.links))
	for _, l := range a.links {
		links = append(links, l)
	}
	a.mu.Unlock()
	for _, l := range links {
		a.evict(l)
	}
	return nil
}

// message is one frame ready to send.
type message struct {
	conn  *packet.Conn
	dst   net.HardwareAddr
	frame []byte
	log   string
}

// dropAll is a socket filter that accepts nothing: the sockets only send.
var dropAll = mustAssemble(bpf.RetConstant{Val: 0})

// mustAssemble assembles a constant filter program.
func mustAssemble(insns ...bpf.Instruction) []bpf.RawInstruction {
	raw, err := bpf.Assemble(insns)
	if err != nil {
		panic(err)
	}
	return raw
}

// open looks ifname up and opens the packet sockets of the families asked
// for, inside the namespace.
func (a *Announcer) open(ifname string, has4, has6 bool) (*announceLink, error) {
	l := &announceLink{name: ifname, netns: a.netns}
	err := netnsrun.Do(a.netns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNoLink, err)
		}
		if len(ifi.HardwareAddr) != 6 {
			return fmt.Errorf("interface has no Ethernet address: %w", ErrNotSupported)
		}
		l.mac = ifi.HardwareAddr
		cfg := &packet.Config{Filter: dropAll}
		if has4 {
			if l.arp, err = packet.Listen(ifi, packet.Raw, unix.ETH_P_ARP, cfg); err != nil {
				return err
			}
		}
		if has6 {
			if l.nd, err = packet.Listen(ifi, packet.Raw, unix.ETH_P_IPV6, cfg); err != nil {
				return errors.Join(err, l.close())
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// close closes the sockets.
func (l *announceLink) close() error {
	var errs []error
	for _, c := range []*packet.Conn{l.arp, l.nd} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// messages builds one frame per address.
func (l *announceLink) messages(addrs []netip.Addr) ([]message, error) {
	msgs := make([]message, 0, len(addrs))
	router := false // IPv6 forwarding, read at each call: NAs carry it
	for _, ip := range addrs {
		if !ip.Unmap().Is4() {
			// /proc/sys/net shows the reading thread's namespace.
			netnsrun.Do(l.netns, func() error {
				router = ipv6Forwarding(l.name)
				return nil
			})
			break
		}
	}
	for _, ip := range addrs {
		ip = ip.Unmap()
		if ip.Is4() {
			b, err := GARPFrame(l.mac, ip)
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, message{l.arp, ethernet.Broadcast, b,
				fmt.Sprintf("Sending gratuitous ARP on %s for %s", l.name, ip)})
			continue
		}
		b, err := NAFrame(l.mac, ip, router)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, message{l.nd, allNodesMAC, b,
			fmt.Sprintf("Sending unsolicited Neighbour Advert on %s for %s", l.name, ip)})
	}
	return msgs, nil
}

// GARPFrame returns keepalived's gratuitous ARP for ip from an interface
// with address mac: an Ethernet broadcast from mac carrying an ARP request
// whose sender is mac and ip, whose target IP is ip and whose target
// hardware address is ff:ff:ff:ff:ff:ff.
func GARPFrame(mac net.HardwareAddr, ip netip.Addr) ([]byte, error) {
	p, err := arp.NewPacket(arp.OperationRequest, mac, ip, ethernet.Broadcast, ip)
	if err != nil {
		return nil, fmt.Errorf("gratuitous arp for %s: %w", ip, err)
	}
	payload, err := p.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("gratuitous arp for %s: %w", ip, err)
	}
	f := &ethernet.Frame{
		Destination: ethernet.Broadcast,
		Source:      mac,
		EtherType:   ethernet.EtherTypeARP,
		Payload:     payload,
	}
	return f.MarshalBinary()
}
