package confparse

import (
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
)

// addrTestEnv is a machine with a fixed set of interfaces. Other
// Environment methods are not used by the address, route and rule parsers;
// calling one panics (nil embedded interface).
type addrTestEnv struct {
	Environment
	ifs   map[string]bool
	names map[string][]RTEntry // RTTable answers; nil: not an RTNamer
}

func (e addrTestEnv) InterfaceExists(name string) bool { return e.ifs[name] }

// addrTestNamer is addrTestEnv with iproute2 name files.
type addrTestNamer struct{ addrTestEnv }

func (e addrTestNamer) RTTable(file string) []RTEntry { return e.names[file] }

func newAddrEnv(ifs ...string) addrTestEnv {
	e := addrTestEnv{ifs: map[string]bool{}}
	for _, n := range ifs {
		e.ifs[n] = true
	}
	return e
}

// newAddrLowerer returns a lowerer on a fresh configuration in which the
// track group TG1 is defined.
func newAddrLowerer(env Environment) *lowerer {
	l := &lowerer{cfg: newConfig(), env: env}
	l.cfg.NotRun = append(l.cfg.NotRun, NotRunBlock{Keyword: "track_group", Name: "TG1"})
	return l
}

// addrNode builds a statement from one line of text: words split on
// spaces (double quotes group and are removed), positioned t.conf:1:N for
// the N-th word.
func addrNode(line string) *Node {
	n := &Node{}
	var words []string
	var cur strings.Builder
	inQuote, have := false, false
	flush := func() {
		if have {
			words = append(words, cur.String())
		}
		cur.Reset()
		have = false
	}
	for _, r := range line {
		switch {
		case r == '"':
			inQuote, have = !inQuote, true
		case r == ' ' && !inQuote:
			flush()
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	flush()
	for i, w := range words {
		n.Words = append(n.Words, Token{Text: w, Pos: Pos{File: "t.conf", Line: 1, Col: i + 1}})
	}
	n.Line = Line{Tokens: n.Words, Raw: line, Pos: Pos{File: "t.conf", Line: 1, Col: 1}}
	return n
}

var addrClassNames = map[Class]string{
	ClassNote: "note", ClassFatal: "fatal", ClassGeneral: "general",
	ClassWarning: "warning", ClassDeprecated: "deprecated",
}

// diagLines renders diagnostics as "class: message", with "(cannot run)"
// when marked so.
func diagLines(ds Diagnostics) []string {
	var out []string
	for _, d := range ds {
		name, ok := addrClassNames[d.Class]
		if !ok {
			name = fmt.Sprintf("class%d", d.Class)
		}
		s := name + ": " + d.Msg
		if d.CannotRun {
			s += " (cannot run)"
		}
		out = append(out, s)
	}
	return out
}

func checkDiags(t *testing.T, got Diagnostics, want []string) {
	t.Helper()
	g := diagLines(got)
	if len(g) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("diagnostics:\n got  %q\n want %q", g, want)
	}
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

// addrAt returns a with the position of a test line's first word.
func addrAt(a Address) *Address {
	a.Pos = Pos{File: "t.conf", Line: 1, Col: 1}
	return &a
}

type addrCase struct {
	line  string
	want  *Address // nil: keepalived drops the address
	diags []string
}

// Cases verified against keepalived 2.2.7 (keepalived -t and -d dumps in a
// namespace with eth0 and eth1).
var virtualAddrCases = []addrCase{
	{"192.0.2.10/24", addrAt(Address{Prefix: pfx("192.0.2.10/24")}), nil},
	{"192.0.2.10", addrAt(Address{Prefix: pfx("192.0.2.10/32")}), nil},
	{"2001:db8::1", addrAt(Address{Prefix: pfx("2001:db8::1/128"), PreferredLft: "0"}), nil},
	{"2001:db8::1/64", addrAt(Address{Prefix: pfx("2001:db8::1/64"), PreferredLft: "forever"}), nil},
	{"192.0.2.10/33", addrAt(Address{Prefix: pfx("192.0.2.10/32")}),
		[]string{"general: Invalid address prefix len 33 for address 192.0.2.10/33 - using 32"}},
	{"2001:db8::1/129", addrAt(Address{Prefix: pfx("2001:db8::1/128"), PreferredLft: "0"}),
		[]string{"general: Invalid address prefix len 129 for address 2001:db8::1/129 - using 128"}},
	{"192.0.2.10/abc", addrAt(Address{Prefix: pfx("192.0.2.10/32")}),
		[]string{"general: Invalid address prefix len abc for address 192.0.2.10/abc - using 32"}},
	{"192.0.2.10/-1", addrAt(Address{Prefix: pfx("192.0.2.10/32")}),
		[]string{"general: Invalid address prefix len -1 for address 192.0.2.10/-1 - using 32"}},
	{"192.0.2.10/", addrAt(Address{Prefix: pfx("192.0.2.10/0")}),
		[]string{"note: empty prefix length in 192.0.2.10/ is read as /0"}},
	{"192.0.2.10/024", addrAt(Address{Prefix: pfx("192.0.2.10/24")}), nil},
	{"192.0.2.300", nil, []string{"general: VRRP parsed invalid IP 192.0.2.300. skipping IP..."}},
	{"2001:db8::zz", nil, []string{"general: VRRP parsed invalid IP 2001:db8::zz. skipping IP..."}},
	{"foo", nil, []string{"general: VRRP parsed invalid IP foo. skipping IP..."}},
	{"192.0.2.10/24 192.0.2.11", addrAt(Address{Prefix: pfx("192.0.2.10/24")}),
		[]string{"general: Unknown configuration entry '192.0.2.11' for ip address - ignoring"}},
	{"192.0.2.10/24 foo", addrAt(Address{Prefix: pfx("192.0.2.10/24")}),
		[]string{"general: Unknown configuration entry 'foo' for ip address - ignoring"}},
	{"192.0.2.10/24 dev eth1", addrAt(Address{Prefix: pfx("192.0.2.10/24"), Dev: "eth1"}), nil},
	{"192.0.2.10/24 dev eth9", nil,
		[]string{"general: WARNING - interface eth9 for ip address 192.0.2.10/24 doesn't exist (cannot run)"}},
	{"192.0.2.10 dev eth0 dev eth1", nil,
		[]string{"general: Cannot specify ipaddress device more than once for 192.0.2.10"}},
	{"192.0.2.10/24 dev", nil, []string{"general: No dev parameter specified for 192.0.2.10/24"}},
	{"192.0.2.10/24 scope", nil, []string{"general: No scope parameter specified for 192.0.2.10/24"}},
	{"192.0.2.10 label", nil, []string{"general: No label parameter specified for 192.0.2.10"}},
	{"192.0.2.10/24 scope link", addrAt(Address{Prefix: pfx("192.0.2.10/24"), Scope: 253}), nil},
	{"192.0.2.10/24 scope 0x10", addrAt(Address{Prefix: pfx("192.0.2.10/24"), Scope: 16}), nil},
	{"192.0.2.10/24 scope 010", addrAt(Address{Prefix: pfx("192.0.2.10/24"), Scope: 8}), nil},
	{"192.0.2.10/24 scope 254", addrAt(Address{Prefix: pfx("192.0.2.10/24"), Scope: 254}), nil},
	{"192.0.2.10/24 scope global", addrAt(Address{Prefix: pfx("192.0.2.10/24")}), nil},
	{"192.0.2.10/24 scope bogus", addrAt(Address{Prefix: pfx("192.0.2.10/24")}),
		[]string{"general: Invalid scope 'bogus' specified for 192.0.2.10/24 - ignoring"}},
	{"192.0.2.10/24 scope 256", addrAt(Address{Prefix: pfx("192.0.2.10/24")}),
		[]string{"general: Invalid scope '256' specified for 192.0.2.10/24 - ignoring"}},
	{"2001:db8::5/64 scope link", addrAt(Address{Prefix: pfx("2001:db8::5/64"), PreferredLft: "forever"}),
		[]string{"general: Cannot specify scope for IPv6 addresses (2001:db8::5/64) - ignoring scope"}},
	{"2001:db8::5/64 label eth0:1", addrAt(Address{Prefix: pfx("2001:db8::5/64"), PreferredLft: "forever"}),
		[]string{"general: Cannot specify label for IPv6 addresses (2001:db8::5/64) - ignoring label"}},
	{"192.0.2.14/24 label eth0:abcdefghij", addrAt(Address{Prefix: pfx("192.0.2.14/24"), Label: "eth0:abcdefghij"}), nil},
	{"192.0.2.14/24 label eth0:abcdefghijk foo", nil,
		[]string{"general: Address label eth0:abcdefghijk is longer than maximum length 15 - removing address"}},
	{`192.0.2.14/24 label "eth0 1"`, addrAt(Address{Prefix: pfx("192.0.2.14/24"), Label: "eth0 1"}), nil},
	{"192.0.2.13/24 brd +", addrAt(Address{Prefix: pfx("192.0.2.13/24"), Broadcast: ip("192.0.2.255")}), nil},
	{"192.0.2.15/24 brd -", addrAt(Address{Prefix: pfx("192.0.2.15/24"), Broadcast: ip("192.0.2.0")}), nil},
	{"192.0.2.15/30 broadcast +", addrAt(Address{Prefix: pfx("192.0.2.15/30"), Broadcast: ip("192.0.2.15")}), nil},
	{"192.0.2.16/31 brd +", addrAt(Address{Prefix: pfx("192.0.2.16/31")}),
		[]string{"general: Address prefix length 31 too long for broadcast"}},
	{"192.0.2.10/24 broadcast 192.0.2.255", addrAt(Address{Prefix: pfx("192.0.2.10/24"), Broadcast: ip("192.0.2.255")}), nil},
	{"192.0.2.10/24 brd 192.0.2.300", nil,
		[]string{"general: VRRP is trying to assign invalid broadcast 192.0.2.300. skipping VIP..."}},
	{"2001:db8::5/64 brd +", nil,
		[]string{"general: VRRP is trying to assign a broadcast brd to the IPv6 address 2001:db8::5/64 !!?? WTF... skipping VIP..."}},
	{"192.0.2.17 peer 192.0.2.18", addrAt(Address{Prefix: pfx("192.0.2.17/32"), Peer: ip("192.0.2.18")}), nil},
	{"192.0.2.17/24 peer 192.0.2.18", addrAt(Address{Prefix: pfx("192.0.2.17/32"), Peer: ip("192.0.2.18")}),
		[]string{"general: Cannot specify address prefix when specifying peer address - ignoring"}},
	{"192.0.2.17 peer 192.0.2.18/24", addrAt(Address{Prefix: pfx("192.0.2.17/32")}),
		[]string{"general: VRRP parsed invalid IP 192.0.2.18/24. skipping IP...", "general: Invalid peer address 192.0.2.18/24"}},
	{"192.0.2.17 peer 2001:db8::1", addrAt(Address{Prefix: pfx("192.0.2.17/32")}),
		[]string{"general: Peer address 2001:db8::1 does not match address family"}},
	{"192.0.2.17 peer 192.0.2.18 peer 192.0.2.19", addrAt(Address{Prefix: pfx("192.0.2.17/32"), Peer: ip("192.0.2.18")}),
		[]string{"general: Peer 192.0.2.19 - another peer has already been specified",
			"general: Unknown configuration entry '192.0.2.19' for ip address - ignoring"}},
	{"192.0.2.16 peer 192.0.2.17 brd +", addrAt(Address{Prefix: pfx("192.0.2.16/32"), Peer: ip("192.0.2.17")}),
		[]string{"general: Cannot specify broadcast and peer addresses - ignoring broadcast address"}},
	{"2001:db8::15/64 peer 2001:db8::16", addrAt(Address{Prefix: pfx("2001:db8::15/128"), Peer: ip("2001:db8::16"), PreferredLft: "0"}),
		[]string{"general: Cannot specify address prefix when specifying peer address - ignoring"}},
	{"192.0.2.19/24 home -nodad mngtmpaddr noprefixroute autojoin no_track preferred_lft 30 use_vmac",
		addrAt(Address{Prefix: pfx("192.0.2.19/24"), Home: true, NoDAD: true, MngTmpAddr: true, NoPrefixRoute: true,
			AutoJoin: true, NoTrack: true, PreferredLft: "30", UseVMAC: true}), nil},
	{"2001:db8::12 preferred_lft forever", addrAt(Address{Prefix: pfx("2001:db8::12/128"), PreferredLft: "forever"}), nil},
	{"2001:db8::13/64 preferred_lft 0", addrAt(Address{Prefix: pfx("2001:db8::13/64"), PreferredLft: "0"}), nil},
	{"2001:db8::14/64 preferred_lft 4294967295", addrAt(Address{Prefix: pfx("2001:db8::14/64"), PreferredLft: "forever"}), nil},
	{"192.0.2.10 preferred_lft x", addrAt(Address{Prefix: pfx("192.0.2.10/32")}),
		[]string{"general: preferred_lft x is invalid"}},
	{"192.0.2.10 preferred_lft 4294967296", addrAt(Address{Prefix: pfx("192.0.2.10/32")}),
		[]string{"general: preferred_lft 4294967296 is invalid"}},
	{"192.0.2.10 track_group TG1", addrAt(Address{Prefix: pfx("192.0.2.10/32")}),
		[]string{"general: Unknown configuration entry 'track_group' for ip address - ignoring",
			"general: Unknown configuration entry 'TG1' for ip address - ignoring"}},
	{"192.0.2.10 use_vmac foo", addrAt(Address{Prefix: pfx("192.0.2.10/32"), UseVMAC: true}),
		[]string{"general: Unknown configuration entry 'foo' for ip address - ignoring"}},
}

// Cases verified against keepalived 2.2.7 in static_ipaddress, with
// track_group TG1 defined and eth0 the default interface.
var staticAddrCases = []addrCase{
	{"192.0.2.50/24 dev eth0 track_group TG1", addrAt(Address{Prefix: pfx("192.0.2.50/24"), Dev: "eth0", TrackGroup: "TG1"}), nil},
	{"192.0.2.51/24 track_group TG1", addrAt(Address{Prefix: pfx("192.0.2.51/24"), Dev: "eth0", TrackGroup: "TG1"}), nil},
	{"192.0.2.52/24 dev eth1 use_vmac", addrAt(Address{Prefix: pfx("192.0.2.52/24"), Dev: "eth1"}),
		[]string{"general: Unknown configuration entry 'use_vmac' for ip address - ignoring"}},
	{"192.0.2.53/24 dev eth0 track_group NOPE", addrAt(Address{Prefix: pfx("192.0.2.53/24"), Dev: "eth0"}),
		[]string{"general: track_group NOPE not found"}},
	{"192.0.2.54/24 dev eth0 track_group TG1 track_group TG1 foo", addrAt(Address{Prefix: pfx("192.0.2.54/24"), Dev: "eth0", TrackGroup: "TG1"}),
		[]string{"general: track_group TG1 is a duplicate"}},
	{"192.0.2.55/24 dev eth0 track_group TG1 no_track", addrAt(Address{Prefix: pfx("192.0.2.55/24"), Dev: "eth0", TrackGroup: "TG1", NoTrack: true}),
		[]string{"note: Static address has both track_group and no_track set - not tracking"}},
	{"192.0.2.56/24 track_group", nil, []string{"general: No track_group parameter specified for 192.0.2.56/24"}},
}

func runAddrCases(t *testing.T, cases []addrCase, static bool) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			l := newAddrLowerer(newAddrEnv("eth0", "eth1"))
			got := l.parseAddress(addrNode(tc.line), static)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseAddress(%q):\n got  %+v\n want %+v", tc.line, got, tc.want)
			}
			checkDiags(t, l.diags, tc.diags)
			if got == nil {
				return
			}
			text := got.String()
			l2 := newAddrLowerer(newAddrEnv("eth0", "eth1"))
			again := l2.parseAddress(addrNode(text), static)
			if !reflect.DeepEqual(again, got) {
				t.Errorf("round trip of %q via %q:\n got  %+v\n want %+v (%v)", tc.line, text, again, got, diagLines(l2.diags))
			}
		})
	}
}

