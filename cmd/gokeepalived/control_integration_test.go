package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// ctlHost is a lab host whose daemon has a control socket and a state
// directory of its own.
type ctlHost struct {
	*host
	sock, state, conf string
}

func (l *lab) ctlHost(name string, addrs ...string) *ctlHost {
	h := &ctlHost{host: l.host(name, addrs...)}
	h.sock = filepath.Join(l.dir, name+".sock")
	h.state = filepath.Join(l.dir, name+"-state")
	return h
}

func (h *ctlHost) start(conf string) {
	h.lab.t.Helper()
	h.conf = h.writeConf(conf)
	h.proc = h.ns.Start(h.lab.t, "env", "GOKEEPALIVED_TEST_MAIN=1", h.lab.self,
		"-n", "-l", "-D", "-G", "-f", h.conf, "-p", h.conf+".pid", "-r", h.conf+".vrrp.pid",
		"--control-socket", h.sock, "--state-dir", h.state)
	h.proc.WaitOutput(h.lab.t, 10*time.Second, "Startup complete")
}

// ctl runs `gokeepalived CMD ARGS --control-socket SOCK` and returns its
// output and exit code.
func (h *ctlHost) ctl(cmd string, args ...string) (string, int) {
	h.lab.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, h.lab.self, append(append([]string{cmd}, args...), "--control-socket", h.sock)...)
	c.Env = append(os.Environ(), "GOKEEPALIVED_TEST_MAIN=1")
	out, err := c.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.lab.t.Fatalf("gokeepalived %s: %v", cmd, err)
	}
	return string(out), code
}

// status is `gokeepalived status --json`, by instance name.
func (h *ctlHost) status() map[string]control.Report {
	h.lab.t.Helper()
	out, code := h.ctl("status", "--json")
	var resp control.Response
	if code != 0 || json.Unmarshal([]byte(out), &resp) != nil {
		h.lab.t.Fatalf("%s: status --json: exit %d\n%s", h.name, code, out)
	}
	m := map[string]control.Report{}
	for _, r := range resp.Reports {
		m[r.Name] = r
	}
	return m
}

func (h *ctlHost) mustCtl(cmd string, args ...string) string {
	h.lab.t.Helper()
	out, code := h.ctl(cmd, args...)
	if code != 0 {
		h.lab.t.Fatalf("%s: gokeepalived %s %v: exit %d\n%s", h.name, cmd, args, code, out)
	}
	return out
}

