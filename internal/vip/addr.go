package vip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Errors returned, wrapped, by this package.
var (
	// ErrNotSupported marks an option this package cannot install.
	ErrNotSupported = errors.New("not supported")
	// ErrNoLink marks an interface that does not exist.
	ErrNoLink = errors.New("no such interface")
)

// forever is the lifetime the kernel takes as infinite.
const forever = 0xffffffff

// Manager adds and deletes addresses, routes and rules over rtnetlink with
// a netlink handle of its own, opened in [Config].Netns. It is safe for
// concurrent use; its calls are serialised and run in a goroutine of its
// own, so that the netlink library's 64 KiB receive buffer, which lives
// on the stack, grows that one goroutine's stack and not each caller's
// (thousands of instances).
type Manager struct {
	netns string // path of the namespace, "" for the caller's

	work chan func() // served by the goroutine until Close
	done chan struct{}
	// mu guards closed; calls hold it for reading, so that Close waits
	// for them.
	mu     sync.RWMutex
	closed bool

	h *netlink.Handle
	// links caches the interfaces AddAddress used, so that a takeover
	// costs one netlink request per address; an entry is refreshed when
	// the kernel no longer knows its index.
	links map[string]netlink.Link
}

// NewManager opens a netlink handle in cfg.Netns. The caller must call
// [Manager.Close].
func NewManager(cfg Config) (*Manager, error) {
	var h *netlink.Handle
	var err error
	if cfg.Netns == "" {
		h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	} else {
		var ns netns.NsHandle
		ns, err = netns.GetFromPath(cfg.Netns)
		if err != nil {
			return nil, fmt.Errorf("open network namespace %s: %w", cfg.Netns, err)
		}
		defer ns.Close()
		h, err = netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	}
	if err != nil {
		return nil, fmt.Errorf("open netlink handle: %w", err)
	}
	m := &Manager{netns: cfg.Netns, h: h, work: make(chan func()), done: make(chan struct{})}
	go m.serve() // Ends with Close.
	return m, nil
}

// serve runs the calls until Close.
func (m *Manager) serve() {
	defer close(m.done)
	for f := range m.work {
		f()
	}
}

// call runs f in the Manager's goroutine and returns its error.
func (m *Manager) call(f func() error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return errors.New("netlink manager closed")
	}
	errc := make(chan error, 1)
	m.work <- func() { errc <- f() }
	return <-errc
}

// Close ends the goroutine and closes the netlink handle. Calls made
// after Close fail.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	close(m.work)
	m.mu.Unlock()
	<-m.done
	m.h.Close()
	return nil
}

// link returns the interface called name, or an error wrapping [ErrNoLink].
func (m *Manager) link(name string) (netlink.Link, error) {
	l, err := m.h.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("interface %s: %w", name, ErrNoLink)
		}
		return nil, fmt.Errorf("interface %s: %w", name, err)
	}
	return l, nil
}

// AddAddress adds a on a.Dev with all its options, like `ip addr add`. An
// address already present (same address and prefix length) is left as it is
// and is not an error.
func (m *Manager) AddAddress(a *config.Address) error {
	na, err := addrToNetlink(a)
	if err != nil {
		return fmt.Errorf("add address %s: %w", a.Prefix, err)
	}
	return m.call(func() error {
		l, cached := m.links[a.Dev]
		if !cached {
			if l, err = m.link(a.Dev); err != nil {
				return fmt.Errorf("add address %s: %w", a.Prefix, err)
			}
		}
		err = m.h.AddrAdd(l, na)
		if cached && errors.Is(err, unix.ENODEV) {
			// The interface was recreated under a new index.
			if l, err = m.link(a.Dev); err != nil {
				delete(m.links, a.Dev)
				return fmt.Errorf("add address %s: %w", a.Prefix, err)
			}
			err = m.h.AddrAdd(l, na)
		}
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("add address %s dev %s: %w", a.Prefix, a.Dev, err)
		}
		if m.links == nil {
			m.links = map[string]netlink.Link{}
		}
		m.links[a.Dev] = l
		return nil
	})
}

