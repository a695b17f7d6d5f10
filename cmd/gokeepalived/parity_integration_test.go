package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// samplesDir holds Debian's keepalived sample configurations. They are GPL:
// read at test time, never copied into the repository.
const samplesDir = "/usr/share/doc/keepalived/samples"

// deliberate lists the configurations where gokeepalived's -t exit code
// differs from keepalived 2.2.7's on purpose; README.md's table of
// differences gives the same reasons.
var deliberate = map[string]struct {
	ours, theirs int
	why          string
}{
	"keepalived.conf": {4, 0, "a missing main configuration file is not a pass: nothing would run"},
	"keepalived.conf.vrrp.localcheck": {6, 5, "keepalived -t stops checking at the first missing interface; " +
		"gokeepalived checks on and so also reports the scripts run without enable_script_security"},
}

// TestIntegrationCheckConfigParity runs `keepalived -t` and `gokeepalived -t`
// on every Debian sample config, every testdata config and the first use
// cases' configs (testdata/seedlike), in a namespace with interfaces eth0-eth2, and requires
// the same exit code apart from the listed deliberate differences.
func TestIntegrationCheckConfigParity(t *testing.T) {
	nstest.RequireRoot(t)
	bins := nstest.RequireBinaries(t, "ip", "keepalived")
	keepalived := bins[1]
	samples, _ := filepath.Glob(filepath.Join(samplesDir, "keepalived.conf.*"))
	if len(samples) < 20 {
		t.Fatalf("found %d sample configs in %s; the keepalived package should install 25", len(samples), samplesDir)
	}
	ours, _ := filepath.Glob("../../testdata/configs/*.conf")
	configs := append(samples, ours...)
	// A main config file that does not exist passes keepalived -t.
	configs = append(configs, "/nonexistent-gokeepalived/keepalived.conf")
	for _, s := range seedConfigs(t) {
		configs = append(configs, s.path)
	}

	ns := nstest.NewNetns(t, "parity")
	for _, ifname := range []string{"eth0", "eth1", "eth2"} {
		nstest.AddLink(ns, ifname)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, conf := range configs {
		abs, err := filepath.Abs(conf)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(conf)
		theirs, theirOut := checkExit(t, ns, nil, keepalived, "-t", "-i", "gk1", "-f", abs)
		mine, myOut := checkExit(t, ns, []string{"GOKEEPALIVED_TEST_MAIN=1"}, self, "-t", "-i", "gk1", "-f", abs)
		if d, ok := deliberate[name]; ok {
			if mine != d.ours || theirs != d.theirs {
				t.Errorf("%s: gokeepalived %d, keepalived %d; the listed deliberate difference is %d vs %d (%s)",
					name, mine, theirs, d.ours, d.theirs, d.why)
			}
			continue
		}
		if mine != theirs {
			t.Errorf("%s: gokeepalived -t exits %d, keepalived -t exits %d\n--- gokeepalived:\n%s--- keepalived:\n%s",
				name, mine, theirs, myOut, theirOut)
			continue
		}
		matched++
	}
	t.Logf("%d of %d configs: same exit code as keepalived 2.2.7; %d listed deliberate differences",
		matched, len(configs), len(deliberate))
}

// checkExit runs a config check inside ns and returns its exit code and
// output.
func checkExit(t *testing.T, ns *nstest.Netns, env []string, name string, args ...string) (int, string) {
	t.Helper()
	code, out, ok := exitOf(ns, env, name, args...)
	if !ok {
		t.Fatalf("%s %s: %s", name, strings.Join(args, " "), out)
	}
	return code, out
}
