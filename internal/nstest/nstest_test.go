package nstest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestUniqueName(t *testing.T) {
	seen := make(map[string]bool)
	for _, prefix := range []string{"", "a", "LAN", "a-very-long-prefix", "x_y!z"} {
		for range 100 {
			name := uniqueName(prefix)
			if len(name) > 15 {
				t.Errorf("uniqueName(%q) = %q: longer than 15", prefix, name)
			}
			if seen[name] {
				t.Errorf("uniqueName(%q) = %q: duplicate", prefix, name)
			}
			seen[name] = true
		}
	}
	if got := uniqueName("a-very-long-prefix"); !strings.HasPrefix(got, "averyl-") {
		t.Errorf("uniqueName cut prefix to %q, want averyl-...", got)
	}
}

func TestPoll(t *testing.T) {
	calls := 0
	err := Poll(context.Background(), time.Second, time.Millisecond, func() (bool, string) {
		calls++
		return calls == 3, "calls"
	})
	if err != nil || calls != 3 {
		t.Fatalf("Poll = %v after %d calls, want nil after 3", err, calls)
	}
	err = Poll(context.Background(), 20*time.Millisecond, 5*time.Millisecond, func() (bool, string) {
		return false, "never"
	})
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "never") {
		t.Fatalf("Poll = %v, want ErrTimeout quoting the description", err)
	}
}

// TestIntegrationHarness checks the harness itself: two hosts on a LAN ping
// each other over IPv4 and IPv6, names are unique, processes are started,
// signalled and reaped, and everything is gone after cleanup.
func TestIntegrationHarness(t *testing.T) {
	RequireRoot(t)
	RequireBinaries(t, "ip", "ping", "sh", "sleep")

	var names []string
	var pid int
	t.Run("lan", func(t *testing.T) {
		names, pid = exerciseHarness(t)
	})
	if t.Failed() {
		return
	}
	for _, name := range names {
		if _, err := os.Stat(netnsDir + "/" + name); !os.IsNotExist(err) {
			t.Errorf("namespace %s still exists after cleanup (stat: %v)", name, err)
		}
	}
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatalf("ip netns list: %v", err)
	}
	for _, name := range names {
		if strings.Contains(string(out), name) {
			t.Errorf("ip netns list still shows %s:\n%s", name, out)
		}
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d left running after cleanup: kill 0 = %v", pid, err)
	}
}

// exerciseHarness builds a LAN with two hosts and checks them; it returns
// the namespace names made and the pid of a process left for cleanup to kill.
func exerciseHarness(t *testing.T) ([]string, int) {
	lan := NewLAN(t)
	a := NewNetns(t, "a")
	b := NewNetns(t, "b")
	lan.Attach(a, "eth0", "192.0.2.1/24", "2001:db8::1/64")
	pb := lan.Attach(b, "eth0", "192.0.2.2/24", "2001:db8::2/64")
	AddLink(a, "eth1", "198.51.100.1/24")
	names := []string{lan.Name(), a.Name(), b.Name(), a.scratch.Name()}
	checkUnique(t, names)

	ctx := t.Context()
	for _, c := range []struct {
		from *Netns
		to   string
	}{{a, "192.0.2.2"}, {b, "192.0.2.1"}, {a, "2001:db8::2"}, {b, "2001:db8::1"}} {
		if err := c.from.Run(ctx, "ping", "-c1", "-W1", c.to); err != nil {
			t.Errorf("ping from %s: %v", c.from, err)
		}
	}
	lan.SetUp(pb, false)
	if err := a.Run(ctx, "ping", "-c1", "-W1", "192.0.2.2"); err == nil {
		t.Errorf("ping 192.0.2.2 from %s succeeded with %s's port down", a, b)
	}
	lan.SetUp(pb, true)

	if ok, err := HasAddr(a, "eth1", "198.51.100.1/24"); !ok || err != nil {
		t.Errorf("HasAddr(%s, eth1, 198.51.100.1/24) = %v, %v; want true", a, ok, err)
	}
	if ok, err := HasAddr(a, "eth1", "198.51.100.1/25"); ok || err != nil {
		t.Errorf("HasAddr(%s, eth1, 198.51.100.1/25) = %v, %v; want false", a, ok, err)
	}
	if _, err := a.IP(ctx, "addr", "add", "198.51.100.9/24", "dev", "eth1"); err != nil {
		t.Fatal(err)
	}
	WaitFor(t, 5*time.Second, 10*time.Millisecond, AddrCondition(a, "eth1", "198.51.100.9", true))
	out, err := b.Output(ctx, "ip", "-o", "link", "show", "eth0")
	if err != nil || !strings.Contains(string(out), "eth0") {
		t.Errorf("ip link show eth0 in %s = %q, %v", b, out, err)
	}

	checkProcesses(t, a)
	left := b.Start(t, "sleep", "300")
	return names, left.Pid
}

// checkUnique fails t if names repeat, are too long or are not namespaces.
func checkUnique(t *testing.T, names []string) {
	for range 5 {
		names = append(names, NewNetns(t, "a").Name())
	}
	seen := make(map[string]bool)
	for _, name := range names {
		if seen[name] || len(name) > 15 {
			t.Errorf("namespace name %q duplicate or longer than 15", name)
		}
		seen[name] = true
		if _, err := os.Stat(netnsDir + "/" + name); err != nil {
			t.Errorf("namespace %s: %v", name, err)
		}
	}
}

// checkProcesses starts processes in ns and checks output capture, Signal,
// Wait and exit status.
func checkProcesses(t *testing.T, ns *Netns) {
	p := ns.Start(t, "sh", "-c", "echo ready; exec sleep 300")
	p.WaitOutput(t, 5*time.Second, "ready")
	if _, err := p.Wait(10 * time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("Wait on a running process = %v, want ErrTimeout", err)
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	st, err := p.Wait(5 * time.Second)
	if err == nil || st == nil {
		t.Fatalf("Wait after SIGTERM = %v, %v; want a signalled exit", st, err)
	}
	if ws := st.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("exit status %v, want killed by SIGTERM", st)
	}

	q := ns.Start(t, "sh", "-c", "exit 3")
	st, _ = q.Wait(5 * time.Second)
	if st == nil || st.ExitCode() != 3 {
		t.Errorf("exit status %v, want 3", st)
	}
	out, err := ns.Output(t.Context(), "cat", "/proc/net/dev")
	if err != nil || !strings.Contains(string(out), "eth1") {
		t.Errorf("/proc/net/dev inside %s lacks eth1: %q, %v", ns, out, err)
	}
}
