package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// lab is a LAN of host namespaces for running VRRP daemons: gokeepalived
// (this test binary standing in for it, see TestMain) and Debian's
// keepalived.
type lab struct {
	t    *testing.T
	lan  *nstest.LAN
	self string
	dir  string
}

func newLab(t *testing.T) *lab {
	t.Helper()
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "ip", "env")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &lab{t: t, lan: nstest.NewLAN(t), self: self, dir: t.TempDir()}
}

// host is one namespace on the lab's LAN, with interface eth0.
type host struct {
	lab  *lab
	name string
	ns   *nstest.Netns
	port *nstest.Port
	proc *nstest.Process
}

// host adds a namespace with eth0 on the LAN carrying addrs.
func (l *lab) host(name string, addrs ...string) *host {
	l.t.Helper()
	ns := nstest.NewNetns(l.t, name)
	return &host{lab: l, name: name, ns: ns, port: l.lan.Attach(ns, "eth0", addrs...)}
}

func (h *host) writeConf(conf string) string {
	h.lab.t.Helper()
	p := filepath.Join(h.lab.dir, fmt.Sprintf("%s-%d.conf", h.name, time.Now().UnixNano()))
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		h.lab.t.Fatal(err)
	}
	return p
}

// startGK starts gokeepalived on conf, in the foreground, logging to the
// console with details, with pidfiles of its own.
func (h *host) startGK(conf string) *nstest.Process {
	h.lab.t.Helper()
	p := h.writeConf(conf)
	h.proc = h.ns.Start(h.lab.t, "env", "GOKEEPALIVED_TEST_MAIN=1", h.lab.self,
		"-n", "-l", "-D", "-G", "-f", p, "-p", p+".pid", "-r", p+".vrrp.pid")
	return h.proc
}

// startKA starts Debian's keepalived on conf, VRRP only, in the foreground.
func (h *host) startKA(conf string) *nstest.Process {
	h.lab.t.Helper()
	nstest.RequireBinaries(h.lab.t, "keepalived")
	p := h.writeConf(conf)
	h.proc = h.ns.Start(h.lab.t, "keepalived", "-n", "-l", "-D", "-P", "-f", p, "-p", p+".pid", "-r", p+".vrrp.pid")
	return h.proc
}

func (h *host) hasVIP(vip string) bool {
	ok, err := nstest.HasAddr(h.ns, "eth0", vip)
	if err != nil {
		h.lab.t.Fatalf("%s: %v", h.name, err)
	}
	return ok
}

// waitMaster waits until master holds vip and the others do not.
func waitMaster(t *testing.T, timeout time.Duration, vip string, master *host, others ...*host) {
	t.Helper()
	nstest.WaitFor(t, timeout, 10*time.Millisecond, func() (bool, string) {
		if !master.hasVIP(vip) {
			return false, master.name + " does not hold " + vip
		}
		for _, o := range others {
			if o.hasVIP(vip) {
				return false, o.name + " holds " + vip + " too"
			}
		}
		return true, ""
	})
}

// mac returns the MAC address of the host's eth0.
func (h *host) mac() string {
	h.lab.t.Helper()
	out, err := h.ns.IP(context.Background(), "-o", "link", "show", "eth0")
	if err != nil {
		h.lab.t.Fatalf("%s: %v", h.name, err)
	}
	f := strings.Fields(string(out))
	for i, w := range f {
		if w == "link/ether" && i+1 < len(f) {
			return f[i+1]
		}
	}
	h.lab.t.Fatalf("%s: no MAC address in %q", h.name, out)
	return ""
}

// waitVIP waits until h holds vip.
func waitVIP(t *testing.T, timeout time.Duration, vip string, h *host) {
	t.Helper()
	nstest.WaitFor(t, timeout, 10*time.Millisecond, func() (bool, string) {
		return h.hasVIP(vip), h.name + " does not hold " + vip
	})
}

// stop ends a daemon with sig and waits for it to exit.
func (h *host) stop(sig syscall.Signal) {
	h.lab.t.Helper()
	if err := h.proc.Signal(sig); err != nil {
		h.lab.t.Fatal(err)
	}
	if _, err := h.proc.Wait(10 * time.Second); err != nil && sig == syscall.SIGTERM {
		h.lab.t.Fatalf("%s after SIGTERM: %v\n%s", h.name, err, h.proc.Output())
	}
}

// instanceConf is a vrrp_instance named VI_1 on eth0 with extra lines.
func instanceConf(vrid, prio int, vip string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id %d\n    priority %d\n", vrid, prio)
	for _, e := range extra {
		b.WriteString("    " + e + "\n")
	}
	fmt.Fprintf(&b, "    virtual_ipaddress {\n        %s\n    }\n}\n", vip)
	return b.String()
}

// capture runs tcpdump on the LAN's bridge, writing to a file, until the
// test ends or stopCapture is called.
func (l *lab) capture(filter string) (file string, stop func()) {
	l.t.Helper()
	nstest.RequireBinaries(l.t, "tcpdump")
	file = filepath.Join(l.dir, fmt.Sprintf("cap-%d.pcap", time.Now().UnixNano()))
	p := l.lan.Start(l.t, "tcpdump", "-i", nstest.BridgeName, "--immediate-mode", "-U", "-n", "-w", file, filter)
	p.WaitOutput(l.t, 10*time.Second, "listening on")
	return file, func() {
		p.Signal(syscall.SIGINT)
		p.Wait(5 * time.Second)
	}
}

// readCapture prints a capture with tcpdump.
func (l *lab) readCapture(file string, args ...string) string {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := l.lan.Output(ctx, "tcpdump", append([]string{"-r", file, "-n"}, args...)...)
	if err != nil {
		l.t.Fatalf("tcpdump -r: %v\n%s", err, out)
	}
	return string(out)
}
