package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// The scale tests run 200 instances per host: a correctness check (no
// flap, one master per VRID), not a speed test; bench/scale measures.

// scaleInstances is how many instances the scale tests run, each with its
// own VRID on one LAN and the /32 VIP 192.0.2.VRID.
const scaleInstances = 200

// plainBinary builds gokeepalived without the race detector: -race makes
// every advert cost several times more, and 200 instances at 10 ms are
// about the daemon, not about data races (the unit tests run its code
// under -race).
func plainBinary(t *testing.T) string {
	t.Helper()
	nstest.RequireBinaries(t, "go")
	bin := filepath.Join(t.TempDir(), "gokeepalived")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// scaleConf returns n instances on eth0 with priority prio, VRRP version
// 3 and advert_int adv.
func scaleConf(n, prio int, adv string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global_defs {\n    router_id scale%d\n}\n", prio)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `vrrp_instance VI_%d {
    state BACKUP
    interface eth0
    virtual_router_id %d
    priority %d
    version 3
    advert_int %s
    virtual_ipaddress {
        192.0.2.%d/32
    }
}
`, i, i, prio, adv, i)
	}
	return b.String()
}

// startPlain starts the race-free gokeepalived on conf, logging to the
// console without details.
func (h *host) startPlain(bin, conf string) *nstest.Process {
	h.lab.t.Helper()
	p := h.writeConf(conf)
	h.proc = h.ns.Start(h.lab.t, bin, "-n", "-l", "-G", "-f", p, "-p", p+".pid", "-r", p+".vrrp.pid")
	return h.proc
}

// startKAQuiet starts Debian's keepalived on conf like startKA, but
// without -D: with it keepalived logs every gratuitous ARP, and a burst
// of 1000 lines can fill the pipe to the test and stall keepalived's one
// thread, adverts included.
func (h *host) startKAQuiet(conf string) *nstest.Process {
	h.lab.t.Helper()
	nstest.RequireBinaries(h.lab.t, "keepalived")
	p := h.writeConf(conf)
	h.proc = h.ns.Start(h.lab.t, "keepalived", "-n", "-l", "-P", "-f", p, "-p", p+".pid", "-r", p+".vrrp.pid")
	return h.proc
}

// vips counts the /32 addresses on the host's eth0.
func (h *host) vips() int {
	h.lab.t.Helper()
	out, err := h.ns.IP(context.Background(), "-4", "-o", "addr", "show", "dev", "eth0")
	if err != nil {
		h.lab.t.Fatalf("%s: %v", h.name, err)
	}
	return strings.Count(string(out), "/32 ")
}

// scaleLab is two hosts on a LAN whose bridge runs no netfilter hooks
// (a switch does not), 192.0.2.201 and .202.
func scaleLab(t *testing.T) (*lab, *host, *host) {
	l := newLab(t)
	// Best effort: without br_netfilter loaded the settings do not exist.
	l.lan.Run(context.Background(), "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0",
		"net.bridge.bridge-nf-call-ip6tables=0", "net.bridge.bridge-nf-call-arptables=0")
	return l, l.host("sca", "192.0.2.201/24"), l.host("scb", "192.0.2.202/24")
}

// waitAllVIPs waits until master holds every VIP and backup none.
func waitAllVIPs(t *testing.T, timeout time.Duration, master, backup *host) {
	t.Helper()
	nstest.WaitFor(t, timeout, 50*time.Millisecond, func() (bool, string) {
		m, b := master.vips(), backup.vips()
		return m == scaleInstances && b == 0, fmt.Sprintf("%s holds %d VIPs, %s %d", master.name, m, backup.name, b)
	})
}

// watchBackup checks, for window, that backup never holds a VIP and logs
// no takeover, while master keeps every VIP: one master per VRID.
func watchBackup(t *testing.T, window time.Duration, master, backup *host) {
	t.Helper()
	before := strings.Count(backup.proc.Output(), "Entering MASTER STATE")
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	maxVIPs := 0
	for end := time.Now().Add(window); time.Now().Before(end); <-tick.C {
		maxVIPs = max(maxVIPs, backup.vips())
	}
	if n := strings.Count(backup.proc.Output(), "Entering MASTER STATE") - before; n > 0 || maxVIPs > 0 {
		t.Errorf("in %v the backup took over %d times and held up to %d VIPs; want none", window, n, maxVIPs)
	}
	if n := master.vips(); n != scaleInstances {
		t.Errorf("the master holds %d of %d VIPs after %v", n, scaleInstances, window)
	}
}

// TestIntegrationScaleNoFlap runs 200 VRRPv3 instances at advert_int 0.01
// on two gokeepalived hosts: for 10 s, covering the master's delayed
// gratuitous ARP burst, the backup changes no state and holds no VIP.
func TestIntegrationScaleNoFlap(t *testing.T) {
	_, a, b := scaleLab(t)
	bin := plainBinary(t)
	a.startPlain(bin, scaleConf(scaleInstances, 200, "0.01"))
	waitStarted(t, a, true)
	b.startPlain(bin, scaleConf(scaleInstances, 100, "0.01"))
	waitStarted(t, b, false)
	waitAllVIPs(t, 10*time.Second, a, b)
	watchBackup(t, 10*time.Second, a, b)
}

// waitStarted waits until every instance of h is MASTER (holds its VIP)
// or, for a backup, has logged its BACKUP state.
func waitStarted(t *testing.T, h *host, master bool) {
	t.Helper()
	nstest.WaitFor(t, 60*time.Second, 50*time.Millisecond, func() (bool, string) {
		v, n := h.vips(), strings.Count(h.proc.Output(), "Entering BACKUP STATE (init)")
		if master {
			return v == scaleInstances, fmt.Sprintf("%s holds %d VIPs", h.name, v)
		}
		return n == scaleInstances, fmt.Sprintf("%s: %d instances in BACKUP", h.name, n)
	})
}

// TestIntegrationScaleInterop runs 200 instances at advert_int 0.05
// between gokeepalived and keepalived 2.2.7, each as the master in turn:
// one master per VRID, and the backup never takes over.
func TestIntegrationScaleInterop(t *testing.T) {
	for _, gkMaster := range []bool{true, false} {
		name := "keepalived master"
		if gkMaster {
			name = "gokeepalived master"
		}
		t.Run(name, func(t *testing.T) {
			_, a, b := scaleLab(t)
			bin := plainBinary(t)
			start := func(h *host, prio int, gk bool) {
				conf := scaleConf(scaleInstances, prio, "0.05")
				if gk {
					h.startPlain(bin, conf)
				} else {
					h.startKAQuiet(conf)
				}
			}
			// The master first, then the backup joins: the steady
			// state of two daemons of different kinds.
			start(a, 200, gkMaster)
			waitStarted(t, a, true)
			start(b, 100, !gkMaster)
			waitStarted(t, b, false)
			waitAllVIPs(t, 10*time.Second, a, b)
			watchBackup(t, 8*time.Second, a, b)
		})
	}
}
