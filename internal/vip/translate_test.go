package vip

import (
	"errors"
	"net"
	"net/netip"
	"reflect"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// unset returns r with the fields left zero set to "not given" (-1):
// Type, Tos, Scope, Table and Protocol.
func unset(r config.Route) config.Route {
	for _, f := range []*int{&r.Type, &r.Tos, &r.Scope, &r.Protocol} {
		if *f == 0 {
			*f = -1
		}
	}
	if r.Table == 0 {
		r.Table = -1
	}
	return r
}

// unsetRule returns r with Protocol, IPProto, SuppressPrefixLength and
// SuppressIfgroup left zero set to "not given" (-1).
func unsetRule(r config.Rule) config.Rule {
	for _, f := range []*int{&r.Protocol, &r.IPProto, &r.SuppressPrefixLength, &r.SuppressIfgroup} {
		if *f == 0 {
			*f = -1
		}
	}
	return r
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

func ipnet(s string) *net.IPNet {
	p := pfx(s)
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// TestAddrToNetlink checks each VIP option of reference §3.4.
func TestAddrToNetlink(t *testing.T) {
	none := net.IPv4zero
	tests := []struct {
		name string
		in   config.Address
		want netlink.Addr
	}{
		{"plain", config.Address{Prefix: pfx("192.0.2.100/24"), Dev: "eth0"},
			netlink.Addr{IPNet: ipnet("192.0.2.100/24"), Broadcast: none}},
		{"label brd scope", config.Address{Prefix: pfx("192.0.2.100/24"), Dev: "eth0", Label: "eth0:1",
			Broadcast: ip("192.0.2.255"), Scope: unix.RT_SCOPE_LINK},
			netlink.Addr{IPNet: ipnet("192.0.2.100/24"), Label: "eth0:1", Broadcast: net.IP{192, 0, 2, 255},
				Scope: unix.RT_SCOPE_LINK}},
		{"numeric scope", config.Address{Prefix: pfx("192.0.2.100/32"), Dev: "eth0", Scope: 200},
			netlink.Addr{IPNet: ipnet("192.0.2.100/32"), Broadcast: none, Scope: 200}},
		{"peer", config.Address{Prefix: pfx("192.0.2.17/32"), Dev: "eth0", Peer: ip("192.0.2.18")},
			netlink.Addr{IPNet: ipnet("192.0.2.17/32"), Peer: ipnet("192.0.2.18/32"), Broadcast: none}},
		{"flags", config.Address{Prefix: pfx("2001:db8::1/64"), Dev: "eth0", Home: true, NoDAD: true,
			MngTmpAddr: true, NoPrefixRoute: true, AutoJoin: true, PreferredLft: "forever"},
			netlink.Addr{IPNet: ipnet("2001:db8::1/64"), PreferedLft: forever, ValidLft: forever,
				Flags: unix.IFA_F_HOMEADDRESS | unix.IFA_F_NODAD | unix.IFA_F_MANAGETEMPADDR |
					unix.IFA_F_NOPREFIXROUTE | unix.IFA_F_MCAUTOJOIN}},
		{"deprecated /128", config.Address{Prefix: pfx("2001:db8::1/128"), Dev: "eth0", PreferredLft: "0"},
			netlink.Addr{IPNet: ipnet("2001:db8::1/128"), PreferedLft: 0, ValidLft: forever}},
		{"preferred 30", config.Address{Prefix: pfx("192.0.2.1/24"), Dev: "eth0", PreferredLft: "30"},
			netlink.Addr{IPNet: ipnet("192.0.2.1/24"), Broadcast: none, PreferedLft: 30, ValidLft: forever}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := addrToNetlink(&tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("addrToNetlink(%s) =\n%+v\nwant\n%+v", &tt.in, *got, tt.want)
			}
		})
	}
	for _, bad := range []config.Address{
		{Prefix: pfx("192.0.2.1/24")},
		{Prefix: pfx("192.0.2.1/24"), Dev: "eth0", PreferredLft: "x"},
	} {
		if _, err := addrToNetlink(&bad); err == nil {
			t.Errorf("addrToNetlink(%s) succeeded", &bad)
		}
	}
}

func TestHasPrefix(t *testing.T) {
	list := []netlink.Addr{{IPNet: ipnet("192.0.2.1/24")}, {IPNet: ipnet("2001:db8::1/64")}}
	for _, tt := range []struct {
		p    string
		want bool
	}{
		{"192.0.2.1/24", true}, {"192.0.2.1/32", true}, {"192.0.2.1/25", false},
		{"192.0.2.2/32", false}, {"2001:db8::1/128", true}, {"2001:db8::1/64", true},
	} {
		if got := hasPrefix(list, pfx(tt.p)); got != tt.want {
			t.Errorf("hasPrefix(%s) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

// testManager returns a Manager in the test's own namespace; it only looks
// up "lo", which needs no privilege.
func testManager(t *testing.T) (*Manager, int) {
	m, err := NewManager(Config{})
	if err != nil {
		t.Skipf("no netlink: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	lo, err := m.h.LinkByName("lo")
	if err != nil {
		t.Skipf("no lo: %v", err)
	}
	return m, lo.Attrs().Index
}

// TestRouteToNetlink checks the route options of reference §3.5.
func TestRouteToNetlink(t *testing.T) {
	m, lo := testManager(t)
	nr := func(r netlink.Route) *netlink.Route { return &r }
	tests := []struct {
		in   config.Route
		del  bool
		want *netlink.Route
	}{
		{unset(config.Route{Dst: pfx("198.51.100.0/24"), Via: ip("192.0.2.254"), Dev: "lo", Metric: 10,
			Table: 100, Protocol: 18, Src: ip("192.0.2.1")}),
			false, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), Gw: net.IP{192, 0, 2, 254}, LinkIndex: lo,
				Priority: 10, Table: 100, Protocol: 18, Src: net.IP{192, 0, 2, 1}, Family: netlink.FAMILY_V4})},
		{unset(config.Route{Dst: pfx("198.51.100.0/24"), Dev: "lo", Metric: -1, Scope: unix.RT_SCOPE_HOST, Onlink: true}),
			false, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), LinkIndex: lo, Scope: netlink.SCOPE_HOST,
				Flags: int(netlink.FLAG_ONLINK), Family: netlink.FAMILY_V4})},
		{unset(config.Route{Dst: pfx("198.51.100.0/24"), Dev: "lo", Metric: -1}),
			false, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), LinkIndex: lo, Scope: netlink.SCOPE_LINK,
				Family: netlink.FAMILY_V4})},
		{unset(config.Route{Dst: pfx("198.51.100.0/24"), Dev: "lo", Metric: -1}),
			true, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), LinkIndex: lo, Scope: netlink.SCOPE_NOWHERE,
				Family: netlink.FAMILY_V4})},
		// "scope global" given is scope 0, not the default for a route
		// without a gateway (link).
		{config.Route{Type: -1, Tos: -1, Scope: 0, Table: -1, Protocol: -1, Dst: pfx("198.51.100.0/24"), Dev: "lo", Metric: -1},
			false, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), LinkIndex: lo, Scope: netlink.SCOPE_UNIVERSE,
				Family: netlink.FAMILY_V4})},
		{unset(config.Route{Type: unix.RTN_BLACKHOLE, Dst: pfx("203.0.113.0/24"), Metric: -1, Table: 254}),
			false, nr(netlink.Route{Dst: ipnet("203.0.113.0/24"), Type: unix.RTN_BLACKHOLE, Table: 254,
				Family: netlink.FAMILY_V4})},
		{unset(config.Route{Type: unix.RTN_UNREACHABLE, Dst: pfx("2001:db8:1::/48"), Metric: 1024, Tos: 0x10}),
			false, nr(netlink.Route{Dst: ipnet("2001:db8:1::/48"), Type: unix.RTN_UNREACHABLE, Priority: 1024,
				Tos: 16, Family: netlink.FAMILY_V6})},
		{unset(config.Route{Dst: pfx("198.51.100.0/24"), Dev: "lo", Metric: -1, Realms: 5<<16 | 6}),
			false, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), LinkIndex: lo, Scope: netlink.SCOPE_LINK,
				Realm: 5<<16 | 6, Family: netlink.FAMILY_V4})},
		{unset(config.Route{Dst: pfx("198.51.100.0/24"), Via: ip("192.0.2.1"), Or: ip("192.0.2.2"), Dev: "lo", Metric: -1}),
			false, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), Family: netlink.FAMILY_V4,
				MultiPath: []*netlink.NexthopInfo{{LinkIndex: lo, Gw: net.IP{192, 0, 2, 1}},
					{LinkIndex: lo, Gw: net.IP{192, 0, 2, 2}}}})},
		{unset(config.Route{Dst: pfx("198.51.100.0/24"), Metric: -1, Nexthops: []config.Nexthop{
			{Via: ip("192.0.2.1"), Dev: "lo", Weight: 2}, {Via: ip("192.0.2.2"), Onlink: true}},
			Options: []config.Setting{{Keyword: "mtu", Args: []string{"1400"}}}}),
			false, nr(netlink.Route{Dst: ipnet("198.51.100.0/24"), Family: netlink.FAMILY_V4, MTU: 1400,
				MultiPath: []*netlink.NexthopInfo{{LinkIndex: lo, Gw: net.IP{192, 0, 2, 1}, Hops: 1},
					{Gw: net.IP{192, 0, 2, 2}, Flags: int(netlink.FLAG_ONLINK)}}})},
	}
	for _, tt := range tests {
		got, err := m.routeToNetlink(&tt.in, tt.del)
		if err != nil {
			t.Errorf("routeToNetlink(%s): %v", &tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("routeToNetlink(%s, del=%v) =\n%+v\nwant\n%+v", &tt.in, tt.del, got, tt.want)
		}
	}
	for _, bad := range []config.Route{
		{Dst: pfx("2001:db8::/64"), From: pfx("2001:db8:1::/64"), Metric: -1},
		{Dst: pfx("198.51.100.0/24"), Metric: -1, Options: []config.Setting{{Keyword: "mtu", Args: []string{"lock", "1400"}}}},
		{Dst: pfx("198.51.100.0/24"), Metric: -1, Options: []config.Setting{{Keyword: "features", Args: []string{"ecn"}}}},
		{Dst: pfx("198.51.100.0/24"), Metric: -1, Nexthops: []config.Nexthop{{Via: ip("192.0.2.1"), Realms: 1}}},
	} {
		bad := unset(bad)
		if _, err := m.routeToNetlink(&bad, false); !errors.Is(err, ErrNotSupported) {
			t.Errorf("routeToNetlink(%s) = %v, want ErrNotSupported", &bad, err)
		}
	}
	missing := unset(config.Route{Dst: pfx("198.51.100.0/24"), Dev: "nosuch0", Metric: -1})
	if _, err := m.routeToNetlink(&missing, false); !errors.Is(err, ErrNoLink) {
		t.Errorf("route on a missing interface: %v, want ErrNoLink", err)
	}
}

