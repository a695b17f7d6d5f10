package confparse

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"
)

// routeAt returns r with the position of a test line's first word; a zero
// Type, Tos, Scope, Table, Metric or Protocol stands for "not given" (-1)
// (with sets a 0 that was given).
func routeAt(r Route) *Route {
	r.Pos = Pos{File: "t.conf", Line: 1, Col: 1}
	for _, f := range []*int{&r.Type, &r.Tos, &r.Scope, &r.Protocol} {
		if *f == 0 {
			*f = -1
		}
	}
	for _, f := range []*int64{&r.Table, &r.Metric} {
		if *f == 0 {
			*f = -1
		}
	}
	return &r
}

// with returns r changed by f.
func with(r *Route, f func(*Route)) *Route {
	f(r)
	return r
}

// tracked returns r as keepalived keeps a tracked IPv4 route on eth0.
func tracked(r Route) *Route {
	if r.Family == FamilyUnset {
		r.Family = IPv4
	}
	if r.Dev == "" {
		r.Dev = "eth0"
	}
	r.Protocol = RouteProtocolKeepalived
	return routeAt(r)
}

// untracked returns r as keepalived keeps a route it cannot track (no dev).
func untracked(r Route) *Route {
	if r.Family == FamilyUnset {
		r.Family = IPv4
	}
	r.Protocol, r.NoTrack = RouteProtocolKeepalived, true
	return routeAt(r)
}

func opts(kwArgs ...[]string) []Setting {
	var out []Setting
	for _, ka := range kwArgs {
		out = append(out, Setting{Keyword: ka[0], Args: ka[1:]})
	}
	return out
}

// withoutOptionPos clears the positions of a route's options, which
// depend on the column they were written at.
func withoutOptionPos(r *Route) *Route {
	if r == nil {
		return nil
	}
	c := *r
	c.Options = nil
	for _, o := range r.Options {
		o.Pos = Pos{}
		c.Options = append(c.Options, o)
	}
	return &c
}

type routeCase struct {
	line  string
	want  *Route // nil: keepalived drops the route
	diags []string
}

const noTrackWarn = "warning: Warning - cannot track route %s with no interface specified, not tracking"

func missingParam(first, kw string, pos int) string {
	return "fatal: *** Configuration line starting `" + first + "` is missing a parameter after keyword `" + kw + "` at word position " + strconv.Itoa(pos) + " (cannot run)"
}

