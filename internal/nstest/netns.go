package nstest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// MaxPrefixLen is the longest prefix [NewNetns] keeps; longer prefixes are
// cut. With the separator and the random suffix a name is at most 15
// characters, so it can also serve as an interface name.
const MaxPrefixLen = 6

// netnsDir is where iproute2 keeps named namespaces.
const netnsDir = "/run/netns"

// cleanupTimeout bounds how long Close waits for killed processes.
const cleanupTimeout = 10 * time.Second

// Netns is a named network namespace made by [NewNetns] or [Create].
// Its methods are safe for concurrent use, except that those taking or using a
// testing.TB must be called from the test's goroutine.
type Netns struct {
	name string
	tb   testing.TB // nil when made by Create

	mu      sync.Mutex
	procs   []*Process
	scratch *Netns // peer namespace for AddLink, made on first use
	links   int    // counter for generated peer names
	closed  bool
}

// randomSuffix returns n random hex digits.
func randomSuffix(n int) string {
	b := make([]byte, (n+1)/2)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux.
	return hex.EncodeToString(b)[:n]
}

// uniqueName returns prefix, cut to [MaxPrefixLen] and cleaned to
// [a-z0-9], followed by "-" and 8 random hex digits.
func uniqueName(prefix string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(prefix) {
		if b.Len() == MaxPrefixLen {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		b.WriteString("ns")
	}
	return b.String() + "-" + randomSuffix(8)
}

// Create makes a new uniquely named namespace whose name starts with prefix,
// sets its loopback up and switches IPv6 duplicate address detection off in
// it. The caller must call [Netns.Close]. Tests should use [NewNetns].
func Create(ctx context.Context, prefix string) (*Netns, error) {
	var lastErr error
	for range 3 { // A collision is unlikely; retry a few times anyway.
		name := uniqueName(prefix)
		if _, err := os.Stat(netnsDir + "/" + name); err == nil {
			continue
		}
		out, err := exec.CommandContext(ctx, "ip", "netns", "add", name).CombinedOutput()
		if err != nil {
			lastErr = fmt.Errorf("ip netns add %s: %w: %s", name, err, bytes.TrimSpace(out))
			continue
		}
		n := &Netns{name: name}
		if err := n.setup(ctx); err != nil {
			return nil, errors.Join(err, n.Close())
		}
		return n, nil
	}
	return nil, fmt.Errorf("create namespace with prefix %q: %w", prefix, lastErr)
}

// setup brings loopback up and disables IPv6 DAD for all current and future
// interfaces of n, so that IPv6 addresses are usable at once.
func (n *Netns) setup(ctx context.Context) error {
	if _, err := n.IP(ctx, "link", "set", "lo", "up"); err != nil {
		return err
	}
	if _, err := os.Stat("/proc/sys/net/ipv6"); err != nil {
		return nil // No IPv6 in this kernel: nothing to disable.
	}
	const script = `for c in all default; do echo 0 > /proc/sys/net/ipv6/conf/$c/accept_dad; done`
	return n.Run(ctx, "sh", "-c", script)
}

// NewNetns makes a uniquely named namespace (see [Create]) and registers a
// t.Cleanup that kills the processes started in it and deletes it. It fails
// t on error. The name is prefix cut to [MaxPrefixLen] characters, "-" and 8
// random hex digits, for example "a-3f09c2d1".
func NewNetns(t testing.TB, prefix string) *Netns {
	t.Helper()
	n, err := Create(t.Context(), prefix)
	if err != nil {
		t.Fatalf("nstest: %v", err)
	}
	n.tb = t
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("nstest: %v", err)
		}
	})
	return n
}

// Name returns the namespace's name, as used by `ip netns` and `ip -n`.
func (n *Netns) Name() string { return n.name }

// Path returns the namespace's bind-mount path, /run/netns/NAME.
func (n *Netns) Path() string { return netnsDir + "/" + n.name }

// String returns the namespace's name.
func (n *Netns) String() string { return n.name }

// Close kills every process started in n (and any other process still in it,
// all of which descend from processes started by this package), deletes any
// scratch namespace made by [AddLink] and then deletes n. Calling Close more
// than once is harmless.
func (n *Netns) Close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	procs, scratch := n.procs, n.scratch
	n.procs, n.scratch = nil, nil
	n.mu.Unlock()

	var errs []error
	for _, p := range procs {
		if err := p.kill(cleanupTimeout); err != nil {
			errs = append(errs, err)
		}
	}
	n.killStrays()
	if scratch != nil {
		errs = append(errs, scratch.Close())
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "netns", "delete", n.name).CombinedOutput()
	if err != nil {
		errs = append(errs, fmt.Errorf("ip netns delete %s: %w: %s", n.name, err, bytes.TrimSpace(out)))
	}
	return errors.Join(errs...)
}

// killStrays sends SIGKILL to the processes still inside n, such as children a
// daemon forked into a new process group. They all descend from processes
// this package started, since nothing else enters a uniquely named namespace.
func (n *Netns) killStrays() {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "netns", "pids", n.name).Output()
	if err != nil {
		return
	}
	for _, f := range strings.Fields(string(out)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// Command returns a command that runs name with args inside n (through
// `ip netns exec`, which execs name, so the started process is name itself).
// ctx kills it as in exec.CommandContext.
func (n *Netns) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	argv := append([]string{"netns", "exec", n.name, name}, args...)
	return exec.CommandContext(ctx, "ip", argv...)
}

// Run runs name with args inside n and waits for it. The error includes the
// command's combined output.
func (n *Netns) Run(ctx context.Context, name string, args ...string) error {
	out, err := n.Command(ctx, name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s in %s: %w: %s", cmdline(name, args), n.name, err, bytes.TrimSpace(out))
	}
	return nil
}

// Output runs name with args inside n and returns its standard output. The
// error includes the command's standard error.
func (n *Netns) Output(ctx context.Context, name string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := n.Command(ctx, name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s in %s: %w: %s", cmdline(name, args), n.name, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// IP runs `ip -n NAME args...` and returns its standard output. It is cheaper
// than Run(ctx, "ip", ...) as it needs no `ip netns exec`.
func (n *Netns) IP(ctx context.Context, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ip", append([]string{"-n", n.name}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("ip -n %s %s: %w: %s", n.name, strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// mustIP runs IP and fails n's test on error.
func (n *Netns) mustIP(args ...string) []byte {
	t := n.test()
	t.Helper()
	out, err := n.IP(t.Context(), args...)
	if err != nil {
		t.Fatalf("nstest: %v", err)
	}
	return out
}

// test returns the testing.TB n was made with, and panics when n was made by
// Create, since the test helpers need one.
func (n *Netns) test() testing.TB {
	if n.tb == nil {
		panic("nstest: namespace " + n.name + " was made by Create; test helpers need one made by NewNetns")
	}
	return n.tb
}

// cmdline renders a command for error messages.
func cmdline(name string, args []string) string {
	return strings.Join(append([]string{name}, args...), " ")
}
