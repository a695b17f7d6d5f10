package daemon

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// missingEnv is allEnv where programs whose path says "missing" do not
// exist.
type missingEnv struct{ allEnv }

func (missingEnv) Executable(p string) bool { return !strings.Contains(p, "missing") }

const missingTrackConf = `global_defs {
    enable_script_security
    script_user root
}
vrrp_script chk {
    script "/usr/local/bin/missing_check.sh"
    weight WEIGHT
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 11
    priority 150
    version 3
    advert_int 0.05
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_script {
        chk
    }
}
`

// startMissing runs one router tracking a script whose program is missing,
// with the configuration read in the given mode.
func startMissing(t *testing.T, weight string, keepalived bool) (*router, *scriptstest.Exec) {
	t.Helper()
	text := strings.ReplaceAll(missingTrackConf, "WEIGHT", weight)
	cfg, diags := confparse.Load("/t.conf", confparse.Options{
		Read: confparse.ReadOptions{FS: confparse.MemFS{"/t.conf": text}},
		Env:  missingEnv{}, KeepalivedScripts: keepalived,
	})
	if diags.CannotRun() {
		t.Fatalf("config: %v", diags)
	}
	h := &hub{}
	r := &router{net: &viptest.Fake{}, status: NewStatus(), done: make(chan struct{})}
	r.net.SetLink("eth0", true)
	exec := &scriptstest.Exec{}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.done)
		if err := Run(ctx, cfg, Deps{
			Net: r.net, Links: r.net, Scripts: exec, Open: h.open("192.0.2.1"),
			SourceAddr: func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr("192.0.2.1"), nil },
		}, r.status); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	t.Cleanup(r.stop)
	return r, exec
}

// Issue 4: a tracked script whose program is missing counts as failed by
// default: weight 0 puts the instance in FAULT, and nothing is run.
func TestRunMissingScriptFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, exec := startMissing(t, "0", false)
		waitUntil(t, "FAULT", func() bool { s, ok := first(r); return ok && s.State == vrrp.StateFault })
		if r.holds() {
			t.Error("a FAULT instance holds the VIP")
		}
		if got := exec.Transcript(); len(got) != 0 {
			t.Errorf("ran %q", got)
		}
	})
}

// A negative weight applies to a missing script: 150 - 60 = 90.
func TestRunMissingScriptWeight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := startMissing(t, "-60", false)
		waitUntil(t, "master at priority 90", func() bool {
			s, ok := first(r)
			return ok && s.State == vrrp.StateMaster && s.EffectivePriority == 90
		})
	})
}

// --keepalived-scripts: the missing script is removed, as keepalived
// removes it, and the instance runs as if it was never tracked.
func TestRunMissingScriptKeepalivedMode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, exec := startMissing(t, "0", true)
		waitUntil(t, "master holding the VIP", r.holds)
		if got := exec.Transcript(); len(got) != 0 {
			t.Errorf("ran %q", got)
		}
	})
}

// first returns the status of the router's instance, once it has one.
func first(r *router) (InstanceStatus, bool) {
	ss := r.status.Snapshot()
	if len(ss) == 0 {
		return InstanceStatus{}, false
	}
	return ss[0], true
}
