package confparse

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// keepalivedNumberMsg matches the messages of keepalived's number readers,
// which it prints before its own message about the same word; the parsers
// give one message per problem and leave these out.
var keepalivedNumberMsg = regexp.MustCompile(`^(invalid number '|negative number '|number '.*' (outside|has too many))`)

// blockLines is one keepalived configuration that holds test lines in one
// block, and the line number each test line got.
type blockLines struct {
	text  strings.Builder
	lines []int
	n     int
}

func (b *blockLines) add(s string) int {
	b.text.WriteString(s + "\n")
	b.n++
	return b.n
}

// buildBlockConf writes lines into block, inside a vrrp_instance for the
// virtual blocks or at top level after a track group TG1 for static ones.
func buildBlockConf(block string, lines []string) *blockLines {
	b := &blockLines{}
	static := strings.HasPrefix(block, "static_")
	if static {
		for _, s := range []string{"track_group TG1 {", " group {", "  VI_1", " }", "}", block + " {"} {
			b.add(s)
		}
		for _, l := range lines {
			b.lines = append(b.lines, b.add("  "+l))
		}
		b.add("}")
	}
	for _, s := range []string{"vrrp_instance VI_1 {", " interface eth0", " virtual_router_id 51", " virtual_ipaddress {", "  192.0.2.200", " }"} {
		b.add(s)
	}
	if !static {
		b.add(" " + block + " {")
		for _, l := range lines {
			b.lines = append(b.lines, b.add("  "+l))
		}
		b.add(" }")
	}
	b.add("}")
	return b
}

// keepalivedSays runs keepalived -P -t over conf in ns and returns its
// messages by line, without those of its number readers.
func keepalivedSays(t *testing.T, ns *nstest.Netns, conf string) map[int][]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "k.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := ns.Command(t.Context(), "keepalived", "-P", "-t", "-f", path).CombinedOutput()
	got := map[int][]string{}
	for _, line := range strings.Split(string(out), "\n") {
		m := keepalivedLine.FindStringSubmatch(line)
		if m == nil || keepalivedNumberMsg.MatchString(m[2]) {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		got[n] = append(got[n], m[2])
	}
	return got
}

// printedDiags are the messages of the cases' diagnostics that keepalived
// -t prints: all but notes.
func printedDiags(want []string) []string {
	var out []string
	for _, w := range want {
		if strings.HasPrefix(w, "note: ") {
			continue
		}
		w = strings.TrimSuffix(w, " (cannot run)")
		out = append(out, w[strings.Index(w, ": ")+2:])
	}
	return out
}

type integrationCase struct {
	line  string
	diags []string
}

// checkAgainstKeepalived runs the lines through keepalived -t, in one
// configuration for all but those keepalived stops at (a missing
// parameter), and compares its messages on each line with the cases'.
func checkAgainstKeepalived(t *testing.T, ns *nstest.Netns, block string, cases []integrationCase) {
	t.Helper()
	var batch []integrationCase
	for _, c := range cases {
		if strings.Contains(strings.Join(c.diags, "\n"), "missing a parameter") {
			compareCases(t, ns, block, []integrationCase{c})
			continue
		}
		batch = append(batch, c)
	}
	compareCases(t, ns, block, batch)
}

func compareCases(t *testing.T, ns *nstest.Netns, block string, cases []integrationCase) {
	t.Helper()
	var lines []string
	for _, c := range cases {
		lines = append(lines, c.line)
	}
	conf := buildBlockConf(block, lines)
	got := keepalivedSays(t, ns, conf.text.String())
	for i, c := range cases {
		want := printedDiags(c.diags)
		if g := got[conf.lines[i]]; !reflect.DeepEqual(g, want) && (len(g) > 0 || len(want) > 0) {
			t.Errorf("%s line %q: keepalived -t says %q, the parser %q", block, c.line, g, want)
		}
	}
}

// TestIntegrationAddressRouteRuleCases checks every case of the address,
// route and rule tables against the real keepalived 2.2.7.
func TestIntegrationAddressRouteRuleCases(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "ip", "keepalived")
	ns := nstest.NewNetns(t, "gka")
	nstest.AddLink(ns, "eth0", "192.0.2.1/24")
	nstest.AddLink(ns, "eth1")
	conv := func(get func(i int) (string, []string), n int) []integrationCase {
		out := make([]integrationCase, n)
		for i := range out {
			out[i].line, out[i].diags = get(i)
		}
		return out
	}
	tables := []struct {
		block string
		cases []integrationCase
	}{
		{"virtual_ipaddress_excluded", conv(func(i int) (string, []string) { return virtualAddrCases[i].line, virtualAddrCases[i].diags }, len(virtualAddrCases))},
		{"static_ipaddress", conv(func(i int) (string, []string) { return staticAddrCases[i].line, staticAddrCases[i].diags }, len(staticAddrCases))},
		{"virtual_routes", conv(func(i int) (string, []string) { return virtualRouteCases[i].line, virtualRouteCases[i].diags }, len(virtualRouteCases))},
		{"static_routes", conv(func(i int) (string, []string) { return staticRouteCases[i].line, staticRouteCases[i].diags }, len(staticRouteCases))},
		{"virtual_rules", conv(func(i int) (string, []string) { return virtualRuleCases[i].line, virtualRuleCases[i].diags }, len(virtualRuleCases))},
		{"static_rules", conv(func(i int) (string, []string) { return staticRuleCases[i].line, staticRuleCases[i].diags }, len(staticRuleCases))},
	}
	for _, tb := range tables {
		t.Run(tb.block, func(t *testing.T) {
			checkAgainstKeepalived(t, ns, tb.block, tb.cases)
		})
	}
}