// TestRuleToNetlink checks the rule options of reference §3.5.
func TestRuleToNetlink(t *testing.T) {
	rule := func(f func(r *netlink.Rule)) *netlink.Rule {
		r := netlink.NewRule()
		r.Family = netlink.FAMILY_V4
		f(r)
		return r
	}
	mask := uint32(0xff)
	tests := []struct {
		in   config.Rule
		want *netlink.Rule
	}{
		{unsetRule(config.Rule{Family: config.IPv4, From: pfx("192.0.2.0/24"), To: pfx("198.51.100.0/24"),
			Preference: 100, Action: "lookup", Table: 100}),
			rule(func(r *netlink.Rule) {
				r.Src, r.Dst, r.Priority, r.Table = ipnet("192.0.2.0/24"), ipnet("198.51.100.0/24"), 100, 100
			})},
		{config.Rule{Family: config.IPv4, Not: true, Fwmark: 0x10, FwmarkSet: true, FwMask: 0xff, FwMaskSet: true,
			Iif: "eth0", Oif: "eth1", Preference: 200, Action: "lookup", Table: 1000, Protocol: 18,
			SuppressPrefixLength: 0, SuppressIfgroup: 0, IPProto: 6, SPort: "1000-2000", DPort: "80", UIDRange: "100-200",
			Tos: 0x10, Realms: 3<<16 | 7, TunnelID: 5, TunnelIDSet: true},
			rule(func(r *netlink.Rule) {
				r.Invert, r.Mark, r.Mask, r.IifName, r.OifName = true, 0x10, &mask, "eth0", "eth1"
				r.Priority, r.Table, r.Protocol, r.SuppressPrefixlen, r.SuppressIfgroup, r.IPProto = 200, 1000, 18, 0, 0, 6
				r.Sport, r.Dport = netlink.NewRulePortRange(1000, 2000), netlink.NewRulePortRange(80, 80)
				r.UIDRange, r.Tos, r.Flow, r.TunID = netlink.NewRuleUIDRange(100, 200), 16, 3<<16|7, 5
			})},
		{unsetRule(config.Rule{Family: config.IPv6, Preference: 5, Action: "goto", Goto: 10}),
			rule(func(r *netlink.Rule) { r.Family, r.Priority, r.Goto = netlink.FAMILY_V6, 5, 10 })},
		{unsetRule(config.Rule{Family: config.IPv4, Preference: 6, Action: "prohibit"}),
			rule(func(r *netlink.Rule) { r.Priority, r.Type = 6, frActProhibit })},
	}
	for _, tt := range tests {
		got, err := ruleToNetlink(&tt.in)
		if err != nil {
			t.Errorf("ruleToNetlink(%s): %v", &tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ruleToNetlink(%s) =\n%+v\nwant\n%+v", &tt.in, got, tt.want)
		}
	}
	l3mdev := unsetRule(config.Rule{L3mdev: true})
	if _, err := ruleToNetlink(&l3mdev); !errors.Is(err, ErrNotSupported) {
		t.Errorf("l3mdev rule: %v, want ErrNotSupported", err)
	}
}

func TestLinkEventString(t *testing.T) {
	if got := (LinkEvent{Ifname: "eth0"}).String(); got != "Netlink reports eth0 down" {
		t.Errorf("got %q", got)
	}
	if got := (LinkEvent{Ifname: "eth0", Up: true}).String(); got != "Netlink reports eth0 up" {
		t.Errorf("got %q", got)
	}
}
