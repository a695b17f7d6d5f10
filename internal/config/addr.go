package config

import (
	"net/netip"
	"strconv"
)

// Address is one line of virtual_ipaddress, virtual_ipaddress_excluded or
// static_ipaddress (reference §3.4), as keepalived 2.2.7 reads it. It is a
// plain value; nothing in it is safe for concurrent mutation.
type Address struct {
	Pos Pos
	// Prefix is the address and its prefix length, host bits kept. The
	// length defaults to /32 or /128, and is the host length when a peer is
	// given.
	Prefix netip.Prefix
	// Dev is the interface. For a VIP without dev it stays "" until the
	// instance's interface is filled in; a static address without dev gets
	// the default interface.
	Dev string
	// Scope is the address's scope (RT_SCOPE_*, 0..255), its name in
	// iproute2's rt_scopes resolved when the configuration was read. It is
	// 0, global, when not given: keepalived does not tell the two apart.
	// Always 0 for IPv6.
	Scope uint8
	// Broadcast is the IPv4 broadcast address, computed for "brd +" and
	// "brd -"; the zero Addr for none.
	Broadcast     netip.Addr
	Label         string // at most 15 bytes; always "" for IPv6
	Peer          netip.Addr
	Home          bool
	NoDAD         bool // "-nodad"
	MngTmpAddr    bool
	NoPrefixRoute bool
	AutoJoin      bool
	NoTrack       bool
	// PreferredLft is "forever" or a number of seconds. For IPv6 it always
	// holds keepalived's default when not given: "0" (deprecated) for a
	// /128, "forever" otherwise; for IPv4 it is "" unless given.
	PreferredLft string
	UseVMAC      bool   // per-address VMAC; virtual addresses only
	TrackGroup   string // static_ipaddress only
}

// RouteProtocolKeepalived is the route and rule protocol number keepalived
// installs tracked routes and rules with (RTPROT_KEEPALIVED).
const RouteProtocolKeepalived = 18

// Route is one line of virtual_routes or static_routes (reference §3.5),
// as keepalived 2.2.7 reads it: the words of `ip route`, validated, with
// the names of iproute2's name files (rt_tables, rt_protos, rt_scopes,
// rt_dsfield, rt_realms) resolved to numbers once, when the configuration
// was read, as keepalived resolves them while parsing. A field that can be
// "not given" apart from every number holds -1 then.
type Route struct {
	Pos    Pos
	Family Family
	// Op is "", "add", "prepend" or "append" as written; keepalived
	// prepends by default, and adds routes with an explicit type.
	Op string
	// Type is the route type (RTN_*, 0..255; see RouteTypeName), or -1
	// when not given: a unicast route without an explicit type.
	Type int
	// Dst is the destination; default, any and all become 0.0.0.0/0 or ::/0.
	Dst  netip.Prefix
	Src  netip.Addr   // "src": preferred source address
	From netip.Prefix // "from": source prefix (IPv6 only)
	Via  netip.Addr
	// Or is the deprecated alternate gateway of "via A or B"; keepalived
	// installs such a route as two nexthops, Via and Or.
	Or  netip.Addr
	Dev string
	VRF string
	// Tos is the dsfield (0..255, a name of rt_dsfield resolved), or -1
	// when not given.
	Tos int
	// Scope is the route scope (RT_SCOPE_*, 0..255, a name of rt_scopes
	// resolved), or -1 when not given: the kernel's default for the
	// route's type and gateway.
	Scope int
	// Table is the routing table (0..2^32-1, a name of rt_tables
	// resolved), or -1 when not given: main, unless VRF gives one.
	Table  int64
	Metric int64 // -1 when not given
	// Protocol is the route protocol (RTPROT_*, 0..255, a name of
	// rt_protos resolved), or -1 when not given; keepalived sets a tracked
	// route's to RouteProtocolKeepalived.
	Protocol int
	// Realms is "realms FROM/TO" as FROM<<16 | TO ("realms TO" is TO),
	// names of rt_realms resolved; 0 when not given, which keepalived does
	// not tell apart from realms 0.
	Realms  uint32
	Onlink  bool
	NoTrack bool
	// TrackGroup is the track_group of a static route.
	TrackGroup string
	Nexthops   []Nexthop
	// Options holds the remaining `ip route` options (mtu, advmss, rtt,
	// encap, ...) as keyword and arguments, in the order written. An
	// encap's tos (ip) or tc (ip6) is written in decimal when it names a
	// dsfield of rt_dsfield.
	Options []Setting
}

// RouteTypeName returns keepalived's name of route type t, as its dumps
// print it (lib/rttables.c's get_rttables_rtntype), or t in decimal when
// keepalived has none: "broadcast" for 3, nothing for 0 (unspec).
func RouteTypeName(t int) string {
	names := [...]string{1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
		6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat", 11: "xresolve"}
	if t > 0 && t < len(names) {
		return names[t]
	}
	return strconv.Itoa(t)
}

// Nexthop is one `nexthop` of a multipath route.
type Nexthop struct {
	Via    netip.Addr
	Dev    string
	Weight int // 0 when not given, else 1..256
	Onlink bool
	// Realms is as a Route's: FROM<<16 | TO, 0 when not given.
	Realms uint32
	// Encap holds an "encap" specification's words, without "encap".
	Encap []string
}

// Rule is one line of virtual_rules or static_rules (reference §3.5), as
// keepalived 2.2.7 reads it, with the names of iproute2's name files
// (rt_tables, rt_dsfield, rt_realms, group) and of /etc/protocols resolved
// to numbers once, when the configuration was read.
type Rule struct {
	Pos    Pos
	Family Family
	Not    bool
	// From and To are the selectors; the zero Prefix when not given, and
	// all, any and default become 0.0.0.0/0 or ::/0.
	From netip.Prefix
	To   netip.Prefix
	// Preference is always set: keepalived numbers rules without one
	// downwards from 16384, per family, with a warning.
	Preference uint32
	// Action is "lookup" (table or l3mdev), "goto", "nop", "blackhole",
	// "unreachable" or "prohibit".
	Action string
	// Table is the table of a "lookup" action (1..2^32-1, a name of
	// rt_tables resolved; keepalived refuses table 0); 0 for l3mdev and
	// the other actions.
	Table uint32
	Goto  uint32
	// Tos is the dsfield (a name of rt_dsfield resolved); 0 when not
	// given, which keepalived and the kernel take as any.
	Tos       uint8
	Fwmark    uint32
	FwMask    uint32
	FwmarkSet bool
	FwMaskSet bool
	Iif       string
	Oif       string
	UIDRange  string // "START-END"
	L3mdev    bool
	Protocol  int // -1 when not given; RouteProtocolKeepalived for a tracked rule
	// IPProto is the IP protocol (0..255, a name of /etc/protocols
	// resolved), or -1 when not given.
	IPProto int
	SPort   string // "START-END"
	DPort   string // "START-END"
	// Realms is FROM<<16 | TO ("realms TO" is TO), names of rt_realms
	// resolved; 0 when not given, which keepalived does not tell apart
	// from realms 0.
	Realms               uint32
	SuppressPrefixLength int // -1 when not given
	// SuppressIfgroup is the interface group (0..2^31-1, a name of
	// iproute2's group file resolved), or -1 when not given.
	SuppressIfgroup int
	TunnelID        uint64
	TunnelIDSet     bool
	NoTrack         bool
	TrackGroup      string // static_rules only
}