// Cases verified against keepalived 2.2.7 (keepalived -t and -d dumps in a
// namespace with eth0 and eth1).
var virtualRouteCases = []routeCase{
	{"198.51.100.0/24 dev eth0", tracked(Route{Dst: pfx("198.51.100.0/24")}), nil},
	{"to 198.51.100.0/24 dev eth0 table 100 metric 5", tracked(Route{Dst: pfx("198.51.100.0/24"), Table: 100, Metric: 5}), nil},
	{"unicast 198.51.100.1 dev eth0 table main", tracked(Route{Type: 1, Dst: pfx("198.51.100.1/32"), Table: 254}), nil},
	{"to unicast 198.51.100.2 dev eth0", nil, []string{
		"general: VRRP parsed invalid IP unicast. skipping IP...", "general: unknown route keyword unicast"}},
	{"local 198.51.100.3 dev eth0", tracked(Route{Type: 2, Dst: pfx("198.51.100.3/32")}), nil},
	{"brd 198.51.100.5 dev eth0", tracked(Route{Type: 3, Dst: pfx("198.51.100.5/32")}), nil},
	{"5 198.51.100.6/32 dev eth0", tracked(Route{Type: 5, Dst: pfx("198.51.100.6/32")}), nil},
	{"default via 192.0.2.254 dev eth0", tracked(Route{Dst: pfx("0.0.0.0/0"), Via: ip("192.0.2.254")}), nil},
	{"any via 192.0.2.254 dev eth0 table 5", tracked(Route{Dst: pfx("0.0.0.0/0"), Via: ip("192.0.2.254"), Table: 5}), nil},
	{"inet6 default via 2001:db8::1 dev eth0", nil, []string{"general: Route must have a destination"}},
	{"inet6 x default via 2001:db8::1 dev eth0", nil, []string{"general: Cannot mix IPv4 and IPv6 addresses for route (default)"}},
	{"inet6 foo 2001:db8:5::/64 dev eth0", tracked(Route{Family: IPv6, Dst: pfx("2001:db8:5::/64")}), nil},
	{"198.51.100.0/24 inet6 dev eth0", nil, []string{"general: inet6 specified for IPv4 route"}},
	{"default6 via 2001:db8::1 dev eth0 table 7", tracked(Route{Family: IPv6, Dst: pfx("::/0"), Via: ip("2001:db8::1"), Table: 7}),
		[]string{"note: 'default6' is deprecated - please replace with 'inet6 default'"}},
	{"198.51.100.4/30 via inet 192.0.2.254 dev eth0 onlink", tracked(Route{Dst: pfx("198.51.100.4/30"), Via: ip("192.0.2.254"), Onlink: true}), nil},
	{"198.51.100.8/30 dev eth0 protocol bird", tracked(Route{Dst: pfx("198.51.100.8/30")}),
		[]string{"general: Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol"}},
	{"198.51.100.12/30 dev eth0 protocol bird no_track", routeAt(Route{Family: IPv4, Dst: pfx("198.51.100.12/30"), Dev: "eth0", Protocol: 12, NoTrack: true}), nil},
	{"198.51.100.1/32 dev eth0 no_track", routeAt(Route{Family: IPv4, Dst: pfx("198.51.100.1/32"), Dev: "eth0", NoTrack: true}), nil},
	{"198.51.100.16/30 dev eth0 protocol 0x12", tracked(Route{Dst: pfx("198.51.100.16/30")}), nil},
	{"198.51.100.0/24 dev eth0 protocol foo", nil, []string{"general: Protocol foo not found or invalid for route"}},
	{"198.51.100.20/30 dev eth0 scope link tos 0x10 priority 7", tracked(Route{Dst: pfx("198.51.100.20/30"), Scope: 253, Tos: 16, Metric: 7}), nil},
	{"198.51.100.21/32 dev eth0 scope global", with(tracked(Route{Dst: pfx("198.51.100.21/32")}), func(r *Route) { r.Scope = 0 }), nil},
	{"198.51.100.24/30 dev eth0 mtu lock 1400 advmss 1300 hoplimit 64 window 10 cwnd lock 5 ssthresh 6 reordering 3 rtt 10ms rttvar 5ms rto_min 200ms initcwnd 10 initrwnd 20 features ecn quickack 1 realms 5/6 congctl lock cubic fastopen_no_cookie 1",
		tracked(Route{Dst: pfx("198.51.100.24/30"), Options: opts(
			[]string{"mtu", "lock", "1400"}, []string{"advmss", "1300"}, []string{"hoplimit", "64"}, []string{"window", "10"},
			[]string{"cwnd", "lock", "5"}, []string{"ssthresh", "6"}, []string{"reordering", "3"}, []string{"rtt", "10ms"},
			[]string{"rttvar", "5ms"}, []string{"rto_min", "200ms"}, []string{"initcwnd", "10"}, []string{"initrwnd", "20"},
			[]string{"features", "ecn"}, []string{"quickack", "1"}, []string{"congctl", "lock", "cubic"},
			[]string{"fastopen_no_cookie", "1"}), Realms: 5<<16 | 6}), nil},
	{"2001:db8:1::/64 dev eth0 expires 100 pref high", tracked(Route{Family: IPv6, Dst: pfx("2001:db8:1::/64"),
		Options: opts([]string{"expires", "100"}, []string{"pref", "high"})}), nil},
	{"2001:db8:a::/64 dev eth0 pref 5", tracked(Route{Family: IPv6, Dst: pfx("2001:db8:a::/64"), Options: opts([]string{"pref", "5"})}), nil},
	{"append 198.51.100.28/30 dev eth0", tracked(Route{Op: "append", Dst: pfx("198.51.100.28/30")}), nil},
	{"198.51.100.32/30 dev eth0 prepend", tracked(Route{Op: "prepend", Dst: pfx("198.51.100.32/30")}), nil},
	{"throw 198.51.100.40/30 table 5", untracked(Route{Type: 9, Dst: pfx("198.51.100.40/30"), Table: 5}),
		[]string{fmt.Sprintf(noTrackWarn, "198.51.100.40/30")}},
	{"blackhole 2001:db8:2::/64", untracked(Route{Family: IPv6, Type: 6, Dst: pfx("2001:db8:2::/64")}),
		[]string{fmt.Sprintf(noTrackWarn, "2001:db8:2::/64")}},
	{"198.51.100.48/30 nexthop via 192.0.2.2 dev eth0 weight 2 onlink nexthop via 192.0.2.3 dev eth1 weight 3",
		untracked(Route{Dst: pfx("198.51.100.48/30"), Nexthops: []Nexthop{
			{Via: ip("192.0.2.2"), Dev: "eth0", Weight: 2, Onlink: true}, {Via: ip("192.0.2.3"), Dev: "eth1", Weight: 3}}}),
		[]string{fmt.Sprintf(noTrackWarn, "198.51.100.48/30")}},
	{"198.51.100.52/30 oif eth1 from 2001:db8::/64", nil, []string{"general: Cannot mix IPv4 and IPv6 addresses for route"}},
	{"2001:db8:3::/64 from 2001:db8:4::/64 dev eth0", tracked(Route{Family: IPv6, Dst: pfx("2001:db8:3::/64"), From: pfx("2001:db8:4::/64")}), nil},
	{"198.51.100.13/32 from 192.0.2.0/24 dev eth0", nil, []string{"general: route from address only supported with IPv6 (192.0.2.0/24)"}},
	{"198.51.100.56/30 dev eth0 vrf blue", nil, []string{"general: VRF blue not found for route"}},
	{"198.51.100.60/30 dev eth0 ttl-propagate enabled", tracked(Route{Dst: pfx("198.51.100.60/30"), Options: opts([]string{"ttl-propagate", "enabled"})}), nil},
	{"198.51.100.61/32 dev eth0 ttl-propagate x", tracked(Route{Dst: pfx("198.51.100.61/32"), Options: opts([]string{"ttl-propagate", "disabled"})}),
		[]string{"general: ttl-propagate value x not recognised"}},
	{"198.51.100.64/30 dev eth0 dsfield 8 src 192.0.2.1", tracked(Route{Dst: pfx("198.51.100.64/30"), Tos: 8, Src: ip("192.0.2.1")}), nil},
	{"198.51.100.0/24 dev", nil, []string{missingParam("198.51.100.0/24", "dev", 3)}},
	{"198.51.100.0/24 table", nil, []string{missingParam("198.51.100.0/24", "table", 3)}},
	{"to", nil, []string{missingParam("to", "to", 2)}},
	{"198.51.100.0/24 dev eth0 nexthop via", nil, []string{missingParam("198.51.100.0/24", "via", 6)}},
	{"198.51.100.0/24 dev eth0 or", nil, []string{`deprecated: "or" for routes is deprecated. Please use "nexthop"`, missingParam("198.51.100.0/24", "or", 5)}},
	{"198.51.100.17/32 dev eth0 congctl", nil, []string{missingParam("198.51.100.17/32", "congctl", 5)}},
	{"198.51.100.1/32 dev eth0 table 0", with(tracked(Route{Dst: pfx("198.51.100.1/32")}), func(r *Route) { r.Table = 0 }), nil},
	{"198.51.100.3/32 dev eth0 table 4294967296", with(tracked(Route{Dst: pfx("198.51.100.3/32")}), func(r *Route) { r.Table = 0 }), nil},
	{"198.51.100.4/32 dev eth0 table 0x10", tracked(Route{Dst: pfx("198.51.100.4/32"), Table: 16}), nil},
	{"198.51.100.5/32 dev eth0 table default", tracked(Route{Dst: pfx("198.51.100.5/32"), Table: 253}), nil},
	{"198.51.100.16/32 dev eth0 table -1", tracked(Route{Dst: pfx("198.51.100.16/32"), Table: 4294967295}), nil},
	{"198.51.100.4/32 dev eth0 table foo", nil, []string{"general: Routing table foo not found for route"}},
	{"198.51.100.6/32 dev eth0 metric -1", nil, []string{"general: Invalid metric -1 specified for route"}},
	{"198.51.100.8/32 dev eth0 metric 0x10", nil, []string{"general: Invalid metric 0x10 specified for route"}},
	{"198.51.100.9/32 dev eth9", nil, []string{"general: WARNING - interface eth9 for VROUTE nexthop doesn't exist (cannot run)"}},
	{"198.51.100.10/32 via 2001:db8::1 dev eth0", nil, []string{"general: Cannot mix IPv4 and IPv6 addresses for route"}},
	{"198.51.100.11/32 via inet6 2001:db8::1 dev eth0", nil, []string{"general: Cannot mix IPv4 and IPv6 addresses for route"}},
	{"2001:db8:6::/64 via inet 192.0.2.1 dev eth0", nil, []string{"general: Cannot mix IPv4 and IPv6 addresses for route"}},
	{"198.51.100.12/32 src 2001:db8::1 dev eth0", nil, []string{"general: Cannot mix IPv4 and IPv6 addresses for route"}},
	{"198.51.100.12/32 via 192.0.2.1/32 dev eth0", nil, []string{
		"general: VRRP parsed invalid IP 192.0.2.1/32. skipping IP...", "general: invalid route via address 192.0.2.1/32"}},
	{"198.51.100.14/32 198.51.100.0/25 dev eth0", tracked(Route{Dst: pfx("198.51.100.0/25")}), nil},
	{"198.51.100.1/32 via 192.0.2.1 or 192.0.2.2 dev eth0", tracked(Route{Dst: pfx("198.51.100.1/32"), Via: ip("192.0.2.1"), Or: ip("192.0.2.2")}),
		[]string{`deprecated: "or" for routes is deprecated. Please use "nexthop"`}},
	{"198.51.100.2/32 via 192.0.2.1 or 192.0.2.2 or 192.0.2.3 dev eth0", tracked(Route{Dst: pfx("198.51.100.2/32"), Via: ip("192.0.2.1"), Or: ip("192.0.2.2")}),
		[]string{`deprecated: "or" for routes is deprecated. Please use "nexthop"`, `deprecated: "or" for routes is deprecated. Please use "nexthop"`,
			`general: "or" route already specified - ignoring subsequent`}},
	{"198.51.100.3/32 or 192.0.2.2 dev eth0", tracked(Route{Dst: pfx("198.51.100.3/32"), Or: ip("192.0.2.2")}),
		[]string{`deprecated: "or" for routes is deprecated. Please use "nexthop"`}},
	{"198.51.100.15/32 dev eth0 or 2001:db8::1", tracked(Route{Dst: pfx("198.51.100.15/32"), Or: ip("2001:db8::1")}),
		[]string{`deprecated: "or" for routes is deprecated. Please use "nexthop"`}},
	{"198.51.100.4/32 via 192.0.2.1 or 192.0.2.2 nexthop via 192.0.2.3", nil,
		[]string{`deprecated: "or" for routes is deprecated. Please use "nexthop"`, `general: Cannot specify nexthops with "or" route`,
			"general: Route has trailing nonsense - nexthop"}},
	{"198.51.100.5/32 as to 192.0.2.4 dev eth0", tracked(Route{Dst: pfx("198.51.100.5/32")}), []string{`general: "as to" for MPLS only - ignoring`}},
	{"198.51.100.6/32 dev eth0 nexthop via 192.0.2.3 dev eth1 foo", tracked(Route{Dst: pfx("198.51.100.6/32"), Nexthops: []Nexthop{{Via: ip("192.0.2.3"), Dev: "eth1"}}}),
		[]string{"general: Route has trailing nonsense after nexthops - foo"}},
	{"198.51.100.7/32 dev eth0 nexthop via 192.0.2.3 weight 0", tracked(Route{Dst: pfx("198.51.100.7/32")}), []string{"general: Invalid weight 0 specified for route"}},
	{"198.51.100.8/32 dev eth0 nexthop via 192.0.2.3 weight 257", tracked(Route{Dst: pfx("198.51.100.8/32")}), []string{"general: Invalid weight 257 specified for route"}},
	{"198.51.100.9/32 dev eth0 nexthop via 192.0.2.3 weight 256", tracked(Route{Dst: pfx("198.51.100.9/32"), Nexthops: []Nexthop{{Via: ip("192.0.2.3"), Weight: 256}}}), nil},
	{"198.51.100.10/32 dev eth0 nexthop via inet6 2001:db8::1", tracked(Route{Dst: pfx("198.51.100.10/32")}), []string{"general: IPv4/6 mismatch for nexthop"}},
	{"198.51.100.12/32 dev eth0 nexthop", tracked(Route{Dst: pfx("198.51.100.12/32"), Nexthops: []Nexthop{{}}}), nil},
	{"198.51.100.13/32 dev eth0 nexthop via 192.0.2.3 nexthop dev eth1 realms 3", tracked(Route{Dst: pfx("198.51.100.13/32"),
		Nexthops: []Nexthop{{Via: ip("192.0.2.3")}, {Dev: "eth1", Realms: 3}}}), nil},
	{"2001:db8:7::/64 dev eth0 nexthop via 2001:db8::3 realms 3", tracked(Route{Family: IPv6, Dst: pfx("2001:db8:7::/64")}),
		[]string{"general: realms are only supported for IPv4"}},
	{"198.51.100.18/32 dev eth0 nexthop via 192.0.2.3 as to 192.0.2.4", tracked(Route{Dst: pfx("198.51.100.18/32")}),
		[]string{"general: 'as [to]' (nat) not supported"}},
	{"198.51.100.19/32 dev eth0 nexthop dev eth9", tracked(Route{Dst: pfx("198.51.100.19/32")}),
		[]string{"general: WARNING - interface eth9 for VROUTE nexthop doesn't exist (cannot run)"}},
	{"198.51.100.7/32 dev eth0 encap ip id 5 dst 192.0.2.9", tracked(Route{Dst: pfx("198.51.100.7/32"),
		Options: opts([]string{"encap", "ip", "id", "5", "dst", "192.0.2.9"})}), nil},
	{"198.51.100.11/32 dev eth0 encap", tracked(Route{Dst: pfx("198.51.100.11/32")}), []string{"general: Missing encap type"}},
	{"198.51.100.12/32 dev eth0 encap foo", tracked(Route{Dst: pfx("198.51.100.12/32")}), []string{"general: Unknown encap type - foo"}},
	{"198.51.100.13/32 dev eth0 encap ip ttl 5", tracked(Route{Dst: pfx("198.51.100.13/32")}), []string{"general: address or id missing for ip encapsulation"}},
	{"198.51.100.8/32 dev eth0 rtt abc", nil, []string{"general: Invalid rtt abc for route"}},
	{"198.51.100.9/32 dev eth0 rtt 10", tracked(Route{Dst: pfx("198.51.100.9/32"), Options: opts([]string{"rtt", "10"})}), nil},
	{"198.51.100.9/32 dev eth0 features foo", tracked(Route{Dst: pfx("198.51.100.9/32")}), []string{"general: feature foo not supported"}},
	{"198.51.100.9/32 dev eth0 quickack 2", nil, []string{"general: Invalid quickack value 2 specified for route"}},
	{"198.51.100.11/32 dev eth0 hoplimit 256", nil, []string{"general: Invalid hoplimit 256 specified for route"}},
	{"198.51.100.14/32 dev eth0 realms foo", nil, []string{"general: Invalid realms foo for route"}},
	{"198.51.100.15/32 dev eth0 realms 1/2/3", nil, []string{"general: Invalid realms 1/2/3 for route"}},
	{"198.51.100.16/32 dev eth0 window lock 5", nil, []string{"general: Invalid window value lock specified for route"}},
	{"198.51.100.0/24 dev eth0 track_group TG1", nil, []string{
		"general: VRRP parsed invalid IP track_group. skipping IP...", "general: unknown route keyword track_group"}},
	{"0.0.0.0/0 gw 192.0.2.1 table 100", untracked(Route{Dst: pfx("0.0.0.0/0"), Via: ip("192.0.2.1"), Table: 100}),
		[]string{`deprecated: "gw" for routes is deprecated. Please use "via"`, fmt.Sprintf(noTrackWarn, "0.0.0.0/0")}},
}