func TestParseAddressVirtual(t *testing.T) { runAddrCases(t, virtualAddrCases, false) }

func TestParseAddressStatic(t *testing.T) { runAddrCases(t, staticAddrCases, true) }

// A static address without dev needs the default interface to exist:
// keepalived -t exits 4 (CONFIG_FATAL).
func TestParseAddressStaticNoDefaultInterface(t *testing.T) {
	l := newAddrLowerer(newAddrEnv("eth0"))
	l.cfg.Global.DefaultInterface = "eth7"
	if a := l.parseAddress(addrNode("192.0.2.60/24"), true); a != nil {
		t.Fatalf("got %+v, want the address dropped", a)
	}
	checkDiags(t, l.diags, []string{"fatal: Static address 192.0.2.60/24 requires either an interface or default interface must exist (cannot run)"})
	if got := l.diags.ExitCode(); got != ExitCannotRun {
		t.Errorf("exit code %d, want %d", got, ExitCannotRun)
	}
}

// With dynamic_interfaces, keepalived accepts interfaces that do not exist
// yet.
func TestParseAddressDynamicInterfaces(t *testing.T) {
	l := newAddrLowerer(newAddrEnv())
	l.cfg.Global.DynamicInterfaces = true
	got := l.parseAddress(addrNode("192.0.2.10/24 dev eth9"), false)
	want := addrAt(Address{Prefix: pfx("192.0.2.10/24"), Dev: "eth9"})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	checkDiags(t, l.diags, nil)
}

