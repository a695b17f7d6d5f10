package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/exportertest"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// exporterVersions parses a `keepalived -v` output the two ways
// mehdy/keepalived-exporter has done it, and returns both results: the
// current ParseVersion (internal/types/utils/version.go: the text before the
// first newline, which must exist) and the older getKeepalivedVersion
// (internal/collector/utils.go: the line with its newline). Each splits the
// line at single spaces and takes the second word minus its first
// character.
func exporterVersions(t *testing.T, output string) (current, older []int) {
	t.Helper()
	parse := func(line string) []int {
		args := strings.Split(line, " ")
		if len(args) < 2 || args[1] == "" {
			t.Fatalf("first line %q: fewer than two words", line)
		}
		v, err := exportertest.VersionWord(args[1][1:])
		if err != nil {
			t.Fatalf("first line %q: %v, to hashicorp/go-version", line, err)
		}
		return v
	}
	first, _, ok := strings.Cut(output, "\n")
	if !ok {
		t.Fatalf("output %q has no newline", output)
	}
	return parse(first), parse(first + "\n")
}

func TestVersionOutput(t *testing.T) {
	for _, flag := range []string{"-v", "--version"} {
		code, stdout, stderr := runArgs(t, flag)
		if code != 0 {
			t.Errorf("%s: exit code %d, want 0 as keepalived", flag, code)
		}
		if stdout != "" {
			t.Errorf("%s: stdout %q, want nothing: keepalived writes -v to stderr", flag, stdout)
		}
		want := "Keepalived v2.2.7 (gokeepalived " + programVersion + ")\n\n"
		if !strings.HasPrefix(stderr, want) {
			t.Errorf("%s: stderr %q, want it to start %q", flag, stderr, want)
		}
		if !strings.Contains(stderr, "\ngokeepalived "+programVersion+", a keepalived-compatible VRRP daemon") {
			t.Errorf("%s: stderr %q does not say what it is", flag, stderr)
		}
		lines := versionLines(stderr)
		if got := lines["configure options:"]; got != "--enable-json" {
			t.Errorf("%s: configure options %q, want --enable-json alone", flag, got)
		}
		if got := lines["Config options:"]; got != "VRRP VRRP_AUTH VRRP_VMAC JSON SYSTEMD_NOTIFY" {
			t.Errorf("%s: Config options %q", flag, got)
		}
		if !strings.HasSuffix(stderr, "\n\nConfig options:  "+lines["Config options:"]+"\n") {
			t.Errorf("%s: stderr %q does not end with keepalived's blank line and Config options line", flag, stderr)
		}
	}
}

// versionLines maps the labelled lines of a -v output ("Running on",
// "Distro:", "configure options:", "Config options:", "Built with") to the
// rest of the line, spaces trimmed.
func versionLines(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		for _, label := range []string{"Running on", "Distro:", "configure options:", "Config options:", "System options:", "Built with"} {
			if v, ok := strings.CutPrefix(l, label); ok {
				m[label] = strings.TrimSpace(v)
			}
		}
	}
	return m
}

// TestVersionJSONSupport runs mehdy/keepalived-exporter's check for --ka.json
// (internal/types/host, HasJSONSignalSupport): `keepalived --version`'s
// stdout and stderr together must contain "--enable-json", or the exporter
// exits at start ("Keepalived does not support JSON signal").
func TestVersionJSONSupport(t *testing.T) {
	_, stdout, stderr := runArgs(t, "--version")
	if !strings.Contains(stdout+stderr, "--enable-json") {
		t.Errorf("--version says %q: mehdy/keepalived-exporter --ka.json would refuse to start", stdout+stderr)
	}
}

// TestVersionAsKeepalived runs this binary through a link named keepalived,
// as the compatibility package installs it (/usr/sbin/keepalived), and
// requires the same answers as under its own name: the exporters run
// `keepalived -v`, `keepalived --version` and `keepalived --signum=NAME`.
func TestVersionAsKeepalived(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "keepalived")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-v"}, {"--version"}, {"--signum=DATA"}, {"--signum=STATS"}, {"--signum=JSON"}} {
		code, stdout, stderr := runArgs(t, args...)
		cmd := exec.Command(link, args...)
		cmd.Env = append(os.Environ(), "GOKEEPALIVED_TEST_MAIN=1")
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		if err != nil || code != 0 || o.String() != stdout || e.String() != stderr {
			t.Errorf("keepalived %s: %v, stdout %q, stderr %q; as gokeepalived: exit %d, stdout %q, stderr %q",
				strings.Join(args, " "), err, o.String(), e.String(), code, stdout, stderr)
		}
	}
}

func TestVersionParsedByExporters(t *testing.T) {
	_, _, stderr := runArgs(t, "-v")
	current, older := exporterVersions(t, stderr)
	for _, v := range [][]int{current, older} {
		if !slices.Equal(v, []int{2, 2, 7}) {
			t.Errorf("exporters read version %v from %q, want 2.2.7", v, stderr)
		}
		// mehdy/keepalived-exporter internal/types/utils/signals.go and
		// vrrp.go: --signum from 1.3.8, script states from 1.4.0.
		if !exportertest.AtLeast(v, 1, 3, 8) || !exportertest.AtLeast(v, 1, 4, 0) {
			t.Errorf("version %v: the exporter would not use --signum and script states", v)
		}
	}
}

// TestVersionMatchesKeepalived checks that gokeepalived reports the release
// of the keepalived it is tested against, parsed the exporters' way from the
// real `keepalived -v` (stderr, exit 0).
func TestVersionMatchesKeepalived(t *testing.T) {
	nstest.RequireBinaries(t, "keepalived")
	cmd := exec.Command("keepalived", "-v")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("keepalived -v: %v", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("keepalived -v wrote %q to stdout; gokeepalived writes nothing there", stdout.String())
	}
	ka, _ := exporterVersions(t, stderr.String())
	_, _, ours := runArgs(t, "-v")
	gk, _ := exporterVersions(t, ours)
	if !slices.Equal(ka, gk) {
		t.Errorf("keepalived -v says %v, gokeepalived -v says %v", ka, gk)
	}
	// The same shape: the system lines as keepalived prints them, and
	// options in keepalived's words, each one keepalived has.
	kaLines, gkLines := versionLines(stderr.String()), versionLines(ours)
	for _, label := range []string{"Running on", "Distro:"} {
		if kaLines[label] != gkLines[label] {
			t.Errorf("%s: keepalived %q, gokeepalived %q", label, kaLines[label], gkLines[label])
		}
	}
	for _, label := range []string{"configure options:", "Config options:"} {
		have := strings.Fields(kaLines[label])
		for _, opt := range strings.Fields(gkLines[label]) {
			if !slices.Contains(have, opt) {
				t.Errorf("%s: gokeepalived says %s, which keepalived's %q does not have", label, opt, kaLines[label])
			}
		}
	}
}
