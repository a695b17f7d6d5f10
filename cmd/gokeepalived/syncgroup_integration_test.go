package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// syncGroupConf is a sync group of VI_1 on eth0 and VI_2 on eth1, with
// extra global_defs lines.
func syncGroupConf(prio int, global ...string) string {
	inst := func(name, ifname string, vrid int, vip string) string {
		return fmt.Sprintf("vrrp_instance %s {\n    interface %s\n    virtual_router_id %d\n    priority %d\n"+
			"    advert_int 1\n    virtual_ipaddress {\n        %s\n    }\n}\n", name, ifname, vrid, prio, vip)
	}
	return "global_defs {\n    " + strings.Join(global, "\n    ") + "\n}\n" + "vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n}\n" +
		inst("VI_1", "eth0", 81, "192.0.2.100/24") + inst("VI_2", "eth1", 82, "198.51.100.100/24 dev eth1")
}

// TestIntegrationSyncGroupLinkDown is issue 4's sync group scenario: two
// hosts, a sync group of two instances on two interfaces; unplugging the
// master's second interface takes both its instances to FAULT (keepalived's
// "VRRP_Group(G1) Syncing instances to FAULT state"), both VIPs move to the
// other host, and both come back when the cable does.
func TestIntegrationSyncGroupLinkDown(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	lan2 := nstest.NewLAN(t)
	a2 := lan2.Attach(a.ns, "eth1", "198.51.100.1/24")
	lan2.Attach(b.ns, "eth1", "198.51.100.2/24")
	has := func(h *host, ifname, vip string) bool {
		ok, err := nstest.HasAddr(h.ns, ifname, vip)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	holdsBoth := func(h, other *host) func() (bool, string) {
		return func() (bool, string) {
			switch {
			case !has(h, "eth0", "192.0.2.100") || !has(h, "eth1", "198.51.100.100"):
				return false, h.name + " does not hold both VIPs"
			case has(other, "eth0", "192.0.2.100") || has(other, "eth1", "198.51.100.100"):
				return false, other.name + " holds a VIP too"
			}
			return true, ""
		}
	}
	// a's notify FIFO, read by its fifo script (reference §5.4).
	dir := t.TempDir()
	fifoOut := filepath.Join(dir, "fifo.out")
	reader := filepath.Join(dir, "reader.sh")
	if err := os.WriteFile(reader, []byte("#!/bin/sh\nexec cat \"$1\" >> "+fifoOut+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	a.startGK(syncGroupConf(150, "vrrp_notify_fifo "+filepath.Join(dir, "fifo"), "vrrp_notify_fifo_script "+reader))
	b.startGK(syncGroupConf(100))
	nstest.WaitFor(t, 15*time.Second, 10*time.Millisecond, holdsBoth(a, b))
	fifoHas := func(want string) func() (bool, string) {
		return func() (bool, string) {
			b, _ := os.ReadFile(fifoOut)
			return strings.Contains(string(b), want), fmt.Sprintf("FIFO lines so far:\n%s", b)
		}
	}
	// The group's line comes once both members are done becoming MASTER.
	nstest.WaitFor(t, 5*time.Second, 10*time.Millisecond, fifoHas(`GROUP "G1" MASTER 0`))

	lan2.SetUp(a2, false)
	a.proc.WaitOutput(t, 10*time.Second, "VRRP_Group(G1) Syncing instances to FAULT state")
	nstest.WaitFor(t, 15*time.Second, 10*time.Millisecond, holdsBoth(b, a))
	out := a.proc.Output()
	for _, want := range []string{"(VI_2) Entering FAULT STATE", "(VI_1) Entering FAULT STATE"} {
		if !strings.Contains(out, want) {
			t.Errorf("a's log lacks %q:\n%s", want, out)
		}
	}

	// The FIFO says what keepalived 2.2.7's says in the same scenario
	// (observed): the member that failed, the member synced, then the group.
	want := "INSTANCE \"VI_2\" FAULT 150\nINSTANCE \"VI_1\" FAULT 150\nGROUP \"G1\" FAULT 0\n"
	nstest.WaitFor(t, 5*time.Second, 10*time.Millisecond, fifoHas(want))

	lan2.SetUp(a2, true)
	nstest.WaitFor(t, 20*time.Second, 10*time.Millisecond, holdsBoth(a, b))
}
