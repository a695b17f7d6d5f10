package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/dumps"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// hostDumps are the JSON dump and the statistics one daemon wrote.
type hostDumps struct {
	json, stats string
}

// TestIntegrationDumpsMatchKeepalived runs the same two hosts, a MASTER and
// a BACKUP with a VIP, PASS authentication, a track_script and notify
// scripts, once under Debian's keepalived 2.2.7 and once under
// gokeepalived, each daemon with its own TMPDIR; asks every daemon for its
// statistics (SIGUSR2) and its JSON dump (SIGRTMIN+2); and requires
// gokeepalived's files to be keepalived's (reference §5.5, §6): the JSON
// byte for byte once the transition time (its format checked) and the
// counters are masked, the statistics line for line with the counters
// masked.
func TestIntegrationDumpsMatchKeepalived(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "keepalived")
	scripts := t.TempDir() // the same paths for both daemons: they are in the dumps
	for _, s := range []string{"chk.sh", "notify.sh"} {
		if err := os.WriteFile(filepath.Join(scripts, s), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var ka, gk map[string]hostDumps
	if !t.Run("keepalived", func(t *testing.T) { ka = dumpScenario(t, "keepalived", scripts) }) {
		t.Fatal("keepalived's half failed: nothing to compare with")
	}
	if !t.Run("gokeepalived", func(t *testing.T) { gk = dumpScenario(t, "gokeepalived", scripts) }) {
		t.Fatal("gokeepalived wrote no dumps to compare")
	}
	for _, role := range []string{"master", "backup"} {
		if want, got := maskJSON(t, ka[role].json), maskJSON(t, gk[role].json); got != want {
			t.Errorf("%s: gokeepalived's JSON dump differs from keepalived's at %s\nkeepalived:   %s\ngokeepalived: %s",
				role, firstDiff(want, got), want, got)
		}
		if want, got := maskDigits(ka[role].stats), maskDigits(gk[role].stats); got != want {
			t.Errorf("%s: gokeepalived's statistics differ from keepalived's\nkeepalived:\n%s\ngokeepalived:\n%s", role, want, got)
		}
	}
}

// dumpScenario runs the two hosts under daemon ("keepalived" or
// "gokeepalived") with the scripts in dir scripts and returns each role's
// dumps, taken once the master has sent and the backup received at least
// two adverts, so that the values compared have settled.
func dumpScenario(t *testing.T, daemon, scripts string) map[string]hostDumps {
	l := newLab(t)
	m := l.host("m", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	conf := func(state string, prio int) string {
		return "vrrp_script chk {\n    script \"" + filepath.Join(scripts, "chk.sh") + " arg\"\n    interval 1\n    weight 2\n}\n" +
			strings.Replace(instanceConf(51, prio, "192.0.2.100/24 label eth0:vip",
				"state "+state, "advert_int 1",
				"authentication {", "    auth_type PASS", "    auth_pass pw/1", "}",
				"track_script {", "    chk", "}",
				"track_interface {", "    eth0", "}",
				"notify_master \""+filepath.Join(scripts, "notify.sh")+" master\"",
				"notify "+filepath.Join(scripts, "notify.sh"),
			), "virtual_ipaddress {", "virtual_ipaddress_excluded {\n        198.51.100.1/24\n    }\n    virtual_ipaddress {", 1)
	}
	mTmp, bTmp := t.TempDir(), t.TempDir()
	m.startDumpDaemon(daemon, conf("MASTER", 150), mTmp)
	waitMaster(t, 15*time.Second, "192.0.2.100", m)
	b.startDumpDaemon(daemon, conf("BACKUP", 100), bTmp)
	b.proc.WaitOutput(t, 10*time.Second, "(VI_1) Entering BACKUP STATE")
	waitMaster(t, 10*time.Second, "192.0.2.100", m, b)
	out := map[string]hostDumps{}
	for _, r := range []struct {
		role, tmp, counter string
		h                  *host
	}{{"master", mTmp, "advert_sent", m}, {"backup", bTmp, "advert_rcvd", b}} {
		settled := regexp.MustCompile(`"` + r.counter + `":([2-9]|[1-9][0-9]+),`)
		d := hostDumps{json: readDump(t, daemon, r.h, dumps.SignalJSON, r.tmp, dumps.JSONFile, settled)}
		d.stats = readDump(t, daemon, r.h, dumps.SignalStats, r.tmp, dumps.StatsFile, nil)
		t.Logf("%s's %s: JSON %s", daemon, r.role, d.json)
		out[r.role] = d
	}
	return out
}

// startDumpDaemon starts keepalived or gokeepalived on conf, in the
// foreground, with TMPDIR set to tmp.
func (h *host) startDumpDaemon(daemon, conf, tmp string) {
	h.lab.t.Helper()
	p := h.writeConf(conf)
	pids := []string{"-f", p, "-p", p + ".pid", "-r", p + ".vrrp.pid"}
	if daemon == "keepalived" {
		h.proc = h.ns.Start(h.lab.t, "env", append([]string{"TMPDIR=" + tmp, "keepalived", "-n", "-l", "-D", "-P"}, pids...)...)
		return
	}
	h.proc = h.ns.Start(h.lab.t, "env", append([]string{"TMPDIR=" + tmp, "GOKEEPALIVED_TEST_MAIN=1", h.lab.self, "-n", "-l", "-D", "-G"}, pids...)...)
}

// readDump sends sig to the daemon's main process and returns the file it
// writes in tmp once complete (ending in a newline, unchanged since the
// previous poll, and for JSON valid) and, if until is given, once it
// matches until, asking again every half second.
func readDump(t *testing.T, daemon string, h *host, sig syscall.Signal, tmp, name string, until *regexp.Regexp) string {
	t.Helper()
	file := filepath.Join(tmp, name)
	var content string
	var asked time.Time
	err := nstest.Poll(context.Background(), 10*time.Second, 20*time.Millisecond, func() (bool, string) {
		if time.Since(asked) > 500*time.Millisecond {
			os.Remove(file)
			if err := h.proc.Signal(sig); err != nil {
				return false, err.Error()
			}
			asked, content = time.Now(), ""
		}
		b, err := os.ReadFile(file)
		previous := content
		content = string(b)
		done := err == nil && strings.HasSuffix(content, "\n") && content == previous &&
			(name != dumps.JSONFile || json.Valid(b)) && (until == nil || until.MatchString(content))
		return done, ""
	})
	if err != nil {
		t.Fatalf("%s (%s) wrote no complete %s within 10 s of signal %d (%v)%s; last read: %q",
			daemon, h.name, file, int(sig), sig, wiringHint(daemon), content)
	}
	return content
}

// wiringHint explains a missing gokeepalived dump.
func wiringHint(daemon string) string {
	if daemon != "gokeepalived" {
		return ""
	}
	return ": the daemon does not write its dumps yet; cmd/gokeepalived/daemon.go must handle SIGUSR2, SIGRTMIN+2 (36)," +
		" SIGRTMAX-1 (63) and SIGUSR1 with internal/dumps (WriteFile with WriteJSON, WriteStats, WriteData)"
}

// lastTransition is the one value of the JSON dump that differs between
// runs besides the counters; its format must be keepalived's "%f".
var lastTransition = regexp.MustCompile(`"last_transition":([^,]*),`)

// maskJSON checks the transition time's format and masks it, and masks the
// numbers of the "stats" objects.
func maskJSON(t *testing.T, s string) string {
	t.Helper()
	for _, m := range lastTransition.FindAllStringSubmatch(s, -1) {
		if !regexp.MustCompile(`^[0-9]{10}\.[0-9]{6}$`).MatchString(m[1]) {
			t.Errorf("last_transition %s is not keepalived's %%f of the epoch time", m[1])
		}
	}
	s = lastTransition.ReplaceAllString(s, `"last_transition":T,`)
	parts := strings.Split(s, `"stats":`)
	for i := 1; i < len(parts); i++ {
		parts[i] = maskDigits(parts[i])
	}
	return strings.Join(parts, `"stats":`)
}

func maskDigits(s string) string { return regexp.MustCompile(`[0-9]+`).ReplaceAllString(s, "N") }

// firstDiff shows where two one-line dumps part.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-40)
	return fmt.Sprintf("byte %d: keepalived …%s… gokeepalived …%s…", i, a[from:min(len(a), i+40)], b[from:min(len(b), i+40)])
}