// A missing interface is an error keepalived -t gives 5 for, but the
// daemon refuses to run ("Non-existent interface specified").
func TestParseAddressMissingInterfaceExitCode(t *testing.T) {
	l := newAddrLowerer(newAddrEnv("eth0"))
	l.parseAddress(addrNode("192.0.2.10/24 dev eth9"), false)
	if got := l.diags.ExitCode(); got != ExitConfigError {
		t.Errorf("exit code %d, want %d", got, ExitConfigError)
	}
	if !l.diags.CannotRun() {
		t.Error("CannotRun false, want true")
	}
}

func TestLowerStaticAddresses(t *testing.T) {
	l := newAddrLowerer(newAddrEnv("eth0", "eth1"))
	n := addrNode("static_ipaddress")
	n.HasBlock = true
	n.Children = []*Node{addrNode("192.0.2.1/24 dev eth1"), addrNode("192.0.2.300"), addrNode("192.0.2.2/24")}
	l.lowerStaticAddresses(n)
	var got []string
	for _, a := range l.cfg.StaticAddresses {
		got = append(got, a.String())
	}
	want := []string{"192.0.2.1/24 dev eth1", "192.0.2.2/24 dev eth0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("static addresses %q, want %q", got, want)
	}
	checkDiags(t, l.diags, []string{"general: VRRP parsed invalid IP 192.0.2.300. skipping IP..."})
}

