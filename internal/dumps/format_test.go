package dumps

import (
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

// TestNames resolves names through the file first, then keepalived's
// built-in names, and numbers without a name stay numbers.
func TestNames(t *testing.T) {
	n := &names{read: func(file string) []rtnames.Entry {
		if file == "rt_scopes" {
			return []rtnames.Entry{{ID: 42, Name: "mine"}, {ID: 253, Name: "lnk"}}
		}
		return nil
	}}
	for _, tc := range []struct {
		file, word string
		want       uint64
	}{
		{"rt_scopes", "mine", 42}, {"rt_scopes", "host", 254}, {"rt_scopes", "0x10", 16},
		{"rt_tables", "main", 254}, {"protocols", "udp", 17},
	} {
		if got, ok := n.number(tc.file, tc.word); !ok || got != tc.want {
			t.Errorf("%s %s = %d, %v; want %d", tc.file, tc.word, got, ok, tc.want)
		}
	}
	if _, ok := n.number("rt_scopes", "link"); ok {
		t.Error("a built-in name whose number the file renames still resolves")
	}
	if got := n.name("rt_scopes", 253); got != "lnk" {
		t.Errorf("name(253) = %s", got)
	}
	if got := n.name("rt_scopes", 7); got != "7" {
		t.Errorf("name(7) = %s", got)
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
