package vip

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// AddRoute installs r like `ip route`: "add" adds exclusively, "append"
// appends and "" or "prepend" prepends, as keepalived does. A route already
// present is not an error.
//
// Supported: dst, src, via (with "or" as a second nexthop), dev, vrf (its
// table), tos, scope, table, metric, protocol, realms, onlink, the route
// types, nexthop with via, dev, weight and onlink, and the options mtu,
// advmss, hoplimit, initcwnd, initrwnd, window, rtt, rttvar, ssthresh,
// cwnd, reordering, rto_min, quickack and congctl without "lock". The
// numbers are the configuration's (config.Route: names of iproute2's name
// files were resolved when it was read). Not supported, failing with
// [ErrNotSupported]: IPv6 "from", a nexthop's realms, encap, "lock" and the
// other options (features, fastopen_no_cookie, expires, pref, ...).
func (m *Manager) AddRoute(r *config.Route) error {
	return m.call(func() error {
		nr, err := m.routeToNetlink(r, false)
		if err != nil {
			return fmt.Errorf("add route %s: %w", r.Dst, err)
		}
		switch r.Op {
		case "add":
			err = m.h.RouteAdd(nr)
		case "append":
			err = m.h.RouteAppend(nr)
		default: // NLM_F_CREATE alone is `ip route prepend`.
			err = m.h.RouteAddEcmp(nr)
		}
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("add route %s: %w", r, err)
		}
		return nil
	})
}

// DelRoute deletes r like `ip route del`. An absent route, or one whose
// interface is gone, is not an error.
func (m *Manager) DelRoute(r *config.Route) error {
	return m.call(func() error {
		nr, err := m.routeToNetlink(r, true)
		if errors.Is(err, ErrNoLink) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("delete route %s: %w", r.Dst, err)
		}
		if err := m.h.RouteDel(nr); err != nil && !errors.Is(err, unix.ESRCH) &&
			!errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("delete route %s: %w", r, err)
		}
		return nil
	})
}

// routeToNetlink translates a route line; del selects the defaults of
// `ip route del` (any scope).
func (m *Manager) routeToNetlink(r *config.Route, del bool) (*netlink.Route, error) {
	if r.From.IsValid() {
		return nil, fmt.Errorf("from: %w", ErrNotSupported)
	}
	nr := &netlink.Route{Dst: ipNet(r.Dst), Family: family(r.Dst.Addr().Is6())}
	if r.Src.IsValid() {
		nr.Src = r.Src.AsSlice()
	}
	if err := m.routeDev(nr, r); err != nil {
		return nil, err
	}
	routeNumbers(nr, r)
	if err := m.routeNexthops(nr, r); err != nil {
		return nil, err
	}
	if err := routeOptions(nr, r.Options); err != nil {
		return nil, err
	}
	if r.Onlink {
		nr.Flags |= int(netlink.FLAG_ONLINK)
	}
	if r.Scope < 0 {
		nr.Scope = defaultScope(nr, del)
	}
	return nr, nil
}

// routeDev sets the gateway, interface and VRF table of nr.
func (m *Manager) routeDev(nr *netlink.Route, r *config.Route) error {
	if r.Via.IsValid() && !r.Or.IsValid() {
		nr.Gw = r.Via.AsSlice()
	}
	if r.Dev != "" {
		l, err := m.link(r.Dev)
		if err != nil {
			return err
		}
		nr.LinkIndex = l.Attrs().Index
	}
	if r.VRF != "" {
		l, err := m.link(r.VRF)
		if err != nil {
			return err
		}
		vrf, ok := l.(*netlink.Vrf)
		if !ok {
			return fmt.Errorf("vrf %s: not a VRF device", r.VRF)
		}
		nr.Table = int(vrf.Table)
	}
	return nil
}

// routeNumbers sets the type, table, protocol, scope, tos, metric and
// realms that are given.
func routeNumbers(nr *netlink.Route, r *config.Route) {
	for _, f := range []struct {
		v   int64
		set func(int64)
	}{
		{int64(r.Type), func(v int64) { nr.Type = int(v) }},
		{r.Table, func(v int64) { nr.Table = int(v) }},
		{int64(r.Protocol), func(v int64) { nr.Protocol = netlink.RouteProtocol(v) }},
		{int64(r.Scope), func(v int64) { nr.Scope = netlink.Scope(v) }},
		{int64(r.Tos), func(v int64) { nr.Tos = int(v) }},
		{r.Metric, func(v int64) { nr.Priority = int(v) }},
	} {
		if f.v >= 0 {
			f.set(f.v)
		}
	}
	nr.Realm = int(r.Realms)
}

