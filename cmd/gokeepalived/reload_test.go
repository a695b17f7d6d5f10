package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
)

// TestCheckConfigReloadPreview: with a daemon's running configuration
// beside its pidfile, --check-config says what a reload would change.
func TestCheckConfigReloadPreview(t *testing.T) {
	dir := t.TempDir()
	pid := filepath.Join(dir, "gk.pid")
	inst := func(name string, vrid int, prio string, vips ...string) string {
		return "global_defs {\n    dynamic_interfaces\n}\nvrrp_instance " + name + " {\n    interface gktest0\n    virtual_router_id " + string(rune('0'+vrid)) +
			"\n    priority " + prio + "\n    virtual_ipaddress {\n        " + strings.Join(vips, "\n        ") + "\n    }\n}\n"
	}
	running, diags := confparse.Load(writeConf(t, inst("VI_1", 1, "100", "192.0.2.1/24")+inst("VI_2", 2, "100", "192.0.2.2/24")), confparse.Options{})
	if diags.CannotRun() {
		t.Fatal(diags)
	}
	o := &options{pidFile: pid}
	if err := writeRunningConfig(runningConfigPath(o), running); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "gk.running.conf")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("running config: %v %v", fi, err)
	}
	next := writeConf(t, inst("VI_1", 1, "120", "192.0.2.1/24", "192.0.2.9/24")+inst("VI_3", 3, "100", "192.0.2.3/24"))
	code, _, errOut := runArgs(t, "-t", "-p", pid, "-f", next)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	for _, want := range []string{
		"reload preview (against " + filepath.Join(dir, "gk.running.conf") + ")",
		"~ vrrp_instance VI_1\n    + 192.0.2.9/24 dev gktest0\n    - priority 100\n    + priority 120\n",
		"+ vrrp_instance VI_3\n",
		"- vrrp_instance VI_2\n",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("preview lacks %q:\n%s", want, errOut)
		}
	}
	// Without a running daemon there is no preview.
	if _, _, errOut := runArgs(t, "-t", "-p", filepath.Join(dir, "none.pid"), "-f", next); strings.Contains(errOut, "reload preview") {
		t.Errorf("preview without a running configuration:\n%s", errOut)
	}
}
