package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// TestIntegrationTrackScript runs the second seed article's check-script use
// case with real scripts: a check that fails while "haproxy" is down (here: a
// marker file is absent), interval 1, fall 2, rise 2, weight 0 on both hosts.
// The master goes FAULT and the VIP moves; when the check passes again the
// host comes back as BACKUP, and preempts as it has the higher priority.
func TestIntegrationTrackScript(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	dir := t.TempDir()
	up := func(h string) string { return filepath.Join(dir, h+".haproxy") }
	script := func(h string) string {
		p := filepath.Join(dir, "check-"+h+".sh")
		body := "#!/bin/sh\ntest -e " + up(h) + "\n"
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	conf := func(h string, prio int) string {
		return "vrrp_script chk_haproxy {\n    script \"" + script(h) + "\"\n    interval 1\n    fall 2\n    rise 2\n}\n" +
			instanceConf(72, prio, vip4, "advert_int 1", "track_script {", "    chk_haproxy", "}")
	}
	for _, h := range []string{"a", "b"} {
		if err := os.WriteFile(up(h), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a.startGK(conf("a", 150))
	b.startGK(conf("b", 100))
	waitMaster(t, 15*time.Second, "192.0.2.100", a, b)

	if err := os.Remove(up("a")); err != nil { // "haproxy" dies on a
		t.Fatal(err)
	}
	a.proc.WaitOutput(t, 10*time.Second, "(VI_1) Entering FAULT STATE")
	waitMaster(t, 10*time.Second, "192.0.2.100", b, a)
	if out := a.proc.Output(); !strings.Contains(out, "VRRP_Script(chk_haproxy) failed (exited with status 1)") {
		t.Errorf("a's log lacks keepalived's script line:\n%s", out)
	}

	if err := os.WriteFile(up("a"), nil, 0o644); err != nil { // back
		t.Fatal(err)
	}
	nstest.WaitFor(t, 15*time.Second, 20*time.Millisecond, func() (bool, string) {
		return strings.Contains(a.proc.Output(), "VRRP_Script(chk_haproxy) succeeded"), "no success yet"
	})
	waitMaster(t, 15*time.Second, "192.0.2.100", a, b)
}
