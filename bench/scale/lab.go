package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// perSegment is how many instances share one LAN segment: VRIDs are per
// interface, and 200 keep the lab small.
const perSegment = 200

// lab is two hosts, A (the master) and B (the backup), joined by one
// bridged segment per perSegment instances: segment k is bridge br<k> in
// the LAN namespace, with A's eth<k> and B's eth<k> on it.
type lab struct {
	lan, a, b *nstest.Netns
	segments  int
}

// segments returns how many segments n instances use.
func segments(n int) int { return (n + perSegment - 1) / perSegment }

// base returns the /24 (its first three octets) of segment k: VIPs are .1
// to .200 in it, the hosts' addresses above.
func base(k int) string { return [...]string{"192.0.2", "198.51.100", "203.0.113"}[k%3] }

// hostAddr returns the address of host A (b false) or B on segment k.
// Segments sharing a /24 (k, k+3, ...) are different interfaces, so the
// same VIPs may repeat on them; host addresses do not.
func hostAddr(k int, b bool) string {
	o := 201 + 2*(k/3)
	if b {
		o++
	}
	return fmt.Sprintf("%s.%d", base(k), o)
}

// newLab creates the namespaces, bridges and interfaces for n instances,
// removing what it made on error.
func newLab(ctx context.Context, n int) (l *lab, err error) {
	l = &lab{segments: segments(n)}
	defer func() {
		if err != nil {
			err = errors.Join(err, l.Close())
		}
	}()
	// Not cancelled by SIGINT half-way: Close must see every namespace.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	for _, ns := range []struct {
		p      **nstest.Netns
		prefix string
	}{{&l.lan, "sclan"}, {&l.a, "sca"}, {&l.b, "scb"}} {
		if *ns.p, err = nstest.Create(sctx, ns.prefix); err != nil {
			return l, err
		}
	}
	// The LAN is a switch: no netfilter on bridged frames, whatever
	// br_netfilter the host has loaded (best effort: it may not be).
	l.lan.Run(sctx, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0",
		"net.bridge.bridge-nf-call-ip6tables=0", "net.bridge.bridge-nf-call-arptables=0")
	for k := range l.segments {
		br := fmt.Sprintf("br%d", k)
		if _, err = l.lan.IP(sctx, "link", "add", br, "type", "bridge", "forward_delay", "0", "stp_state", "0", "mcast_snooping", "0"); err != nil {
			return l, err
		}
		if _, err = l.lan.IP(sctx, "link", "set", br, "up"); err != nil {
			return l, err
		}
		for _, h := range []struct {
			ns   *nstest.Netns
			port string
			b    bool
		}{{l.a, fmt.Sprintf("a%d", k), false}, {l.b, fmt.Sprintf("b%d", k), true}} {
			ifname := fmt.Sprintf("eth%d", k)
			if err = h.ns.AddVeth(sctx, ifname, l.lan, h.port); err != nil {
				return l, err
			}
			if _, err = l.lan.IP(sctx, "link", "set", h.port, "master", br); err != nil {
				return l, err
			}
			if err = h.ns.AddAddr(sctx, ifname, hostAddr(k, h.b)+"/24"); err != nil {
				return l, err
			}
		}
	}
	return l, nil
}

// Close kills what runs in the lab and deletes its namespaces.
func (l *lab) Close() error {
	var errs []error
	for _, ns := range []*nstest.Netns{l.a, l.b, l.lan} {
		if ns != nil {
			errs = append(errs, ns.Close())
		}
	}
	return errors.Join(errs...)
}

// vips counts the /32 IPv4 addresses in ns (host addresses are /24).
func vips(ctx context.Context, ns *nstest.Netns) (int, error) {
	out, err := ns.IP(ctx, "-4", "-o", "addr", "show")
	if err != nil {
		return 0, err
	}
	return strings.Count(string(out), "/32 "), nil
}

// txPackets sums the packets sent on ns's eth* interfaces.
func txPackets(ctx context.Context, ns *nstest.Netns) (uint64, error) {
	out, err := ns.Output(ctx, "sh", "-c", "cat /sys/class/net/eth*/statistics/tx_packets")
	if err != nil {
		return 0, err
	}
	var sum uint64
	for _, f := range strings.Fields(string(out)) {
		var v uint64
		if _, err := fmt.Sscan(f, &v); err != nil {
			return 0, fmt.Errorf("tx_packets %q: %w", f, err)
		}
		sum += v
	}
	return sum, nil
}

// conf returns host A's (b false) or B's configuration of case c.
func conf(c scaleCase, b bool) string {
	prio := 200
	if b {
		prio = 100
	}
	var s strings.Builder
	fmt.Fprintf(&s, "global_defs {\n    router_id scale%d\n}\n", prio)
	for i := range c.n {
		k, vrid := i/perSegment, i%perSegment+1
		fmt.Fprintf(&s, "vrrp_instance VI_%d {\n    state BACKUP\n    interface eth%d\n    virtual_router_id %d\n"+
			"    priority %d\n    version %d\n    advert_int %s\n", i, k, vrid, prio, c.version, c.advert)
		if c.unicast {
			fmt.Fprintf(&s, "    unicast_src_ip %s\n    unicast_peer {\n        %s\n    }\n", hostAddr(k, b), hostAddr(k, !b))
		}
		fmt.Fprintf(&s, "    virtual_ipaddress {\n        %s.%d/32 dev eth%d\n    }\n}\n", base(k), vrid, k)
	}
	return s.String()
}
