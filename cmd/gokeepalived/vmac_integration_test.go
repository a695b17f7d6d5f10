package main

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// vipOn reports whether h holds vip on interface dev (false if dev does
// not exist).
func (h *host) vipOn(dev, vip string) bool {
	h.lab.t.Helper()
	if !h.hasLink(dev) {
		return false
	}
	ok, err := nstest.HasAddr(h.ns, dev, vip)
	if err != nil {
		h.lab.t.Fatalf("%s: %v", h.name, err)
	}
	return ok
}

// hasLink reports whether interface dev exists in h.
func (h *host) hasLink(dev string) bool {
	_, err := h.ns.IP(context.Background(), "link", "show", "dev", dev)
	return err == nil
}

// waitMasterOn waits until master holds vip on dev and the others hold it
// on neither dev nor eth0.
func waitMasterOn(t *testing.T, timeout time.Duration, dev, vip string, master *host, others ...*host) {
	t.Helper()
	nstest.WaitFor(t, timeout, 10*time.Millisecond, func() (bool, string) {
		if !master.vipOn(dev, vip) {
			return false, master.name + " does not hold " + vip + " on " + dev
		}
		for _, o := range others {
			if o.vipOn(dev, vip) || o.hasVIP(vip) {
				return false, o.name + " holds " + vip + " too"
			}
		}
		return true, ""
	})
}

// waitNoLink waits until dev is gone from h.
func waitNoLink(t *testing.T, timeout time.Duration, dev string, h *host) {
	t.Helper()
	nstest.WaitFor(t, timeout, 10*time.Millisecond, func() (bool, string) {
		return !h.hasLink(dev), dev + " still exists in " + h.name
	})
}

// waitCapture waits until the capture, printed with tcpdump -e, has at
// least n lines containing each of wants.
func waitCapture(t *testing.T, l *lab, file string, n int, wants ...string) {
	t.Helper()
	nstest.WaitFor(t, 10*time.Second, 50*time.Millisecond, func() (bool, string) {
		out := l.readCapture(file, "-e")
		for _, w := range wants {
			if strings.Count(out, w) < n {
				return false, fmt.Sprintf("fewer than %d lines with %q in:\n%.4000s", n, w, out)
			}
		}
		return true, ""
	})
}

// TestIntegrationVMAC runs two gokeepalived with use_vmac (reference §3.2):
// the master's VIP is on vrrp.51, its adverts and gratuitous ARPs leave
// from the VRRP MAC 00:00:5e:00:01:33 (RFC 5798 §7.3), failover moves the
// VIP to the backup's vrrp.51, and SIGTERM deletes the VMAC.
func TestIntegrationVMAC(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	pcap, stopCapture := l.capture("ip proto 112 or arp")
	a.startGK(instanceConf(51, 150, "192.0.2.100/24", "advert_int 1", "use_vmac"))
	b.startGK(instanceConf(51, 100, "192.0.2.100/24", "advert_int 1", "use_vmac"))
	waitMasterOn(t, 15*time.Second, "vrrp.51", "192.0.2.100", a, b)
	a.proc.WaitOutput(t, 5*time.Second, "(VI_1): Success creating VMAC interface vrrp.51")
	if !b.hasLink("vrrp.51") {
		t.Fatal("the backup has no vrrp.51")
	}
	link, err := a.ns.IP(context.Background(), "-d", "-o", "link", "show", "dev", "vrrp.51")
	if err != nil || !strings.Contains(string(link), "link/ether 00:00:5e:00:01:33 ") ||
		!strings.Contains(string(link), "macvlan mode private") {
		t.Fatalf("vrrp.51 on a: %v\n%s", err, link)
	}
	waitCapture(t, l, pcap, 5,
		"00:00:5e:00:01:33 > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 192.0.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 150",
		// The frame is sometimes seen padded to 60 bytes on the bridge.
		"00:00:5e:00:01:33 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length ",
		"Request who-has 192.0.2.100 (ff:ff:ff:ff:ff:ff) tell 192.0.2.100,")

	a.stop(syscall.SIGTERM)
	waitNoLink(t, 5*time.Second, "vrrp.51", a)
	waitMasterOn(t, 10*time.Second, "vrrp.51", "192.0.2.100", b, a)
	b.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering MASTER STATE")
	waitCapture(t, l, pcap, 1,
		"00:00:5e:00:01:33 > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 192.0.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 0",
		"00:00:5e:00:01:33 > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 192.0.2.2 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 100")
	b.stop(syscall.SIGTERM)
	waitNoLink(t, 5*time.Second, "vrrp.51", b)
	stopCapture()
	if out := l.readCapture(pcap, "-e", "ip proto 112"); strings.Contains(out, a.mac()+" >") || strings.Contains(out, b.mac()+" >") {
		t.Errorf("adverts from a base MAC:\n%s", out)
	}
}