// Cases verified against keepalived 2.2.7 in static_routes, with
// track_group TG1 defined.
var staticRouteCases = []routeCase{
	{"198.51.100.0/24 track_group TG1", untracked(Route{Dst: pfx("198.51.100.0/24")}),
		[]string{fmt.Sprintf(noTrackWarn, "198.51.100.0/24"), "general: Static route cannot have track group if no oif specified"}},
	{"198.51.100.1/32 dev eth0 track_group TG1 track_group TG1 foo", nil,
		[]string{"general: track_group TG1 is a duplicate", "general: Route has trailing nonsense - TG1"}},
	{"198.51.100.2/32 dev eth0 track_group NOPE", tracked(Route{Dst: pfx("198.51.100.2/32")}), []string{"general: track_group NOPE not found"}},
	{"198.51.100.3/32 dev eth0 track_group TG1", tracked(Route{Dst: pfx("198.51.100.3/32"), TrackGroup: "TG1"}), nil},
	{"198.51.100.4/32 dev eth0 track_group TG1 no_track", routeAt(Route{Family: IPv4, Dst: pfx("198.51.100.4/32"), Dev: "eth0", TrackGroup: "TG1", NoTrack: true}),
		[]string{"note: Static route has both track_group and no_track set - not tracking"}},
}

