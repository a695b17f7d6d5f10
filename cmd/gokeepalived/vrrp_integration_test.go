package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

const vip4 = "192.0.2.100/24"

// TestIntegrationTwoHostsV2Multicast runs two gokeepalived with VRRPv2
// multicast: one master holding the VIP, gratuitous ARPs on the wire,
// takeover on SIGKILL and (faster, after priority 0) on SIGTERM,
// preemption by a returning higher priority, and FAULT on link down.
func TestIntegrationTwoHostsV2Multicast(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	confA := instanceConf(51, 150, vip4, "advert_int 1")
	confB := instanceConf(51, 100, vip4, "advert_int 1")
	garps, stopCapture := l.capture("arp")

	a.startGK(confA)
	b.startGK(confB)
	waitMaster(t, 15*time.Second, "192.0.2.100", a, b)
	a.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering MASTER STATE")
	b.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering BACKUP STATE (init)")
	if strings.Contains(b.proc.Output(), "Entering MASTER STATE") {
		t.Errorf("b was master too:\n%s", b.proc.Output())
	}
	nstest.WaitFor(t, 5*time.Second, 20*time.Millisecond, func() (bool, string) {
		out := l.readCapture(garps, "arp")
		// A gratuitous ARP as keepalived sends it (reference §7.7): a
		// request for the VIP from the VIP, to ff:ff:ff:ff:ff:ff.
		n := strings.Count(out, "Request who-has 192.0.2.100 (ff:ff:ff:ff:ff:ff) tell 192.0.2.100,")
		return n >= 5, "gratuitous ARPs seen so far:\n" + out
	})
	stopCapture()

	t.Run("SIGKILL", func(t *testing.T) {
		a.stop(syscall.SIGKILL)
		// A killed daemon cannot remove its VIP: only the takeover counts.
		waitVIP(t, 10*time.Second, "192.0.2.100", b)
	})
	t.Run("higher priority preempts", func(t *testing.T) {
		a.startGK(confA)
		waitMaster(t, 15*time.Second, "192.0.2.100", a, b)
		b.proc.WaitOutput(t, 5*time.Second, "Master received advert from 192.0.2.1 with higher priority 150, ours 100")
	})
	t.Run("SIGTERM", func(t *testing.T) {
		start := time.Now()
		a.stop(syscall.SIGTERM)
		waitMaster(t, 10*time.Second, "192.0.2.100", b, a)
		took := time.Since(start)
		// After priority 0 the backup waits only Skew_Time (0.609 s for
		// priority 100), not Master_Down_Interval (3.609 s).
		if took > 3*time.Second {
			t.Errorf("takeover after SIGTERM took %v; Skew_Time is 0.609 s", took)
		}
		t.Logf("takeover after SIGTERM: %v", took)
		b.proc.WaitOutput(t, 5*time.Second, "(VI_1) Backup received priority 0 advertisement")
		if out := a.proc.Output(); !strings.Contains(out, "(VI_1) sent 0 priority") || !strings.Contains(out, "(VI_1) removing VIPs.") {
			t.Errorf("a's stop sequence:\n%s", out)
		}
	})
	t.Run("link down", func(t *testing.T) {
		a.startGK(confA)
		waitMaster(t, 15*time.Second, "192.0.2.100", a, b)
		l.lan.SetUp(a.port, false)
		a.proc.WaitOutput(t, 10*time.Second, "(VI_1) Entering FAULT STATE")
		nstest.WaitFor(t, 10*time.Second, 10*time.Millisecond, func() (bool, string) {
			return b.hasVIP("192.0.2.100") && !a.hasVIP("192.0.2.100"), "VIP not moved to b"
		})
		l.lan.SetUp(a.port, true)
		waitMaster(t, 15*time.Second, "192.0.2.100", a, b)
	})
}

// TestIntegrationNopreempt: a returning higher-priority host with nopreempt
// does not take the VIP back.
func TestIntegrationNopreempt(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	confA := instanceConf(52, 150, vip4, "advert_int 1", "state BACKUP", "nopreempt")
	b.startGK(instanceConf(52, 100, vip4, "advert_int 1", "state BACKUP", "nopreempt"))
	waitMaster(t, 15*time.Second, "192.0.2.100", b, a)
	a.startGK(confA)
	a.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering BACKUP STATE (init)")
	// Watch for longer than a's Master_Down_Interval (3 × 1 s + 0.41 s).
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if a.hasVIP("192.0.2.100") {
			t.Fatalf("a took the VIP despite nopreempt:\n%s", a.proc.Output())
		}
		time.Sleep(50 * time.Millisecond) // sampling an interval, not waiting for a condition
	}
	if !b.hasVIP("192.0.2.100") {
		t.Fatal("b lost the VIP")
	}
}

// TestIntegrationSeedUnicast runs the first seed's unicast configuration
// (documentation addresses) on two hosts.
func TestIntegrationSeedUnicast(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.20/24")
	b := l.host("b", "192.0.2.21/24")
	conf := func(src, peer string) string {
		return `vrrp_instance 23533267-f960-4bd9-9c72-2dd18e2eca8c {
interface eth0
state BACKUP
virtual_router_id 50
priority 100
nopreempt
unicast_src_ip ` + src + `
unicast_peer {
` + peer + `
}
virtual_ipaddress {
192.0.2.53 dev eth0
}
}
`
	}
	a.startGK(conf("192.0.2.20", "192.0.2.21"))
	b.startGK(conf("192.0.2.21", "192.0.2.20"))
	var master, backup *host
	nstest.WaitFor(t, 15*time.Second, 10*time.Millisecond, func() (bool, string) {
		switch {
		case a.hasVIP("192.0.2.53") && !b.hasVIP("192.0.2.53"):
			master, backup = a, b
		case b.hasVIP("192.0.2.53") && !a.hasVIP("192.0.2.53"):
			master, backup = b, a
		default:
			return false, "no single master"
		}
		return true, ""
	})
	master.stop(syscall.SIGKILL)
	waitVIP(t, 10*time.Second, "192.0.2.53", backup)
}

// TestIntegrationV3Fast runs VRRPv3 with advert_int 0.1 over IPv4 and IPv6.
func TestIntegrationV3Fast(t *testing.T) {
	for _, tc := range []struct {
		name, addrA, addrB, vip, want string
	}{
		{"IPv4", "192.0.2.1/24", "192.0.2.2/24", "192.0.2.100/24", "192.0.2.100"},
		{"IPv6", "2001:db8::1/64", "2001:db8::2/64", "2001:db8::100/64", "2001:db8::100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			a := l.host("a", tc.addrA)
			b := l.host("b", tc.addrB)
			a.startGK(instanceConf(53, 150, tc.vip, "version 3", "advert_int 0.1"))
			b.startGK(instanceConf(53, 100, tc.vip, "version 3", "advert_int 0.1"))
			waitMaster(t, 10*time.Second, tc.want, a, b)
			a.stop(syscall.SIGKILL)
			waitVIP(t, 5*time.Second, tc.want, b)
		})
	}
}