// TestIntegrationVMACXmitBase: with vmac_xmit_base the adverts leave from
// the base interface's MAC, the gratuitous ARPs still from the VMAC, as
// keepalived 2.2.7 does.
func TestIntegrationVMACXmitBase(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	pcap, stopCapture := l.capture("ip proto 112 or arp")
	a.startGK(instanceConf(52, 150, "192.0.2.100/24", "advert_int 1", "use_vmac", "vmac_xmit_base"))
	b.startGK(instanceConf(52, 100, "192.0.2.100/24", "advert_int 1", "use_vmac", "vmac_xmit_base"))
	waitMasterOn(t, 15*time.Second, "vrrp.52", "192.0.2.100", a, b)
	waitCapture(t, l, pcap, 3,
		a.mac()+" > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 192.0.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 52, prio 150",
		// The frame is sometimes seen padded to 60 bytes on the bridge.
		"00:00:5e:00:01:34 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length ",
		"Request who-has 192.0.2.100 (ff:ff:ff:ff:ff:ff) tell 192.0.2.100,")
	a.stop(syscall.SIGTERM)
	waitNoLink(t, 5*time.Second, "vrrp.52", a)
	waitMasterOn(t, 10*time.Second, "vrrp.52", "192.0.2.100", b, a)
	stopCapture()
}

// TestIntegrationInteropVMAC runs gokeepalived with use_vmac beside Debian's
// keepalived 2.2.7 with use_vmac, in each role: both send from
// 00:00:5e:00:01:3d and the VIP moves between their vrrp.61 both ways.
func TestIntegrationInteropVMAC(t *testing.T) {
	l := newLab(t)
	nstest.RequireBinaries(t, "keepalived")
	g := l.host("g", "192.0.2.1/24")
	k := l.host("k", "192.0.2.2/24")
	conf := func(prio int) string {
		return instanceConf(61, prio, "192.0.2.100/24", "advert_int 1", "use_vmac")
	}
	pcap, stopCapture := l.capture("ip proto 112")

	// gokeepalived master, keepalived backup; then keepalived takes over.
	g.startGK(conf(150))
	k.startKA(conf(100))
	waitMasterOn(t, 15*time.Second, "vrrp.61", "192.0.2.100", g, k)
	g.stop(syscall.SIGTERM)
	waitNoLink(t, 5*time.Second, "vrrp.61", g)
	waitMasterOn(t, 10*time.Second, "vrrp.61", "192.0.2.100", k, g)
	k.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering MASTER STATE")

	// keepalived master, gokeepalived backup; then gokeepalived takes over.
	g.startGK(conf(50))
	g.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering BACKUP STATE (init)")
	waitMasterOn(t, 10*time.Second, "vrrp.61", "192.0.2.100", k, g)
	k.stop(syscall.SIGTERM)
	waitNoLink(t, 5*time.Second, "vrrp.61", k)
	waitMasterOn(t, 10*time.Second, "vrrp.61", "192.0.2.100", g, k)
	g.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering MASTER STATE")
	waitCapture(t, l, pcap, 1,
		"00:00:5e:00:01:3d > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 192.0.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 61, prio 150",
		"00:00:5e:00:01:3d > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 192.0.2.2 > 224.0.0.18: VRRPv2, Advertisement, vrid 61, prio 100",
		"00:00:5e:00:01:3d > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 192.0.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 61, prio 50")
	g.stop(syscall.SIGTERM)
	waitNoLink(t, 5*time.Second, "vrrp.61", g)
	stopCapture()
}