func runRouteCases(t *testing.T, cases []routeCase, static bool) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			l := newAddrLowerer(newAddrEnv("eth0", "eth1"))
			got := withoutOptionPos(l.parseRoute(addrNode(tc.line), static))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseRoute(%q):\n got  %+v\n want %+v", tc.line, got, tc.want)
			}
			checkDiags(t, l.diags, tc.diags)
			if got == nil {
				return
			}
			text := got.String()
			l2 := newAddrLowerer(newAddrEnv("eth0", "eth1"))
			again := withoutOptionPos(l2.parseRoute(addrNode(text), static))
			if !reflect.DeepEqual(again, got) {
				t.Errorf("round trip of %q via %q:\n got  %+v\n want %+v (%v)", tc.line, text, again, got, diagLines(l2.diags))
			}
		})
	}
}

func TestParseRouteVirtual(t *testing.T) { runRouteCases(t, virtualRouteCases, false) }

func TestParseRouteStatic(t *testing.T) { runRouteCases(t, staticRouteCases, true) }

// Names come from iproute2's files when the Environment can read them; a
// built-in name whose number the file names differently is unknown, as in
// keepalived (rt_protos naming 0 "unspec" hides "none").
func TestParseRouteNames(t *testing.T) {
	env := addrTestNamer{newAddrEnv("eth0")}
	env.names = map[string][]RTEntry{
		"rt_tables": {{ID: 254, Name: "main"}, {ID: 100, Name: "vips"}},
		"rt_protos": {{ID: 0, Name: "unspec"}, {ID: 18, Name: "keepalived"}},
	}
	l := newAddrLowerer(env)
	got := withoutOptionPos(l.parseRoute(addrNode("198.51.100.0/24 dev eth0 table vips protocol keepalived"), false))
	want := tracked(Route{Dst: pfx("198.51.100.0/24"), Table: 100})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if r := l.parseRoute(addrNode("198.51.100.0/24 dev eth0 protocol none no_track"), false); r != nil {
		t.Errorf("protocol none accepted: %+v", r)
	}
	checkDiags(t, l.diags, []string{"general: Protocol none not found or invalid for route"})
	l = newAddrLowerer(newAddrEnv("eth0"))
	if r := l.parseRoute(addrNode("198.51.100.0/24 dev eth0 protocol none no_track"), false); r == nil || r.Protocol != 0 {
		t.Errorf("without name files, protocol none: got %+v", r)
	}
}

