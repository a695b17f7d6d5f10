package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// reloadConf is ten VRRPv3 instances on eth0, each with a VIP and a notify
// script that appends its arguments to notify; change edits the text.
func reloadConf(notify string, change func(i int) (prio int, extra string, skip bool)) string {
	var b strings.Builder
	b.WriteString("global_defs {\n    enable_script_security\n    script_user root\n    vrrp_garp_master_delay 0\n}\n")
	for i := 1; i <= 10; i++ {
		prio, extra, skip := 150, "", false
		if change != nil {
			prio, extra, skip = change(i)
		}
		if skip {
			continue
		}
		fmt.Fprintf(&b, "vrrp_instance VI_%d {\n    interface eth0\n    virtual_router_id %d\n    priority %d\n"+
			"    version 3\n    advert_int 0.1\n    notify %s\n    virtual_ipaddress {\n        192.0.2.%d/24\n%s    }\n}\n",
			i, 100+i, prio, notify, 100+i, extra)
	}
	return b.String()
}

// TestIntegrationReloadNoFlap is issue 5's reload test: a MASTER with ten
// instances reloaded 100 times with an unchanged configuration deletes no
// VIP, sends no GARP, changes no state and runs no notify, with steady
// goroutine and descriptor counts; a reload that removes an instance, adds
// a VIP and changes a priority changes only those; a broken configuration
// changes nothing and is reported with file:line:col.
func TestIntegrationReloadNoFlap(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	dir := t.TempDir()
	notifyLog := filepath.Join(dir, "notify.log")
	script := filepath.Join(dir, "notify.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$*\" >> "+notifyLog+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := a.writeConf(reloadConf(script, nil))
	mon := a.ns.Start(t, "ip", "monitor", "address")
	garps, stopCap := l.capture("arp")
	a.proc = a.ns.Start(t, "env", "GOKEEPALIVED_TEST_MAIN=1", l.self, "-n", "-l", "-D", "-G", "-f", conf, "-p", conf+".pid", "-r", conf+".vrrp.pid")
	for i := 1; i <= 10; i++ {
		waitVIP(t, 10*time.Second, fmt.Sprintf("192.0.2.%d", 100+i), a)
	}
	notifies := func() []string {
		b, _ := os.ReadFile(notifyLog)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	nstest.WaitFor(t, 10*time.Second, 10*time.Millisecond, func() (bool, string) {
		return len(notifies()) == 20, fmt.Sprintf("%d notify lines, want 20", len(notifies()))
	})
	goroutines := regexp.MustCompile(`Reload: (\d+) goroutines`)
	reloads := 0
	reload := func() {
		t.Helper()
		reloads++
		if err := a.proc.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		// The goroutine count is the last line of a reload.
		nstest.WaitFor(t, 10*time.Second, 2*time.Millisecond, func() (bool, string) {
			n := len(goroutines.FindAllString(a.proc.Output(), -1)) + strings.Count(a.proc.Output(), "Reload aborted")
			return n == reloads, fmt.Sprintf("%d reloads finished, want %d", n, reloads)
		})
	}
	fds := func() int {
		es, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", a.proc.Pid))
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	lastGoroutines := func() string {
		m := goroutines.FindAllStringSubmatch(a.proc.Output(), -1)
		if len(m) == 0 {
			t.Fatal("no goroutine count logged")
		}
		return m[len(m)-1][1]
	}
	entering := strings.Count(a.proc.Output(), "Entering")
	var arpBefore string
	nstest.WaitFor(t, 10*time.Second, 10*time.Millisecond, func() (bool, string) {
		arpBefore = l.readCapture(garps)
		n := strings.Count(arpBefore, "\n")
		return n == 50, fmt.Sprintf("%d ARP packets captured, want the 10 VIPs' 5 GARPs", n)
	})
	start := time.Now()
	for range 10 {
		reload()
	}
	fd10, g10 := fds(), lastGoroutines()
	for range 90 {
		reload()
	}
	elapsed := time.Since(start)
	fd100, g100 := fds(), lastGoroutines()
	if fd100 != fd10 || g100 != g10 {
		t.Errorf("after 10 reloads: %d fds, %s goroutines; after 100: %d, %s", fd10, g10, fd100, g100)
	}
	t.Logf("100 unchanged reloads in %v (%v each, signal to last log line); %d fds and %s goroutines after 10 and after 100",
		elapsed.Round(time.Millisecond), (elapsed / 100).Round(10*time.Microsecond), fd100, g100)
	if n := strings.Count(a.proc.Output(), "Entering"); n != entering {
		t.Errorf("state changes during unchanged reloads:\n%s", a.proc.Output())
	}
	if n := len(notifies()); n != 20 {
		t.Errorf("notifies during unchanged reloads: %q", notifies()[20:])
	}
	if strings.Contains(mon.Output(), "Deleted") {
		t.Errorf("addresses deleted during unchanged reloads:\n%s", mon.Output())
	}
	if after := l.readCapture(garps); after != arpBefore {
		t.Errorf("ARP traffic during unchanged reloads:\n%s", strings.TrimPrefix(after, arpBefore))
	}

	// A broken configuration changes nothing and is reported.
	if err := os.WriteFile(conf, []byte(reloadConf(script, nil)+"vrrp_instance VI_X {\n    priorty 100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reload()
	out := a.proc.Output()
	if !regexp.MustCompile(regexp.QuoteMeta(conf)+`:\d+:\d+: error: `).MatchString(out) || !strings.Contains(out, "Reload aborted") {
		t.Errorf("the broken configuration is not reported with file:line:col:\n%s", out)
	}

	// Remove VI_10, add a VIP to VI_1, lower VI_2's priority.
	if err := os.WriteFile(conf, []byte(reloadConf(script, func(i int) (int, string, bool) {
		switch i {
		case 1:
			return 150, "        192.0.2.200/24\n", false
		case 2:
			return 120, "", false
		case 10:
			return 0, "", true
		}
		return 150, "", false
	})), 0o644); err != nil {
		t.Fatal(err)
	}
	reload()
	waitVIP(t, 5*time.Second, "192.0.2.200", a)
	nstest.WaitFor(t, 5*time.Second, 10*time.Millisecond, func() (bool, string) {
		return !a.hasVIP("192.0.2.110"), "VI_10's VIP is still there"
	})
	nstest.WaitFor(t, 5*time.Second, 10*time.Millisecond, func() (bool, string) {
		return len(notifies()) == 21, fmt.Sprintf("notify lines %q", notifies())
	})
	if got := notifies()[20]; got != "INSTANCE VI_10 FAULT 150" {
		t.Errorf("removed instance notified %q, want INSTANCE VI_10 FAULT 150", got)
	}
	stopCap()
	deleted := regexp.MustCompile(`Deleted .*inet (\S+)`).FindAllStringSubmatch(mon.Output(), -1)
	if len(deleted) != 1 || deleted[0][1] != "192.0.2.110/24" {
		t.Errorf("deleted addresses %q, want only VI_10's 192.0.2.110/24", deleted)
	}
	if n := strings.Count(a.proc.Output(), "Entering"); n != entering {
		t.Errorf("a reload changed states:\n%s", a.proc.Output())
	}
	tr := l.readCapture(garps, "arp")
	if !strings.Contains(tr, "192.0.2.200") {
		t.Errorf("no GARP for the new VIP:\n%s", tr)
	}
	if strings.Contains(strings.TrimPrefix(tr, arpBefore), "192.0.2.101 ") {
		t.Errorf("GARPs for VI_1's unchanged VIP after the reload")
	}
}
