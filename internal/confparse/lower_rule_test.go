package confparse

import (
	"reflect"
	"testing"
)

// ruleAt returns r as keepalived keeps it, for a test line: its position,
// IPv4 unless given, "lookup" when a table is given, and zero Protocol,
// IPProto, SuppressPrefixLength and SuppressIfgroup standing for their
// defaults (18 for a tracked rule, -1 for an untracked one; -1; -1; -1;
// withRule sets a 0 that was given).
func ruleAt(r Rule) *Rule {
	r.Pos = Pos{File: "t.conf", Line: 1, Col: 1}
	if r.Family == FamilyUnset {
		r.Family = IPv4
	}
	if r.Action == "" && r.Table != 0 {
		r.Action = "lookup"
	}
	if r.Protocol == 0 {
		r.Protocol = RouteProtocolKeepalived
		if r.NoTrack {
			r.Protocol = -1
		}
	}
	for _, f := range []*int{&r.IPProto, &r.SuppressPrefixLength, &r.SuppressIfgroup} {
		if *f == 0 {
			*f = -1
		}
	}
	return &r
}

// withRule returns r changed by f.
func withRule(r *Rule, f func(*Rule)) *Rule {
	f(r)
	return r
}

type ruleCase struct {
	line  string
	want  *Rule // nil: keepalived drops the rule
	diags []string
}