// TestIntegrationControl: status, explain, demote, undemote and reload
// through the control socket of real daemons: a master, a backup and an
// instance in FAULT; a demoted master hands over within Skew_Time plus one
// advert, stays demoted across a restart and takes over again when
// undemoted; a client that is not root is refused.
func TestIntegrationControl(t *testing.T) {
	l := newLab(t)
	a := l.ctlHost("a", "192.0.2.1/24")
	b := l.ctlHost("b", "192.0.2.2/24")
	nstest.AddLink(a.ns, "eth1", "198.51.100.1/24")
	if _, err := a.ns.IP(context.Background(), "link", "set", "eth1", "down"); err != nil {
		t.Fatal(err)
	}
	faulty := "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 82\n    priority 100\n" +
		"    track_interface {\n        eth1\n    }\n    virtual_ipaddress {\n        203.0.113.50/24\n    }\n}\n"
	const vip = "192.0.2.100"
	a.start(instanceConf(81, 150, vip+"/24") + faulty)
	b.start(instanceConf(81, 100, vip+"/24"))
	waitMaster(t, 15*time.Second, vip, a.host, b.host)

	// status --json on a master, a backup and a FAULT instance.
	nstest.WaitFor(t, 10*time.Second, 50*time.Millisecond, func() (bool, string) {
		st := b.status()["VI_1"]
		return st.State == "BACKUP" && st.Master == "192.0.2.1" && st.MasterPriority == 150, "b: " + st.State + " master " + st.Master
	})
	st := a.status()
	if r := st["VI_1"]; r.State != "MASTER" || r.EffectivePriority != 150 || r.BasePriority != 150 || !r.VIPsHeld {
		t.Errorf("a VI_1: %+v", r)
	}
	if r := st["VI_2"]; r.State != "FAULT" || !r.Fault || len(r.Tracks) != 1 || !r.Tracks[0].Faults {
		t.Errorf("a VI_2: %+v", r)
	}
	text := a.mustCtl("status")
	t.Logf("a: gokeepalived status\n%s", text)
	if !strings.Contains(text, "VI_1") || !strings.Contains(text, "MASTER") || !strings.Contains(text, "150/150") {
		t.Errorf("a status:\n%s", text)
	}

	// explain on each.
	for _, tc := range []struct {
		h    *ctlHost
		inst string
		want []string
	}{
		{a, "VI_1", []string{"VI_1 is MASTER", "=> master: no router on the link advertises more than 150"}},
		{b, "VI_1", []string{"VI_1 is BACKUP", "master 192.0.2.1 advertises priority 150", "=> not master: 192.0.2.1 advertises 150, more than its 100"}},
		{a, "VI_2", []string{"VI_2 is FAULT", "track interface eth1 down: puts it in FAULT", "=> not master: in FAULT"}},
	} {
		out := tc.h.mustCtl("explain", tc.inst)
		t.Logf("%s: gokeepalived explain %s\n%s", tc.h.name, tc.inst, out)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: explain %s lacks %q:\n%s", tc.h.name, tc.inst, w, out)
			}
		}
	}
	if out, code := a.ctl("explain", "VI_9"); code == 0 || !strings.Contains(out, "no such vrrp_instance") {
		t.Errorf("explain VI_9: exit %d\n%s", code, out)
	}

	// Demote the master: the backup holds the VIP within its Skew_Time
	// (0.61 s at priority 100) plus one advert (1 s).
	start := time.Now()
	a.mustCtl("demote", "VI_1")
	waitMaster(t, 5*time.Second, vip, b.host, a.host)
	took := time.Since(start)
	t.Logf("demote to backup holding the VIP: %v", took)
	if took > 1610*time.Millisecond+200*time.Millisecond {
		t.Errorf("takeover after demote took %v, want Skew_Time + one advert (1.61 s)", took)
	}
	if r := a.status()["VI_1"]; !r.Demoted || r.EffectivePriority != 1 || r.State != "BACKUP" {
		t.Errorf("a VI_1 after demote: %+v", r)
	}
	if out, code := a.ctl("demote", "VI_2", "--for", "soon"); code == 0 || !strings.Contains(out, "positive duration") {
		t.Errorf("demote --for soon: exit %d\n%s", code, out)
	}

	// The demotion survives a restart: a stays backup.
	a.stop(syscall.SIGTERM)
	a.start(instanceConf(81, 150, vip+"/24") + faulty)
	nstest.WaitFor(t, 10*time.Second, 50*time.Millisecond, func() (bool, string) {
		r := a.status()["VI_1"]
		return r.State == "BACKUP" && r.Master == "192.0.2.2", "a: " + r.State + " master " + r.Master
	})
	// Past a's master-down interval (3.6 s), with b's adverts heard, it
	// would have preempted b were it not demoted.
	window := time.Now().Add(4 * time.Second)
	for time.Now().Before(window) {
		if a.hasVIP(vip) {
			t.Fatalf("restarted demoted a took the VIP:\n%s", a.proc.Output())
		}
		time.Sleep(100 * time.Millisecond) // watching a window, not waiting for a condition
	}
	if r := a.status()["VI_1"]; !r.Demoted || r.EffectivePriority != 1 {
		t.Errorf("restarted a VI_1: %+v", r)
	}

	// Undemote: with preempt, a takes over again.
	a.mustCtl("undemote", "VI_1")
	waitMaster(t, 10*time.Second, vip, a.host, b.host)

	// reload --dry-run prints the plan and changes nothing; reload applies it.
	conf := strings.Replace(instanceConf(81, 100, vip+"/24"), "priority 100", "priority 120", 1)
	if err := os.WriteFile(b.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out := b.mustCtl("reload", "--dry-run")
	if !strings.Contains(out, "update  VI_1") || !strings.Contains(out, "dry run: nothing applied") {
		t.Errorf("reload --dry-run:\n%s", out)
	}
	if r := b.status()["VI_1"]; r.BasePriority != 100 {
		t.Errorf("after a dry run b's priority is %d", r.BasePriority)
	}
	out = b.mustCtl("reload")
	if !strings.Contains(out, "applied") {
		t.Errorf("reload:\n%s", out)
	}
	if r := b.status()["VI_1"]; r.BasePriority != 120 {
		t.Errorf("after reload b's priority is %d, want 120", r.BasePriority)
	}
	if err := os.WriteFile(b.conf, []byte("vrrp_instance VI_1 {\n    priority\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := b.ctl("reload"); code == 0 || !strings.Contains(out, "refused") {
		t.Errorf("reload of a broken config: exit %d\n%s", code, out)
	}
	if r := b.status()["VI_1"]; r.BasePriority != 120 || r.State != "BACKUP" {
		t.Errorf("after a refused reload b: %+v", r)
	}

	// A client that is not root is refused.
	bin := filepath.Join(t.TempDir(), "gokeepalived")
	self, err := os.ReadFile(l.self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(bin), 0o755)
	os.Chmod(filepath.Dir(filepath.Dir(bin)), 0o755)
	c := exec.Command(bin, "status", "--control-socket", a.sock)
	c.Env = append(os.Environ(), "GOKEEPALIVED_TEST_MAIN=1")
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	nobodyOut, err := c.CombinedOutput()
	if err == nil || !strings.Contains(string(nobodyOut), "permission denied") {
		t.Errorf("status as nobody: %v\n%s", err, nobodyOut)
	}
}
