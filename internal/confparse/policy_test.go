package confparse

import (
	"strings"
	"testing"
)

// TestUnsupportedDecidedOnce: what gokeepalived refuses to run is a
// diagnostic of the configuration itself, so -t (its exit code), the
// daemon's start and a reload (CannotRun) read the same verdict.
func TestUnsupportedDecidedOnce(t *testing.T) {
	_, diags := loadText(t, "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n"+
		"    authentication {\n        auth_type AH\n        auth_pass secret\n    }\n"+
		"    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n")
	var found bool
	for _, d := range diags {
		if d.Unsupported {
			found = true
			if !d.CannotRun || !strings.Contains(d.Msg, "authentication type AH is not supported") {
				t.Errorf("unsupported diagnostic %+v: want CannotRun and the AH message", d)
			}
		}
	}
	if !found || !diags.CannotRun() || diags.ExitCode() != ExitCannotRun {
		t.Errorf("AH: unsupported %v, cannot run %v, exit %d; want true, true, %d\n%s",
			found, diags.CannotRun(), diags.ExitCode(), ExitCannotRun, diagText(diags))
	}
	_, diags = loadText(t, "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n"+
		"    authentication {\n        auth_type PASS\n        auth_pass secret\n    }\n"+
		"    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n")
	if diags.CannotRun() || diags.ExitCode() != ExitOK {
		t.Errorf("PASS: cannot run %v, exit %d; want false, 0\n%s", diags.CannotRun(), diags.ExitCode(), diagText(diags))
	}
}

// TestMissingConfigByType: a missing main file is told by the diagnostic's
// type, not its text.
func TestMissingConfigByType(t *testing.T) {
	_, diags := Load("/nonexistent-gokeepalived/keepalived.conf", Options{Read: ReadOptions{FS: MemFS{}}, Env: newTestEnv()})
	if !diags.MissingConfig() {
		t.Errorf("missing main file not reported as MissingConfig:\n%s", diagText(diags))
	}
	_, diags = loadText(t, "global_defs {\n    router_id r1\n}\n")
	if diags.MissingConfig() {
		t.Errorf("present file reported as missing:\n%s", diagText(diags))
	}
}