// Cases verified against keepalived 2.2.7 (keepalived -t and -d dumps in a
// namespace with eth0 and eth1).
var virtualRuleCases = []ruleCase{
	{"from 192.0.2.0/24 table 1 preference 100", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 100}), nil},
	{"to 192.0.2.0/24 lookup main priority 101", ruleAt(Rule{To: pfx("192.0.2.0/24"), Table: 254, Preference: 101}), nil},
	{"from all to 198.51.100.0/24 table 5 order 102", ruleAt(Rule{From: pfx("0.0.0.0/0"), To: pfx("198.51.100.0/24"), Table: 5, Preference: 102}), nil},
	{"not from 192.0.2.0/24 table 1 preference 103", ruleAt(Rule{Not: true, From: pfx("192.0.2.0/24"), Table: 1, Preference: 103}), nil},
	{"from 192.0.2.0/24 goto 200 preference 104", ruleAt(Rule{From: pfx("192.0.2.0/24"), Action: "goto", Goto: 200, Preference: 104}), nil},
	{"from 192.0.2.0/24 goto 100 preference 105", nil, []string{"general: Invalid rule - preference 105 >= goto target 100"}},
	{"from 192.0.2.0/24 goto 200", nil, []string{"general: Invalid rule - goto target 200 specified without preference"}},
	{"from 192.0.2.0/24 nop preference 106", ruleAt(Rule{From: pfx("192.0.2.0/24"), Action: "nop", Preference: 106}), nil},
	{"from 192.0.2.0/24 blackhole preference 107", ruleAt(Rule{From: pfx("192.0.2.0/24"), Action: "blackhole", Preference: 107}), nil},
	{"from 192.0.2.0/24 type unreachable preference 108", ruleAt(Rule{From: pfx("192.0.2.0/24"), Action: "unreachable", Preference: 108}), nil},
	{"from 192.0.2.0/24 prohibit preference 109", ruleAt(Rule{From: pfx("192.0.2.0/24"), Action: "prohibit", Preference: 109}), nil},
	{"from 192.0.2.0/24 throw preference 110", nil, []string{"general: Invalid rule action throw"}},
	{"from 192.0.2.0/24 preference 111", nil, []string{"general: No action specified for rule - ignoring"}},
	{"from 192.0.2.0/24 table 1 nop preference 112", nil, []string{"general: Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule"}},
	{"from 192.0.2.0/24 table 1 preference 12 goto 20", nil, []string{"general: Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable/l3mdev for rule"}},
	{"from 192.0.2.0/24 table 0 preference 113", nil, []string{"general: Table 0 is not valid"}},
	{"from 192.0.2.0/24 table 1 preference 114 tos 0x10 fwmark 0x10/0xff iif eth0 oif eth1", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 114,
		Tos: 16, Fwmark: 16, FwMask: 255, FwmarkSet: true, FwMaskSet: true, Iif: "eth0", Oif: "eth1"}), nil},
	{"from 192.0.2.0/24 table 1 preference 115 fwmark 5", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 115, Fwmark: 5, FwmarkSet: true}), nil},
	{"from 192.0.2.0/24 table 1 preference 141 fwmark 0x10/", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 141, Fwmark: 16, FwmarkSet: true, FwMaskSet: true}), nil},
	{"from 192.0.2.0/24 table 1 preference 116 fwmark -1", nil, []string{"general: Invalid rule fwmark -1 specified"}},
	{"from 192.0.2.0/24 table 1 preference 142 fwmark 1/-1", nil, []string{"general: Invalid rule fwmark 1/-1 specified"}},
	{"from 192.0.2.0/24 table 1 preference 7 fwmark 0x10/0xffffffff0", nil, []string{"general: Invalid rule fwmark 0x10/0xffffffff0 specified"}},
	{"from 192.0.2.0/24 table 1 preference 117 realms 3/4 suppress_prefixlength 8 suppress_ifgroup 0", withRule(ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1,
		Preference: 117, Realms: 3<<16 | 4, SuppressPrefixLength: 8}), func(r *Rule) { r.SuppressIfgroup = 0 }), nil},
	{"from 192.0.2.0/24 table 1 preference 139 dev eth0 sup_pl 3 sup_group 2 dsfield 4", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1,
		Preference: 139, Iif: "eth0", SuppressPrefixLength: 3, SuppressIfgroup: 2, Tos: 4}), nil},
	{"from 192.0.2.0/24 goto 300 preference 118 realms 3", nil, []string{"general: suppressor/realm specified for non table action - skipping"}},
	{"from 2001:db8::/64 table 1 preference 119 realms 3", nil, []string{"general: realms is only valid for IPv4"}},
	{"from 192.0.2.0/24 table 1 preference 146 realms x", nil, []string{"general: invalid realms x for rule"}},
	{"from 192.0.2.0/24 table 1 preference 11 suppress_prefixlength -1", nil, []string{"general: Invalid suppress_prefixlength suppress_prefixlength specified"}},
	{"from 192.0.2.0/24 table 1 preference 120 uidrange 100-200 ipproto tcp sport 80-80 dport 1000-2000", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1,
		Preference: 120, UIDRange: "100-200", IPProto: 6, SPort: "80-80", DPort: "1000-2000"}), nil},
	{"from 192.0.2.0/24 table 1 preference 6 uidrange 5-3", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 6, UIDRange: "5-3"}), nil},
	{"from 192.0.2.0/24 table 1 preference 133 uidrange 5", nil, []string{"general: Invalid uidrange uidrange specified"}},
	{"from 192.0.2.0/24 table 1 preference 135 sport 80", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 135}),
		[]string{"general: invalid sport range 80"}},
	{"from 192.0.2.0/24 table 1 preference 132 sport x", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 132}),
		[]string{"general: invalid sport range x"}},
	{"from 192.0.2.0/24 table 1 preference 5 sport 0x10-20", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 5}),
		[]string{"general: invalid sport range 0x10-20"}},
	{"from 192.0.2.0/24 table 1 preference 14 dport 70000", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 14}),
		[]string{"general: invalid dport range 70000"}},
	{"from 192.0.2.0/24 l3mdev preference 121", ruleAt(Rule{From: pfx("192.0.2.0/24"), L3mdev: true, Action: "lookup", Preference: 121}), nil},
	{"from 192.0.2.0/24 l3mdev table 1 preference 122", nil, []string{"general: Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable for rule"}},
	{"from 192.0.2.0/24 table 1 l3mdev preference 122", nil, []string{"general: Cannot specify l3mdev with other action"}},
	{"from 192.0.2.0/24 table 1 preference 123 protocol 5", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 123}),
		[]string{"general: Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(18), resetting protocol"}},
	{"from 192.0.2.0/24 table 1 preference 124 protocol 5 no_track", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 124, Protocol: 5, NoTrack: true}), nil},
	{"from 192.0.2.0/24 table 1 preference 1 no_track", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 1, NoTrack: true}), nil},
	{"from 192.0.2.0/24 table 1 preference 144 protocol x", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 144}),
		[]string{"general: Invalid protocol x"}},
	{"from 192.0.2.0/24 table 1 preference 10 protocol 256", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 10}),
		[]string{"general: Invalid protocol 256"}},
	{"from 192.0.2.0/24 table 1 preference 125 foo", nil, []string{"general: Unknown rule option foo"}},
	{"from 192.0.2.0/24 table 1 preference 126 tunnel-id 5", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 126, TunnelID: 5, TunnelIDSet: true}), nil},
	{"inet6 from 2001:db8::/64 table 1 preference 127", nil, []string{"general: Unknown rule option 2001:db8::/64"}},
	{"inet6 x from 2001:db8::/64 table 1 preference 128", ruleAt(Rule{Family: IPv6, From: pfx("2001:db8::/64"), Table: 1, Preference: 128}), nil},
	{"inet6 x table 1 preference 8", ruleAt(Rule{Family: IPv6, Table: 1, Preference: 8}), nil},
	{"from default table 1 preference 129", ruleAt(Rule{From: pfx("0.0.0.0/0"), Table: 1, Preference: 129}), nil},
	{"inet6 x to default table 1 preference 130", nil, []string{"general: rule specification has mixed IPv4 and IPv6"}},
	{"to default from 2001:db8::/64 table 1 preference 138", ruleAt(Rule{Family: IPv6, From: pfx("2001:db8::/64"), To: pfx("::/0"), Table: 1, Preference: 138}), nil},
	{"from 192.0.2.0/24 to 2001:db8::/64 table 1 preference 137", nil, []string{"general: rule specification has mixed IPv4 and IPv6"}},
	{"from 192.0.2.0/24 table 1 preference 0x20", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 32}), nil},
	{"from 192.0.2.0/24 table 1 preference -1", nil, []string{"general: Invalid rule preference preference specified"}},
	{"from 192.0.2.0/24 table 1 order 4294967296", nil, []string{"general: Invalid rule preference order specified"}},
	{"from 192.0.2.0/24 table 1 preference 131 ipproto 300", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 131}),
		[]string{"general: Invalid ipproto 300"}},
	{"from 192.0.2.0/24 table 1 preference 1 ipproto UDP", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 1, IPProto: 17}), nil},
	{"from 192.0.2.0/24 table 1 preference 3 ipproto ipv6-icmp", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 3, IPProto: 58}), nil},
	{"from 192.0.2.0/24 table 1 preference 2 ipproto 0x11", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 2}),
		[]string{"general: Invalid ipproto 0x11"}},
	{"from 192.0.2.0/24 table 1 preference 4 ipproto Tcp", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 4}),
		[]string{"general: Invalid ipproto Tcp"}},
	{"from 192.0.2.0/24 table 1 preference 134 iif eth9", nil, []string{"general: WARNING - interface eth9 for rule doesn't exist (cannot run)"}},
	{"from 192.0.2.0/24 table 1 preference 140 tos 300", nil, []string{"general: TOS value 300 is invalid"}},
	{"from 192.0.2.0/24 table foo preference 145", nil, []string{"general: Routing table foo not found for rule"}},
	{"from 192.0.2.0/24 table 1 preference 16 not not", ruleAt(Rule{Not: true, From: pfx("192.0.2.0/24"), Table: 1, Preference: 16}), nil},
	{"from 192.0.2.100./24 table 1", nil, []string{
		"general: VRRP parsed invalid IP 192.0.2.100./24. skipping IP...", "general: Invalid rule from address 192.0.2.100./24"}},
	{"from 192.0.2.0/24 table", nil, []string{missingParam("from", "table", 4)}},
	{"from", nil, []string{missingParam("from", "from", 2)}},
	{"from 192.0.2.0/24 type", nil, []string{missingParam("from", "type", 4)}},
	{"from 192.0.2.0/24 table 1 preference 5 track_group TG1", nil, []string{"general: Unknown rule option track_group"}},
	{"from 192.0.2.0/24 table 1", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 16384}),
		[]string{"warning: Rule has no preference specified - setting to 16384. This is probably not what you want."}},
}