// routeNexthops fills nr.MultiPath from "via A or B" or nexthop clauses.
func (m *Manager) routeNexthops(nr *netlink.Route, r *config.Route) error {
	if r.Or.IsValid() {
		nr.MultiPath = []*netlink.NexthopInfo{
			{LinkIndex: nr.LinkIndex, Gw: r.Via.AsSlice()},
			{LinkIndex: nr.LinkIndex, Gw: r.Or.AsSlice()},
		}
		nr.LinkIndex = 0
	}
	for _, nh := range r.Nexthops {
		if nh.Realms != 0 || len(nh.Encap) > 0 {
			return fmt.Errorf("nexthop realms or encap: %w", ErrNotSupported)
		}
		ni := &netlink.NexthopInfo{}
		if nh.Via.IsValid() {
			ni.Gw = nh.Via.AsSlice()
		}
		if nh.Dev != "" {
			l, err := m.link(nh.Dev)
			if err != nil {
				return err
			}
			ni.LinkIndex = l.Attrs().Index
		}
		if nh.Weight > 0 {
			ni.Hops = nh.Weight - 1
		}
		if nh.Onlink {
			ni.Flags |= int(netlink.FLAG_ONLINK)
		}
		nr.MultiPath = append(nr.MultiPath, ni)
	}
	return nil
}

// routeOptions sets the route metrics among opts.
func routeOptions(nr *netlink.Route, opts []config.Setting) error {
	for _, o := range opts {
		var dst *int
		switch o.Keyword {
		case "mtu":
			dst = &nr.MTU
		case "advmss":
			dst = &nr.AdvMSS
		case "hoplimit":
			dst = &nr.Hoplimit
		case "initcwnd":
			dst = &nr.InitCwnd
		case "initrwnd":
			dst = &nr.InitRwnd
		case "window":
			dst = &nr.Window
		case "rtt":
			dst = &nr.Rtt
		case "rttvar":
			dst = &nr.RttVar
		case "ssthresh":
			dst = &nr.Ssthresh
		case "cwnd":
			dst = &nr.Cwnd
		case "reordering":
			dst = &nr.Reordering
		case "rto_min":
			dst = &nr.RtoMin
		case "quickack":
			dst = &nr.QuickACK
		case "congctl":
			if len(o.Args) != 1 {
				return fmt.Errorf("congctl %v: %w", o.Args, ErrNotSupported)
			}
			nr.Congctl = o.Args[0]
			continue
		default:
			return fmt.Errorf("route option %s: %w", o.Keyword, ErrNotSupported)
		}
		if len(o.Args) != 1 {
			return fmt.Errorf("route option %s %v: %w", o.Keyword, o.Args, ErrNotSupported)
		}
		v, err := strconv.ParseUint(o.Args[0], 10, 32)
		if err != nil {
			return fmt.Errorf("route option %s %s: %w", o.Keyword, o.Args[0], ErrNotSupported)
		}
		*dst = int(v)
	}
	return nil
}

// defaultScope is iproute2's scope for a route given none: host for local
// and nat, link for broadcast, multicast and anycast and for unicast routes
// without a gateway, global otherwise; for deletion, any (nowhere).
func defaultScope(nr *netlink.Route, del bool) netlink.Scope {
	switch {
	case del:
		return netlink.SCOPE_NOWHERE
	case nr.Type == unix.RTN_LOCAL || nr.Type == unix.RTN_NAT:
		return netlink.SCOPE_HOST
	case nr.Type == unix.RTN_BROADCAST || nr.Type == unix.RTN_MULTICAST || nr.Type == unix.RTN_ANYCAST:
		return netlink.SCOPE_LINK
	case (nr.Type == 0 || nr.Type == unix.RTN_UNICAST) && nr.Gw == nil && len(nr.MultiPath) == 0:
		return netlink.SCOPE_LINK
	}
	return netlink.SCOPE_UNIVERSE
}

// family returns the netlink family of an IPv6 (true) or IPv4 address.
func family(v6 bool) int {
	if v6 {
		return netlink.FAMILY_V6
	}
	return netlink.FAMILY_V4
}
