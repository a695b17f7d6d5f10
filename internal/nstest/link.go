package nstest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// BridgeName is the name of the bridge inside a [LAN]'s namespace.
const BridgeName = "br0"

// AddVeth creates a veth pair with one end called name in n and the other
// called peerName in peer (in n itself when peer is nil), and sets both ends
// up. Both ends are created directly in their namespaces, so nothing appears
// in the root namespace. Names are limited to 15 characters by the kernel.
func (n *Netns) AddVeth(ctx context.Context, name string, peer *Netns, peerName string) error {
	args := []string{"link", "add", name, "type", "veth", "peer", "name", peerName}
	if peer != nil && peer != n {
		args = append(args, "netns", peer.name)
	} else {
		peer = n
	}
	if _, err := n.IP(ctx, args...); err != nil {
		return err
	}
	if _, err := peer.IP(ctx, "link", "set", peerName, "up"); err != nil {
		return err
	}
	_, err := n.IP(ctx, "link", "set", name, "up")
	return err
}

// AddAddr adds the address prefix (such as "192.0.2.1/24" or
// "2001:db8::1/64") to the interface ifname in n. IPv6 addresses are added
// with nodad, so they are usable at once.
func (n *Netns) AddAddr(ctx context.Context, ifname, prefix string) error {
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return fmt.Errorf("add address to %s in %s: %w", ifname, n.name, err)
	}
	args := []string{"addr", "add", p.String(), "dev", ifname}
	if p.Addr().Is6() {
		args = append(args, "nodad")
	}
	_, err = n.IP(ctx, args...)
	return err
}

// Addrs returns the addresses on interface ifname in n, link-local ones
// included.
func (n *Netns) Addrs(ctx context.Context, ifname string) ([]netip.Prefix, error) {
	out, err := n.IP(ctx, "-j", "addr", "show", "dev", ifname)
	if err != nil {
		return nil, err
	}
	var links []struct {
		AddrInfo []struct {
			Local     string `json:"local"`
			PrefixLen int    `json:"prefixlen"`
		} `json:"addr_info"`
	}
	if err := json.Unmarshal(out, &links); err != nil {
		return nil, fmt.Errorf("parse ip -j addr show dev %s in %s: %w", ifname, n.name, err)
	}
	var addrs []netip.Prefix
	for _, l := range links {
		for _, a := range l.AddrInfo {
			ip, err := netip.ParseAddr(a.Local)
			if err != nil {
				return nil, fmt.Errorf("parse address %q on %s in %s: %w", a.Local, ifname, n.name, err)
			}
			addrs = append(addrs, netip.PrefixFrom(ip, a.PrefixLen))
		}
	}
	return addrs, nil
}

// HasAddr reports whether interface ifname in ns has the address prefix. A
// prefix without a length ("192.0.2.100") matches that address with any
// prefix length.
func HasAddr(ns *Netns, ifname, prefix string) (bool, error) {
	want, anyLen, err := parseAddrOrPrefix(prefix)
	if err != nil {
		return false, err
	}
	addrs, err := ns.Addrs(context.Background(), ifname)
	if err != nil {
		return false, err
	}
	for _, a := range addrs {
		if a.Addr() == want.Addr() && (anyLen || a.Bits() == want.Bits()) {
			return true, nil
		}
	}
	return false, nil
}

// parseAddrOrPrefix parses "ADDR/LEN" or a bare "ADDR"; anyLen reports the
// latter.
func parseAddrOrPrefix(s string) (p netip.Prefix, anyLen bool, err error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, false, fmt.Errorf("parse address: %w", err)
		}
		return netip.PrefixFrom(a, a.BitLen()), true, nil
	}
	p, err = netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false, fmt.Errorf("parse prefix: %w", err)
	}
	return p, false, nil
}

// AddrCondition returns a condition for [WaitFor] that holds when the
// presence of prefix on interface ifname in ns equals want. Its description
// lists the addresses found.
func AddrCondition(ns *Netns, ifname, prefix string, want bool) func() (bool, string) {
	return func() (bool, string) {
		has, err := HasAddr(ns, ifname, prefix)
		if err != nil {
			return false, err.Error()
		}
		addrs, _ := ns.Addrs(context.Background(), ifname)
		return has == want, fmt.Sprintf("%s on %s in %s: has=%v want=%v; addresses %v",
			prefix, ifname, ns.name, has, want, addrs)
	}
}

// AddLink gives ns an interface called name, up and with carrier, carrying
// addrs, for configurations that only need the interface to exist. It is a
// veth whose peer lives in a scratch namespace made on first use and deleted
// with ns. ns must come from [NewNetns]; errors fail its test.
func AddLink(ns *Netns, name string, addrs ...string) {
	t := ns.test()
	t.Helper()
	ns.mu.Lock()
	if ns.scratch == nil {
		s, err := Create(t.Context(), "x")
		if err != nil {
			ns.mu.Unlock()
			t.Fatalf("nstest: %v", err)
		}
		ns.scratch = s
	}
	ns.links++
	scratch, peer := ns.scratch, fmt.Sprintf("p%d", ns.links)
	ns.mu.Unlock()
	addLink(t, ns, name, scratch, peer, addrs)
}

// addLink creates the veth name/peer and adds addrs, failing t on error.
func addLink(t testing.TB, ns *Netns, name string, peerNS *Netns, peer string, addrs []string) {
	t.Helper()
	if err := ns.AddVeth(t.Context(), name, peerNS, peer); err != nil {
		t.Fatalf("nstest: %v", err)
	}
	for _, a := range addrs {
		if err := ns.AddAddr(t.Context(), name, a); err != nil {
			t.Fatalf("nstest: %v", err)
		}
	}
}

// LAN is an Ethernet segment: a bridge, [BridgeName], in a namespace of its
// own, to which host namespaces are attached by veth pairs. Multicast
// snooping is off so that VRRP adverts reach every port. The embedded Netns
// gives access to the bridge namespace, for example to run tcpdump on br0.
type LAN struct {
	*Netns
}

// Port is one attachment of a host to a [LAN].
type Port struct {
	Host   *Netns // The host namespace.
	Ifname string // The interface name in Host.
	Peer   string // The bridge port's name in the LAN namespace.
}

// NewLAN makes a namespace holding a bridge and registers its deletion with
// t.Cleanup. It fails t on error.
func NewLAN(t testing.TB) *LAN {
	t.Helper()
	l := &LAN{Netns: NewNetns(t, "lan")}
	l.mustIP("link", "add", BridgeName, "type", "bridge",
		"forward_delay", "0", "stp_state", "0", "mcast_snooping", "0")
	l.mustIP("link", "set", BridgeName, "up")
	return l
}

// Attach creates interface ifname in host, adds addrs to it and plugs it into
// the LAN's bridge. host must come from [NewNetns]; errors fail the LAN's test.
func (l *LAN) Attach(host *Netns, ifname string, addrs ...string) *Port {
	t := l.test()
	t.Helper()
	l.mu.Lock()
	l.links++
	peer := fmt.Sprintf("p%d", l.links)
	l.mu.Unlock()
	addLink(t, host, ifname, l.Netns, peer, addrs)
	l.mustIP("link", "set", peer, "master", BridgeName)
	return &Port{Host: host, Ifname: ifname, Peer: peer}
}

// SetUp sets the port's bridge side up or down. Down unplugs the cable: the
// host's interface loses carrier.
func (l *LAN) SetUp(p *Port, up bool) {
	t := l.test()
	t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	l.mustIP("link", "set", p.Peer, state)
}