// keepalived also rejects a vrf that names an interface of another kind
// ("Route specified VRF %s is not a VRF"); the Environment cannot tell
// interface kinds, so only existence is checked.
func TestParseRouteVRFKindNotChecked(t *testing.T) {
	l := newAddrLowerer(newAddrEnv("eth0", "blue"))
	got := withoutOptionPos(l.parseRoute(addrNode("198.51.100.57/32 dev eth0 vrf blue"), false))
	want := tracked(Route{Dst: pfx("198.51.100.57/32"), VRF: "blue"})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	checkDiags(t, l.diags, nil)
}

func TestLowerStaticRoutes(t *testing.T) {
	l := newAddrLowerer(newAddrEnv("eth0", "eth1"))
	n := addrNode("static_routes")
	n.HasBlock = true
	n.Children = []*Node{addrNode("198.51.100.0/24 via 192.0.2.1 dev eth1"), addrNode("198.51.100.0/24 dev eth1 foo"), addrNode("blackhole 198.51.100.1")}
	l.lowerStaticRoutes(n)
	var got []string
	for _, r := range l.cfg.StaticRoutes {
		got = append(got, r.String())
	}
	want := []string{"198.51.100.0/24 via 192.0.2.1 dev eth1 protocol 18", "blackhole 198.51.100.1/32 protocol 18 no_track"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("static routes %q, want %q", got, want)
	}
	checkDiags(t, l.diags, []string{"general: VRRP parsed invalid IP foo. skipping IP...", "general: unknown route keyword foo",
		fmt.Sprintf(noTrackWarn, "198.51.100.1")})
}