// Cases verified against keepalived 2.2.7 in static_rules, with
// track_group TG1 defined.
var staticRuleCases = []ruleCase{
	{"from 192.0.2.0/24 table 1 preference 5 track_group TG1", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 5}),
		[]string{"general: Static rule cannot have track_group if dev/iif not specified"}},
	{"from 192.0.2.0/24 table 1 preference 6 iif eth0 track_group TG1 track_group TG1 foo", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 6,
		Iif: "eth0", TrackGroup: "TG1"}), []string{"general: track_group TG1 is a duplicate"}},
	{"from 192.0.2.0/24 table 1 preference 7 iif eth0 track_group NOPE", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 7, Iif: "eth0"}),
		[]string{"general: track_group NOPE not found"}},
	{"from 192.0.2.0/24 table 1 preference 8 iif eth0 track_group TG1 no_track", ruleAt(Rule{From: pfx("192.0.2.0/24"), Table: 1, Preference: 8,
		Iif: "eth0", TrackGroup: "TG1", NoTrack: true}), []string{"note: Static rule has both track_group and no_track set - not tracking"}},
}

func runRuleCases(t *testing.T, cases []ruleCase, static bool) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			l := newAddrLowerer(newAddrEnv("eth0", "eth1"))
			got := l.parseRule(addrNode(tc.line), static)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseRule(%q):\n got  %#v\n want %#v", tc.line, got, tc.want)
			}
			checkDiags(t, l.diags, tc.diags)
			if got == nil {
				return
			}
			text := got.String()
			l2 := newAddrLowerer(newAddrEnv("eth0", "eth1"))
			again := l2.parseRule(addrNode(text), static)
			if !reflect.DeepEqual(again, got) {
				t.Errorf("round trip of %q via %q:\n got  %#v\n want %#v (%v)", tc.line, text, again, got, diagLines(l2.diags))
			}
		})
	}
}

