package config

import "net/netip"

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
	// Scope is "" for global (0), a name of iproute2's rt_scopes or a
	// decimal number. Always "" for IPv6.
	Scope string
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
// as keepalived 2.2.7 reads it: the words of `ip route`, validated and
// normalised (names of iproute2's tables are kept, numbers are written in
// decimal).
type Route struct {
	Pos    Pos
	Family Family
	// Op is "", "add", "prepend" or "append" as written; keepalived
	// prepends by default, and adds routes with an explicit type.
	Op string
	// Type is "" for a unicast route without an explicit type, else the
	// route type as written (unicast, local, blackhole, ...) or a number.
	Type string
	// Dst is the destination; default, any and all become 0.0.0.0/0 or ::/0.
	Dst  netip.Prefix
	Src  netip.Addr   // "src": preferred source address
	From netip.Prefix // "from": source prefix (IPv6 only)
	Via  netip.Addr
	// Or is the deprecated alternate gateway of "via A or B"; keepalived
	// installs such a route as two nexthops, Via and Or.
	Or     netip.Addr
	Dev    string
	VRF    string
	Tos    string // dsfield name or number
	Scope  string // "" when not given, else a name or a number
	Table  string // "" when not given (main), else a name or a number
	Metric int64  // -1 when not given
	// Protocol is "" when not given; keepalived sets a tracked route's to
	// RouteProtocolKeepalived ("18").
	Protocol string
	Onlink   bool
	NoTrack  bool
	// TrackGroup is the track_group of a static route.
	TrackGroup string
	Nexthops   []Nexthop
	// Options holds the remaining `ip route` options (mtu, advmss, rtt,
	// encap, ...) as keyword and arguments, in the order written.
	Options []Setting
}

// Nexthop is one `nexthop` of a multipath route.
type Nexthop struct {
	Via    netip.Addr
	Dev    string
	Weight int // 0 when not given, else 1..256
	Onlink bool
	Realms string
	// Encap holds an "encap" specification's words, without "encap".
	Encap []string
}

// Rule is one line of virtual_rules or static_rules (reference §3.5), as
// keepalived 2.2.7 reads it.
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
	Action               string
	Table                string // lookup table name or number; "" for l3mdev
	Goto                 uint32
	Tos                  string // dsfield name or number
	Fwmark               uint32
	FwMask               uint32
	FwmarkSet            bool
	FwMaskSet            bool
	Iif                  string
	Oif                  string
	UIDRange             string // "START-END"
	L3mdev               bool
	Protocol             int    // -1 when not given; RouteProtocolKeepalived for a tracked rule
	IPProto              string // protocol name or number
	SPort                string // "START-END"
	DPort                string // "START-END"
	Realms               string
	SuppressPrefixLength int // -1 when not given
	SuppressIfgroup      string
	TunnelID             uint64
	TunnelIDSet          bool
	NoTrack              bool
	TrackGroup           string // static_rules only
}
