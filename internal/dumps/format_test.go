package dumps

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// TestCommandString resolves links in the program's directory but not the
// program's own link, as keepalived 2.2.7 does (measured: /bin/true prints
// as /usr/bin/true, /usr/bin/sh stays /usr/bin/sh), and quotes every word.
func TestCommandString(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "sub")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, "ldir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.sh", filepath.Join(real, "link.sh")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "ldir", "link.sh"), "a b", `c\d`}, "'" + filepath.Join(real, "link.sh") + "' 'a b' 'c\\d'"},
		{[]string{dir + "//sub/./x.sh"}, "'" + filepath.Join(real, "x.sh") + "'"},
		{[]string{"/nonexistent/dir/x.sh", "it's"}, "'/nonexistent/dir/x.sh' 'it's'"},
	} {
		if got := CommandString(&config.Command{Args: tc.args}); got != tc.want {
			t.Errorf("CommandString(%q) = %s, want %s", tc.args, got, tc.want)
		}
	}
	if got := CommandString(nil); got != "" {
		t.Errorf("CommandString(nil) = %q", got)
	}
}

// TestNumbers checks the number formats of the JSON dump: C's %g for
// intervals and %f for the transition time.
func TestNumbers(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1", 500 * time.Millisecond: "0.5", 50 * time.Millisecond: "0.05",
		255 * time.Second: "255", 2500 * time.Millisecond: "2.5", 0: "0", 1234567 * time.Second: "1.23457e+06",
	} {
		if got := gText(d); got != want {
			t.Errorf("gText(%v) = %s, want %s", d, got, want)
		}
	}
	if got := epochText(time.Unix(1795332598, 276542999)); got != "1795332598.276542" {
		t.Errorf("epochText = %s", got)
	}
	if got := epochText(time.Time{}); got != "0.000000" {
		t.Errorf("epochText(zero) = %s", got)
	}
}

// TestRTT checks the rtt, rttvar and rto_min conversions keepalived 2.2.7
// printed (measured: rttvar 100ms prints as 200ms).
func TestRTT(t *testing.T) {
	for _, tc := range []struct{ kw, in, want string }{
		{"rtt", "2s", "2s"}, {"rtt", "300ms", "300ms"}, {"rttvar", "100ms", "200ms"},
		{"rttvar", "3s", "3s"}, {"rto_min", "1s", "1s"}, {"rto_min", "200ms", "200ms"},
		{"rtt", "1.5s", "1.5s"}, {"rto_min", "500000us", "500ms"},
	} {
		if got := rttText(tc.kw, tc.in); got != tc.want {
			t.Errorf("%s %s prints as %s, want %s", tc.kw, tc.in, got, tc.want)
		}
	}
}

// TestNames names a number by the file first, then by keepalived's
// built-in names (hidden where the file gives the number another name),
// and a number without a name stays a number.
func TestNames(t *testing.T) {
	n := &names{read: func(file string) []rtnames.Entry {
		if file == "rt_scopes" {
			return []rtnames.Entry{{ID: 42, Name: "mine"}, {ID: 253, Name: "lnk"}}
		}
		return nil
	}}
	for _, tc := range []struct {
		id   uint32
		want string
	}{{42, "mine"}, {253, "lnk"}, {254, "host"}, {0, "global"}, {7, "7"}} {
		if got := n.name("rt_scopes", tc.id); got != tc.want {
			t.Errorf("name(rt_scopes, %d) = %s, want %s", tc.id, got, tc.want)
		}
	}
	a := &config.Address{Prefix: netip.MustParsePrefix("192.0.2.1/24"), Scope: 253}
	if got := formatAddress(n, a, "eth0", false); got != "192.0.2.1/24 dev eth0 scope lnk" {
		t.Errorf("address with scope 253 prints as %q", got)
	}
}

// TestVMACAddresses prints the addresses on the instance's interface as
// living on the VMAC, the others as configured.
func TestVMACAddresses(t *testing.T) {
	cfg := loadConfig(t, "full-a", scriptDir)
	in := Instance{Config: cfg.Instances[0], VMACName: "vrrp.51", VIPSet: true}
	got := addressLines(builtinOnly(), &in, cfg.Instances[0].EVIPs, nil)
	want := []string{"198.51.100.1/24 dev vrrp.51@eth0 scope global set", "203.0.113.5 dev eth1 scope global set"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestFormatGivenZeros prints what keepalived 2.2.7's format_iproute and
// format_iprule print for values given as 0 and for values not given: a
// route's tos, protocol and scope only when given, its table unless main,
// its type by name unless unicast ("0" for 0, which keepalived has no name
// for), realms as "realm T" unless the route's own have a FROM part; a
// rule's tos always, its suppress_ifgroup and ipproto when given.
func TestFormatGivenZeros(t *testing.T) {
	dst := netip.MustParsePrefix("198.51.100.0/24")
	for _, tc := range []struct {
		r    config.Route
		want string
	}{
		{config.Route{Type: -1, Dst: dst, Dev: "eth0", Tos: -1, Scope: -1, Table: -1, Metric: -1, Protocol: -1},
			"prepend 198.51.100.0/24 dev eth0"},
		{config.Route{Type: 0, Dst: dst, Dev: "eth0", Tos: 0, Scope: 0, Table: 0, Metric: 0, Protocol: 0},
			"add 0 198.51.100.0/24 tos 0 dev eth0 table 0 proto 0 scope 0 metric 0"},
		{config.Route{Type: 1, Dst: dst, Tos: -1, Scope: -1, Table: 254, Metric: -1, Protocol: 18},
			"add 198.51.100.0/24 proto 18"},
		{config.Route{Type: 3, Dst: dst, Tos: -1, Scope: -1, Table: 4294967295, Metric: -1, Protocol: -1},
			"add broadcast 198.51.100.0/24 table 4294967295"},
		{config.Route{Type: -1, Dst: dst, Tos: -1, Scope: -1, Table: -1, Metric: -1, Protocol: -1, Realms: 5,
			Nexthops: []config.Nexthop{{Dev: "eth0", Realms: 3<<16 | 4}}},
			"prepend 198.51.100.0/24 realm 5 nexthop dev eth0 realm 4"},
		{config.Route{Type: -1, Dst: dst, Tos: -1, Scope: -1, Table: -1, Metric: -1, Protocol: -1, Realms: 1<<16 | 2,
			Nexthops: []config.Nexthop{{Dev: "eth0", Realms: 3}}},
			"prepend 198.51.100.0/24 realms 1/2 nexthop dev eth0 realms 0/3"},
	} {
		if got := FormatRoute(&tc.r); got != tc.want {
			t.Errorf("route %s prints as\n%q, want\n%q", &tc.r, got, tc.want)
		}
	}
	rule := config.Rule{Family: config.IPv4, From: netip.MustParsePrefix("192.0.2.0/24"), Preference: 10, Action: "lookup",
		Table: 100, Protocol: -1, IPProto: 0, SuppressPrefixLength: -1, SuppressIfgroup: 0}
	if got, want := FormatRule(&rule), "from 192.0.2.0/24 priority 10 tos 0x0 suppress_ifgroup 0 ipproto 0 lookup 100"; got != want {
		t.Errorf("rule prints as %q, want %q", got, want)
	}
	rule.IPProto, rule.SuppressIfgroup, rule.Tos, rule.Realms = -1, -1, 0x28, 7
	if got, want := FormatRule(&rule), "from 192.0.2.0/24 priority 10 tos 0x28 realms 0/7 lookup 100"; got != want {
		t.Errorf("rule prints as %q, want %q", got, want)
	}
}