func TestParseRuleVirtual(t *testing.T) { runRuleCases(t, virtualRuleCases, false) }

func TestParseRuleStatic(t *testing.T) { runRuleCases(t, staticRuleCases, true) }

// keepalived numbers rules without a preference from 16384 downwards, one
// counter per family, across static and virtual rules, and explicit
// preferences do not move the counters.
func TestRuleAutoPreference(t *testing.T) {
	l := newAddrLowerer(newAddrEnv("eth0"))
	lines := []string{
		"from 192.0.2.0/24 table 1", "from 2001:db8::/64 table 1", "to 2001:db8::/64 table 1",
		"to 192.0.2.0/24 table 1", "to 192.0.2.0/24 table 1 preference 16000", "to 198.51.100.0/24 table 1",
	}
	var got []uint32
	for i, line := range lines {
		if r := l.parseRule(addrNode(line), i%2 == 0); r != nil {
			got = append(got, r.Preference)
		}
	}
	want := []uint32{16384, 16384, 16383, 16383, 16000, 16382}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("preferences %v, want %v", got, want)
	}
	if n := len(l.diags); n != 5 {
		t.Errorf("%d diagnostics, want 5: %q", n, diagLines(l.diags))
	}
}

func TestLowerStaticRules(t *testing.T) {
	l := newAddrLowerer(newAddrEnv("eth0"))
	n := addrNode("static_rules")
	n.HasBlock = true
	n.Children = []*Node{addrNode("from 192.0.2.0/24 table 1 preference 10"), addrNode("to 192.0.2./24 table 1")}
	l.lowerStaticRules(n)
	var got []string
	for _, r := range l.cfg.StaticRules {
		got = append(got, r.String())
	}
	want := []string{"from 192.0.2.0/24 protocol 18 preference 10 table 1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("static rules %q, want %q", got, want)
	}
	checkDiags(t, l.diags, []string{"general: VRRP parsed invalid IP 192.0.2./24. skipping IP...", "general: Invalid rule to address 192.0.2./24"})
}
