package confparse

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// The sample configurations of Debian's keepalived package. They are GPL
// and are read where installed, never copied here.
const sampleDir = "/usr/share/doc/keepalived/samples/"

var sampleIfs = []string{"eth0", "eth1", "eth2", "eth3", "eth0.1"}

// ipMask hides the addresses of messages about the samples, whose
// addresses are not documentation ones.
var ipMask = regexp.MustCompile(`[0-9]+\.[0-9]+\.[0-9]+\.[0-9.]*(/[0-9]+)?`)

// sampleResult is what the address, route and rule parsers make of the
// address, route and rule lines of one sample file.
type sampleResult struct {
	diags []string       // "LINE: class: message", addresses masked
	kept  map[string]int // entries kept, by block keyword
	lines map[int]bool   // the lines of address, route and rule blocks
}

// lowerSample runs the parsers over the address, route and rule blocks of
// a sample, at top level and in vrrp_instance blocks.
func lowerSample(t *testing.T, path string) sampleResult {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("sample not installed: %v", err)
	}
	lines, rd := Read(path, ReadOptions{})
	balanced, bd := balance(lines)
	nodes, err := parseStatements(balanced)
	if err != nil || len(rd) > 0 || len(bd) > 0 {
		t.Fatalf("reading %s: %v %v %v", path, err, rd, bd)
	}
	l := newAddrLowerer(newAddrEnv(sampleIfs...))
	res := sampleResult{kept: map[string]int{}, lines: map[int]bool{}}
	var walk func(ns []*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			switch kw := n.Keyword(); kw {
			case "vrrp_instance":
				walk(n.Children)
			case "static_ipaddress", "virtual_ipaddress", "virtual_ipaddress_excluded",
				"static_routes", "virtual_routes", "static_rules", "virtual_rules":
				for _, c := range n.Children {
					res.lines[c.Pos().Line] = true
					if lowerSampleLine(l, kw, c) {
						res.kept[kw]++
					}
				}
			}
		}
	}
	walk(nodes)
	for _, d := range l.diags {
		res.diags = append(res.diags, fmt.Sprintf("%d: %s", d.Pos.Line, ipMask.ReplaceAllString(diagLines(Diagnostics{d})[0], "ADDR")))
	}
	return res
}

func lowerSampleLine(l *lowerer, kw string, c *Node) bool {
	static := kw[:6] == "static"
	switch kw {
	case "static_routes", "virtual_routes":
		return l.parseRoute(c, static) != nil
	case "static_rules", "virtual_rules":
		return l.parseRule(c, static) != nil
	}
	return l.parseAddress(c, static) != nil
}

type sampleCase struct {
	file  string
	kept  map[string]int
	diags []string
}

// What keepalived 2.2.7's -t says about the address, route and rule lines
// of the samples, run in a namespace with eth0..eth3 and eth0.1; every line
// not listed is accepted without a message.
var sampleCases = []sampleCase{
	{"keepalived.conf.vrrp.routes", map[string]int{"static_routes": 5, "virtual_ipaddress": 3, "virtual_routes": 7}, []string{
		"29: warning: Warning - cannot track route ADDR with no interface specified, not tracking",
		`30: deprecated: "or" for routes is deprecated. Please use "nexthop"`,
		"30: warning: Warning - cannot track route ADDR with no interface specified, not tracking",
		"31: warning: Warning - cannot track route ADDR with no interface specified, not tracking",
		`32: deprecated: "gw" for routes is deprecated. Please use "via"`,
		"32: warning: Warning - cannot track route ADDR with no interface specified, not tracking",
	}},
	{"keepalived.conf.vrrp.rules", map[string]int{"static_rules": 1, "virtual_ipaddress": 3, "virtual_rules": 1}, []string{
		"10: warning: Rule has no preference specified - setting to 16384. This is probably not what you want.",
		"11: general: VRRP parsed invalid IP ADDR. skipping IP...",
		"11: general: Invalid rule to address ADDR",
		"25: warning: Rule has no preference specified - setting to 16383. This is probably not what you want.",
		"26: general: VRRP parsed invalid IP ADDR. skipping IP...",
		"26: general: Invalid rule to address ADDR",
	}},
	{"keepalived.conf.vrrp.static_ipaddress", map[string]int{"static_ipaddress": 3, "virtual_ipaddress": 1, "virtual_routes": 4}, []string{
		"25: warning: Warning - cannot track route ADDR with no interface specified, not tracking",
	}},
	{"keepalived.conf.track_interface", map[string]int{"static_routes": 4, "virtual_ipaddress": 3, "virtual_routes": 3}, []string{
		"31: warning: Warning - cannot track route ADDR with no interface specified, not tracking",
	}},
}

func TestSampleAddressLines(t *testing.T) {
	for _, tc := range sampleCases {
		t.Run(tc.file, func(t *testing.T) {
			res := lowerSample(t, sampleDir+tc.file)
			if !reflect.DeepEqual(res.kept, tc.kept) {
				t.Errorf("kept %v, want %v", res.kept, tc.kept)
			}
			if !reflect.DeepEqual(res.diags, tc.diags) {
				t.Errorf("diagnostics:\n got  %q\n want %q", res.diags, tc.diags)
			}
		})
	}
}

// keepalivedLine is one message of keepalived -t: "(FILE: Line N) message".
var keepalivedLine = regexp.MustCompile(`^\(.*: Line ([0-9]+)\) (.*)$`)

// TestIntegrationSampleAddressLines runs the real keepalived -t over the
// samples and checks that it reports on their address, route and rule
// lines exactly the messages the parsers give.
func TestIntegrationSampleAddressLines(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "ip", "keepalived")
	for _, tc := range sampleCases {
		t.Run(tc.file, func(t *testing.T) {
			res := lowerSample(t, sampleDir+tc.file)
			ns := nstest.NewNetns(t, "gka")
			for _, name := range sampleIfs {
				nstest.AddLink(ns, name)
			}
			out, _ := ns.Command(t.Context(), "keepalived", "-P", "-t", "-f", sampleDir+tc.file).CombinedOutput()
			var got []string
			for _, line := range strings.Split(string(out), "\n") {
				m := keepalivedLine.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				if n, _ := strconv.Atoi(m[1]); res.lines[n] {
					got = append(got, m[1]+": "+ipMask.ReplaceAllString(m[2], "ADDR"))
				}
			}
			var want []string
			for _, d := range res.diags {
				want = append(want, stripClass(d))
			}
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("keepalived -t says\n %q\nthe parsers say\n %q", got, want)
			}
		})
	}
}

// stripClass turns "N: class: message" into "N: message".
func stripClass(d string) string {
	return regexp.MustCompile(`^([0-9]+): [a-z0-9]+: `).ReplaceAllString(d, "$1: ")
}