// DelAddress deletes a from a.Dev, like `ip addr del`. An absent address, or
// an absent interface, is not an error.
func (m *Manager) DelAddress(a *config.Address) error {
	na, err := addrToNetlink(a)
	if err != nil {
		return fmt.Errorf("delete address %s: %w", a.Prefix, err)
	}
	return m.call(func() error {
		l, cached := m.links[a.Dev]
		if cached {
			err = m.h.AddrDel(l, na)
		}
		if !cached || errors.Is(err, unix.ENODEV) {
			// Not looked up yet, or recreated under a new index.
			delete(m.links, a.Dev)
			if l, err = m.link(a.Dev); errors.Is(err, ErrNoLink) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("delete address %s: %w", a.Prefix, err)
			}
			err = m.h.AddrDel(l, na)
		}
		if m.links == nil {
			m.links = map[string]netlink.Link{}
		}
		m.links[a.Dev] = l
		if err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) && !errors.Is(err, unix.ENOENT) &&
			!errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("delete address %s dev %s: %w", a.Prefix, a.Dev, err)
		}
		return nil
	})
}

// HasAddress reports whether interface ifname carries the address of p.
// A prefix whose length is the full address length matches any length
// when no address with exactly that length exists; otherwise the length must
// match. A missing interface has no addresses.
func (m *Manager) HasAddress(ifname string, p netip.Prefix) (bool, error) {
	var has bool
	err := m.call(func() error {
		l, err := m.link(ifname)
		if errors.Is(err, ErrNoLink) {
			return nil
		}
		if err != nil {
			return err
		}
		family := netlink.FAMILY_V4
		if p.Addr().Is6() {
			family = netlink.FAMILY_V6
		}
		list, err := m.h.AddrList(l, family)
		if err != nil {
			return fmt.Errorf("list addresses of %s: %w", ifname, err)
		}
		has = hasPrefix(list, p)
		return nil
	})
	return has, err
}

// hasPrefix reports whether list holds p (see HasAddress).
func hasPrefix(list []netlink.Addr, p netip.Prefix) bool {
	any := false
	for _, a := range list {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok || ip.Unmap() != p.Addr() {
			continue
		}
		ones, _ := a.Mask.Size()
		if ones == p.Bits() {
			return true
		}
		any = true
	}
	return any && p.Bits() == p.Addr().BitLen()
}

// addrToNetlink translates a VIP line to a netlink address.
func addrToNetlink(a *config.Address) (*netlink.Addr, error) {
	if !a.Prefix.IsValid() {
		return nil, errors.New("invalid prefix")
	}
	if a.Dev == "" {
		return nil, errors.New("no interface")
	}
	ip := a.Prefix.Addr()
	na := &netlink.Addr{IPNet: ipNet(a.Prefix), Label: a.Label}
	if a.Peer.IsValid() {
		na.Peer = ipNet(netip.PrefixFrom(a.Peer, a.Prefix.Bits()))
	}
	if ip.Is4() {
		// netlink computes a broadcast address when given none, and drops
		// 0.0.0.0; keepalived sets none unless told to.
		na.Broadcast = net.IPv4zero
		if a.Broadcast.IsValid() {
			na.Broadcast = a.Broadcast.AsSlice()
		}
	}
	na.Scope = int(a.Scope)
	na.Flags = addrFlags(a)
	switch a.PreferredLft {
	case "":
	case "forever":
		na.PreferedLft, na.ValidLft = forever, forever
	default:
		v, err := parseUint32(a.PreferredLft)
		if err != nil {
			return nil, fmt.Errorf("preferred_lft: %w", err)
		}
		na.PreferedLft, na.ValidLft = int(v), forever
	}
	return na, nil
}

// addrFlags returns the IFA_F_* flags of a.
func addrFlags(a *config.Address) int {
	f := 0
	for _, b := range []struct {
		set  bool
		flag int
	}{
		{a.Home, unix.IFA_F_HOMEADDRESS},
		{a.NoDAD, unix.IFA_F_NODAD},
		{a.MngTmpAddr, unix.IFA_F_MANAGETEMPADDR},
		{a.NoPrefixRoute, unix.IFA_F_NOPREFIXROUTE},
		{a.AutoJoin, unix.IFA_F_MCAUTOJOIN},
	} {
		if b.set {
			f |= b.flag
		}
	}
	return f
}

// ipNet converts p to a *net.IPNet keeping the host bits.
func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// parseUint32 parses a decimal number of at most 32 bits.
func parseUint32(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	return uint32(v), nil
}
