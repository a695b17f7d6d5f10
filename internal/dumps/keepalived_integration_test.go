package dumps

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// TestIntegrationFormatsMatchKeepalived runs Debian's keepalived 2.2.7 on
// the testdata configuration "formats" in a namespace, asks it for its
// JSON, statistics and data dumps, and requires ours, written from the same
// configuration and keepalived's running state, to be its JSON byte for
// byte, its statistics line for line (counters masked: they move between
// the signals) and a subsequence of its data dump.
func TestIntegrationFormatsMatchKeepalived(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "keepalived", "env")
	ns := nstest.NewNetns(t, "dmp")
	nstest.AddLink(ns, "eth0", "192.0.2.1/24", "2001:db8::1/64")
	nstest.AddLink(ns, "eth1")
	dir, tmp := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notify.sh"), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join("testdata", "formats.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "keepalived.conf")
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(string(text), "@DIR@", dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	p := ns.Start(t, "env", "TMPDIR="+tmp, "keepalived", "-n", "-l", "-D", "-P", "-f", conf,
		"-p", filepath.Join(dir, "pid"), "-r", filepath.Join(dir, "vrrp.pid"))
	p.WaitOutput(t, 20*time.Second, "(VI_1) Entering MASTER STATE")
	p.WaitOutput(t, 5*time.Second, "(VI_7) Entering MASTER STATE")

	kaJSON := dumpOf(t, p, SignalJSON, filepath.Join(tmp, JSONFile))
	kaStats := dumpOf(t, p, SignalStats, filepath.Join(tmp, StatsFile))
	kaData := installedIfindex.ReplaceAllString(dumpOf(t, p, SignalData, filepath.Join(tmp, DataFile)), "")

	cfg := loadConfig(t, "formats", dir)
	insts := instancesLike(t, cfg, readKeepalivedJSON(t, []byte(kaJSON)))
	var got bytes.Buffer
	if err := WriteJSON(&got, insts); err != nil {
		t.Fatal(err)
	}
	if want := installedIfindex.ReplaceAllString(kaJSON, ""); got.String() != want {
		t.Errorf("JSON differs from keepalived's at %s", diffLines(splitJSON(want), splitJSON(got.String())))
	}

	got.Reset()
	if err := WriteStats(&got, insts); err != nil {
		t.Fatal(err)
	}
	digits := regexp.MustCompile(`[0-9]+`)
	if w, g := digits.ReplaceAllString(kaStats, "N"), digits.ReplaceAllString(got.String(), "N"); w != g {
		t.Errorf("statistics layout differs from keepalived's at %s", diffLines(w, g))
	}

	fillFromData(t, insts, kaData)
	for i := range insts {
		insts[i].LastTransition = insts[i].LastTransition.Local()
		insts[i].ReadTimeout = insts[i].ReadTimeout.Local()
	}
	got.Reset()
	if err := WriteData(&got, cfg, insts, scriptsFromData(t, cfg.Scripts, kaData)); err != nil {
		t.Fatal(err)
	}
	if msg := subsequence(strings.Split(kaData, "\n"), strings.Split(got.String(), "\n")); msg != "" {
		t.Errorf("%s\nkeepalived's dump:\n%s", msg, kaData)
	}
}

// dumpOf removes file, sends sig to keepalived's parent and waits for the
// complete file: one that ends in a newline and has not changed since the
// previous poll (and for JSON, parses).
func dumpOf(t *testing.T, p *nstest.Process, sig syscall.Signal, file string) string {
	t.Helper()
	os.Remove(file)
	if err := p.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var content string
	nstest.WaitFor(t, 10*time.Second, 20*time.Millisecond, func() (bool, string) {
		b, err := os.ReadFile(file)
		previous := content
		content = string(b)
		if err != nil || !strings.HasSuffix(content, "\n") || content != previous {
			return false, "no complete " + file + " yet"
		}
		if strings.HasSuffix(file, ".json") && !json.Valid(b) {
			return false, file + " is not valid JSON yet"
		}
		return true, ""
	})
	return content
}
