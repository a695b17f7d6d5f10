package confparse

import (
	"reflect"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// namesEnv is a machine with eth0 and eth1 whose iproute2 name files and
// /etc/protocols name a few numbers of their own.
func namesEnv() addrTestNamer {
	env := addrTestNamer{newAddrEnv("eth0", "eth1")}
	env.names = map[string][]RTEntry{
		"rt_tables":  {{ID: 100, Name: "vips"}, {ID: 254, Name: "main"}},
		"rt_protos":  {{ID: 99, Name: "mine"}},
		"rt_scopes":  {{ID: 253, Name: "lnk"}, {ID: 42, Name: "answer"}},
		"rt_dsfield": {{ID: 0x28, Name: "AF11"}},
		"rt_realms":  {{ID: 7, Name: "cust"}, {ID: 8, Name: "peer"}},
		"group":      {{ID: 3, Name: "uplinks"}},
		"protocols":  {{ID: 6, Name: "tcp"}, {ID: 132, Name: "sctp"}},
	}
	return env
}

// The names of the name files are resolved when the line is read, and the
// configuration keeps only the numbers: its line form reads back to the
// same route or rule on a machine without those files.
func TestLoweredNamesAreNumbers(t *testing.T) {
	l := newAddrLowerer(namesEnv())
	route := withoutOptionPos(l.parseRoute(addrNode("198.51.100.0/24 dev eth0 table vips protocol mine scope answer tos AF11 realms cust/peer "+
		"encap ip id 5 tos AF11 no_track nexthop via 192.0.2.3 realms peer"), false))
	want := routeAt(Route{Family: IPv4, Dst: pfx("198.51.100.0/24"), Dev: "eth0", Table: 100, Protocol: 99, Scope: 42, Tos: 0x28,
		Realms: 7<<16 | 8, NoTrack: true, Options: opts([]string{"encap", "ip", "id", "5", "tos", "40"}),
		Nexthops: []Nexthop{{Via: ip("192.0.2.3"), Realms: 8}}})
	if !reflect.DeepEqual(route, want) {
		t.Errorf("route\n got  %+v\n want %+v", route, want)
	}
	rule := l.parseRule(addrNode("from 192.0.2.0/24 table vips preference 10 tos AF11 realms cust suppress_ifgroup uplinks ipproto sctp"), false)
	wantRule := ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 100, Preference: 10, Tos: 0x28, Realms: 7, SuppressIfgroup: 3, IPProto: 132})
	if !reflect.DeepEqual(rule, wantRule) {
		t.Errorf("rule\n got  %#v\n want %#v", rule, wantRule)
	}
	addr := l.parseAddress(addrNode("192.0.2.10/24 scope lnk"), false)
	if addr == nil || addr.Scope != 253 {
		t.Errorf("address scope lnk: got %+v, want scope 253", addr)
	}
	checkDiags(t, l.diags, nil)

	bare := newAddrLowerer(newAddrEnv("eth0", "eth1"))
	if again := withoutOptionPos(bare.parseRoute(addrNode(route.String()), false)); !reflect.DeepEqual(again, route) {
		t.Errorf("route %q reads back as %+v (%v)", route, again, diagLines(bare.diags))
	}
	if again := bare.parseRule(addrNode(rule.String()), false); !reflect.DeepEqual(again, rule) {
		t.Errorf("rule %q reads back as %#v (%v)", rule, again, diagLines(bare.diags))
	}
	if again := bare.parseAddress(addrNode(addr.String()), false); !reflect.DeepEqual(again, addr) {
		t.Errorf("address %q reads back as %+v (%v)", addr, again, diagLines(bare.diags))
	}
}

// A built-in name the file gives to another number no longer resolves:
// rt_scopes naming 253 "lnk" hides "link", as in keepalived.
func TestLoweredNamesFileHidesBuiltin(t *testing.T) {
	l := newAddrLowerer(namesEnv())
	if r := l.parseRoute(addrNode("198.51.100.0/24 dev eth0 scope link"), false); r != nil {
		t.Errorf("scope link accepted: %+v", r)
	}
	checkDiags(t, l.diags, []string{"general: Scope link not found or invalid for route"})
}

// Every route type name the parser knows is one number, and the name the
// line form writes for that number reads back to it.
func TestRouteTypeNames(t *testing.T) {
	for name, v := range rtnames.RouteTypes {
		printed := config.RouteTypeName(int(v))
		if got, ok := routeTypeWord(printed); !ok || got != v {
			t.Errorf("type %s (%d) prints as %s, which reads as %d, %v", name, v, printed, got, ok)
		}
	}
	for _, tc := range []struct {
		t    int
		want string
	}{{0, "0"}, {1, "unicast"}, {3, "broadcast"}, {11, "xresolve"}, {12, "12"}, {255, "255"}} {
		if got := config.RouteTypeName(tc.t); got != tc.want {
			t.Errorf("RouteTypeName(%d) = %s, want %s", tc.t, got, tc.want)
		}
	}
}