func TestAddressString(t *testing.T) {
	a := &Address{Prefix: pfx("192.0.2.1/24"), Dev: "eth0", Scope: 253, Broadcast: ip("192.0.2.255"),
		Label: "eth0 x", Home: true, NoTrack: true, PreferredLft: "forever", TrackGroup: "TG1"}
	want := `192.0.2.1/24 dev eth0 scope 253 brd 192.0.2.255 label "eth0 x" home no_track preferred_lft forever track_group TG1`
	if got := a.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// Through the whole front end, a static entry finds a track_group defined
// before it, and not one defined after it (keepalived resolves the name
// while parsing).
func TestStaticTrackGroupOrder(t *testing.T) {
	conf := `static_ipaddress {
  192.0.2.1/24 dev eth0 track_group TG2
}
track_group TG2 {
  group {
    VI_1
  }
}
static_ipaddress {
  192.0.2.2/24 dev eth0 track_group TG2
}
static_routes {
  198.51.100.0/24 dev eth0 track_group TG2
}
static_rules {
  from 192.0.2.0/24 table 1 preference 5 iif eth0 track_group TG2
}
`
	path := t.TempDir() + "/k.conf"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(path, Options{Env: newTestEnv("eth0")})
	var got []string
	for _, a := range cfg.StaticAddresses {
		got = append(got, a.TrackGroup)
	}
	for _, r := range cfg.StaticRoutes {
		got = append(got, r.TrackGroup)
	}
	for _, r := range cfg.StaticRules {
		got = append(got, r.TrackGroup)
	}
	if want := []string{"", "TG2", "TG2", "TG2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("track groups %q, want %q", got, want)
	}
	var notFound []string
	for _, d := range diags {
		if strings.HasPrefix(d.Msg, "track_group TG2") {
			notFound = append(notFound, d.Msg)
		}
	}
	if want := []string{"track_group TG2 not found"}; !reflect.DeepEqual(notFound, want) {
		t.Errorf("track_group messages %q, want %q", notFound, want)
	}
}
