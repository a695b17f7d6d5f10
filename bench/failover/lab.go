package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// bridge is the name of the LAN's bridge inside its namespace.
const bridge = "br0"

// failLab is a LAN (a bridge in a namespace of its own) joining host a, the
// master, and host b, the backup, each through its eth0.
type failLab struct {
	lan, a, b *nstest.Netns
}

// Host addresses and the VIP of the failover lab.
const (
	addrA = "192.0.2.1"
	addrB = "192.0.2.2"
	vipFo = "192.0.2.100"
)

// newFailLab creates the namespaces, the bridge and the hosts' interfaces.
// On error it removes what it made.
func newFailLab(parent context.Context) (l *failLab, err error) {
	l = &failLab{}
	defer func() {
		if err == nil {
			err = interrupted(parent)
		}
		if err != nil {
			err = errors.Join(err, l.Close())
		}
	}()
	ctx, cancel := setupContext(parent)
	defer cancel()
	if l.lan, err = nstest.Create(ctx, "folan"); err != nil {
		return l, fmt.Errorf("create namespace: %w", err)
	}
	if _, err = l.lan.IP(ctx, "link", "add", bridge, "type", "bridge",
		"forward_delay", "0", "stp_state", "0", "mcast_snooping", "0"); err != nil {
		return l, err
	}
	if _, err = l.lan.IP(ctx, "link", "set", bridge, "up"); err != nil {
		return l, err
	}
	for _, h := range []struct {
		ns   **nstest.Netns
		pfx  string
		addr string
		port string
	}{{&l.a, "foa", addrA, "pa"}, {&l.b, "fob", addrB, "pb"}} {
		if *h.ns, err = nstest.Create(ctx, h.pfx); err != nil {
			return l, fmt.Errorf("create namespace: %w", err)
		}
		if err = (*h.ns).AddVeth(ctx, "eth0", l.lan, h.port); err != nil {
			return l, err
		}
		if _, err = l.lan.IP(ctx, "link", "set", h.port, "master", bridge); err != nil {
			return l, err
		}
		if err = (*h.ns).AddAddr(ctx, "eth0", h.addr+"/24"); err != nil {
			return l, err
		}
	}
	return l, nil
}

// setupContext returns the context for building a lab: not cancelled by
// SIGINT, so that no `ip netns add` is killed half-way and a namespace never
// escapes its Close, but bounded in time. The lab checks parent afterwards.
func setupContext(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(parent), time.Minute)
}

// interrupted returns an error if ctx has ended.
func interrupted(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	return nil
}

// Close kills the processes started in the lab's namespaces and deletes
// them.
func (l *failLab) Close() error {
	var errs []error
	for _, ns := range []*nstest.Netns{l.a, l.b, l.lan} {
		if ns != nil {
			errs = append(errs, ns.Close())
		}
	}
	return errors.Join(errs...)
}

// startDaemon writes conf to path and starts prog on it in ns.
func startDaemon(ns *nstest.Netns, prog program, path, conf string) (*nstest.Process, error) {
	// Not executable: keepalived refuses executable configuration files.
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return nil, fmt.Errorf("write config: %w", err)
	}
	return ns.StartProcess(prog.path, prog.args(path)...)
}

// waitUntil polls cond every interval until it holds, failing after timeout,
// when ctx ends, or as soon as one of procs exits. Errors carry the output
// of procs, so a daemon that failed to start shows its log.
func waitUntil(ctx context.Context, timeout, interval time.Duration, what string, procs []*nstest.Process, cond func() (bool, string)) error {
	var dead *nstest.Process
	err := nstest.Poll(ctx, timeout, interval, func() (bool, string) {
		for _, p := range procs {
			select {
			case <-p.Exited():
				dead = p
				return true, ""
			default:
			}
		}
		return cond()
	})
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted while waiting for %s: %w", what, ctx.Err())
	case dead != nil:
		_, werr := dead.Wait(time.Second) // Already reaped: returns at once.
		return fmt.Errorf("%s exited (%v) while waiting for %s%s", dead.Name, werr, what, logs(dead))
	case err != nil:
		return fmt.Errorf("waiting for %s: %w%s", what, err, logs(procs...))
	}
	return nil
}

// logs renders the output of procs for an error message.
func logs(procs ...*nstest.Process) string {
	var b strings.Builder
	for _, p := range procs {
		fmt.Fprintf(&b, "\n--- output of %s (pid %d):\n%s", p.Name, p.Pid, strings.TrimRight(p.Output(), "\n"))
	}
	return b.String()
}

// hasAddr reports whether ns has addr (any prefix length) on ifname.
func hasAddr(ns *nstest.Netns, ifname, addr string) (bool, string) {
	ok, err := nstest.HasAddr(ns, ifname, addr)
	if err != nil {
		return false, err.Error()
	}
	return ok, fmt.Sprintf("%s on %s in %s: %v", addr, ifname, ns.Name(), ok)
}

// runDir makes a fresh directory under dir for one run's files.
func runDir(dir, prefix string) (string, error) {
	d, err := os.MkdirTemp(dir, prefix)
	if err != nil {
		return "", fmt.Errorf("make run directory: %w", err)
	}
	return filepath.Clean(d), nil
}
