package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/exportertest"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// exporterRounds is how many rounds of one text and one JSON scrape
// TestIntegrationExporterContract does per daemon. Whether a read right
// after a signal beats the daemon is a race on the machine's scheduling; at
// 20 rounds keepalived's text-mode count is 13 to 20 and gokeepalived's 7 to
// 15, too close at their ends to compare without flaking, so the test does
// more (about 10 s in all).
const exporterRounds = 100

// exporterInterval is the scrape interval, as an exporter scrapes: from a
// scrape's dumps to the same daemon's next scrape in the same mode. It
// matches bench/scrape's default.
const exporterInterval = 1100 * time.Millisecond

// TestIntegrationExporterContract holds gokeepalived, run through a command
// named keepalived as the compatibility package installs it, to the
// contract of mehdy/keepalived-exporter, beside Debian's keepalived 2.2.7 in
// the same test (see internal/exportertest for what the exporter does):
// both daemons run the same configuration, two instances and two
// vrrp_scripts, each in its own namespace with its own pidfiles and
// $TMPDIR. The exporter's start-up probes must find the same version,
// --enable-json and the same signals; then, once both have settled,
// interleaved rounds of a text scrape and a JSON scrape must read the same
// values from both daemons (states, interfaces, VRIDs, VIPs, every counter
// but the adverts sent, the scripts' status), never a part of a file from
// gokeepalived, and in text mode, the exporter's default, no more stale
// scrapes (values from a dump older than the scrape) than from keepalived,
// nor in all. The counts are logged.
func TestIntegrationExporterContract(t *testing.T) {
	nstest.RequireRoot(t)
	kaPath := nstest.RequireBinaries(t, "keepalived", "bash", "ip", "env", "go")[0]
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	daemons := []exportertest.Daemon{
		{Name: "keepalived", Bin: linkKeepalived(t, dir, kaPath)},
		{Name: "gokeepalived", Bin: buildCompatCommand(ctx, t, dir)},
	}
	var hosts []*exportertest.Host
	var probes []exportertest.Probe
	for _, d := range daemons {
		hdir := filepath.Join(dir, "host-"+d.Name)
		if err := os.Mkdir(hdir, 0o755); err != nil {
			t.Fatal(err)
		}
		h, err := exportertest.StartHost(ctx, d, hdir)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		t.Cleanup(func() {
			if t.Failed() && h.Proc != nil {
				t.Logf("output of %s:\n%s", d.Name, h.Proc.Output())
			}
			if err := h.Close(); err != nil {
				t.Errorf("%s: %v", d.Name, err)
			}
		})
		hosts = append(hosts, h)
		p, err := exportertest.RunProbe(ctx, h.Path(), true)
		if err != nil {
			t.Fatalf("the exporter's start-up against %s: %v", d.Name, err)
		}
		probes = append(probes, p)
	}
	ka, gk := probes[0], probes[1]
	if !slices.Equal(gk.Version, ka.Version) || !gk.JSON || gk.Signals["DATA"] != ka.Signals["DATA"] ||
		gk.Signals["STATS"] != ka.Signals["STATS"] || gk.Signals["JSON"] != ka.Signals["JSON"] {
		t.Errorf("the exporter's probes differ:\nkeepalived:   version %v, JSON %v, signals %v\ngokeepalived: version %v, JSON %v, signals %v",
			ka.Version, ka.JSON, ka.Signals, gk.Version, gk.JSON, gk.Signals)
	}
	checkCommandName(t, hosts[1])

	ms, err := exportertest.Measure(ctx, hosts, probes, exporterRounds, exporterInterval)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []exportertest.Mode{exportertest.Text, exportertest.JSON} {
		kt, gt := ms[0].Tallies[mode], ms[1].Tallies[mode]
		t.Logf("%s mode, keepalived:   %v", mode, kt)
		t.Logf("%s mode, gokeepalived: %v", mode, gt)
		if gt.Failed > 0 || gt.Short > 0 || gt.Unparsable > 0 {
			t.Errorf("%s mode: gokeepalived gave %d failed scrapes, %d short and %d unparsable reads, want none: its dumps are whole when they appear",
				mode, gt.Failed, gt.Short, gt.Unparsable)
		}
		checkSameValues(t, mode, ms[0].Results[mode], ms[1].Results[mode])
	}
	kt, gt := ms[0].Tallies[exportertest.Text], ms[1].Tallies[exportertest.Text]
	if gt.Stale > kt.Stale {
		t.Errorf("text mode: %d of %d scrapes of gokeepalived were stale, more than keepalived's %d", gt.Stale, gt.Scrapes, kt.Stale)
	}
	kAll := kt.Stale + ms[0].Tallies[exportertest.JSON].Stale
	gAll := gt.Stale + ms[1].Tallies[exportertest.JSON].Stale
	t.Logf("stale scrapes in %d rounds of a text and a JSON scrape: keepalived %d (text %d), gokeepalived %d (text %d)",
		exporterRounds, kAll, kt.Stale, gAll, gt.Stale)
	if gAll > kAll {
		t.Errorf("%d scrapes of gokeepalived were stale, more than keepalived's %d", gAll, kAll)
	}
}

// linkKeepalived makes dir/keepalived/sbin holding a link to Debian's
// keepalived, and returns it.
func linkKeepalived(t *testing.T, dir, keepalived string) string {
	t.Helper()
	bin := filepath.Join(dir, "keepalived", "sbin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(keepalived)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(bin, "keepalived")); err != nil {
		t.Fatal(err)
	}
	return bin
}

// buildCompatCommand builds gokeepalived into dir/gokeepalived/sbin beside a
// link keepalived -> gokeepalived, as the packages install them, and
// returns the directory. The exporter runs the command, and the daemon is
// started through it, by the name keepalived.
func buildCompatCommand(ctx context.Context, t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "gokeepalived", "sbin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, "gokeepalived"), ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.Symlink("gokeepalived", filepath.Join(bin, "keepalived")); err != nil {
		t.Fatal(err)
	}
	return bin
}

// checkCommandName checks that the daemon started as keepalived is named
// keepalived where tools look for it: the command name (pidof, pgrep,
// /proc/PID/comm) and the first word of its command line, the basename of
// which gen2brain/keepalived_exporter matches in `ps -axwwo args` to find the
// process it signals.
func checkCommandName(t *testing.T, h *exportertest.Host) {
	t.Helper()
	pid := h.Proc.Pid
	comm, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "comm"))
	if err != nil {
		t.Fatal(err)
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		t.Fatal(err)
	}
	argv0, _, _ := strings.Cut(string(cmdline), "\x00")
	if strings.TrimSpace(string(comm)) != "keepalived" || filepath.Base(argv0) != "keepalived" {
		t.Errorf("gokeepalived started as keepalived has comm %q and argv[0] %q, want keepalived for both", comm, argv0)
	}
}

// checkSameValues requires every scrape of gokeepalived in mode to have read
// what keepalived's last whole scrape read.
func checkSameValues(t *testing.T, mode exportertest.Mode, ka, gk []exportertest.Result) {
	t.Helper()
	var want string
	for _, r := range slices.Backward(ka) {
		if ok, _ := exportertest.Steady(r, mode); ok {
			want = exportertest.Values(r)
			break
		}
	}
	if want == "" {
		t.Fatalf("%s mode: no scrape of keepalived read its steady state", mode)
	}
	for i, r := range gk {
		if got := exportertest.Values(r); got != want {
			t.Errorf("%s mode, scrape %d of gokeepalived read:\n%swant, as from keepalived:\n%s", mode, i+1, got, want)
			return
		}
	}
}
