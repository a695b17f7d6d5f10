package vip

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// FR_ACT_* rule actions.
const (
	frActNop         = 3
	frActBlackhole   = 6
	frActUnreachable = 7
	frActProhibit    = 8
)

// AddRule installs r like `ip rule add`. A rule already present is not an
// error.
//
// Supported: not, from, to, preference, tos, fwmark with mask, iif, oif,
// uidrange, protocol, ipproto, sport, dport, realms, suppress_prefixlength,
// suppress_ifgroup, tunnel-id up to 32
// bits and the actions lookup (table), goto, nop, blackhole, unreachable
// and prohibit. Not supported, failing with [ErrNotSupported]: l3mdev and
// tunnel ids above 32 bits.
func (m *Manager) AddRule(r *config.Rule) error {
	nr, err := ruleToNetlink(r)
	if err != nil {
		return fmt.Errorf("add rule %s: %w", r, err)
	}
	return m.call(func() error {
		if err := m.h.RuleAdd(nr); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("add rule %s: %w", r, err)
		}
		return nil
	})
}

// DelRule deletes r like `ip rule del`. An absent rule is not an error.
func (m *Manager) DelRule(r *config.Rule) error {
	nr, err := ruleToNetlink(r)
	if err != nil {
		return fmt.Errorf("delete rule %s: %w", r, err)
	}
	return m.call(func() error {
		if err := m.h.RuleDel(nr); err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("delete rule %s: %w", r, err)
		}
		return nil
	})
}

// ruleToNetlink translates a rule line.
func ruleToNetlink(r *config.Rule) (*netlink.Rule, error) {
	if r.L3mdev {
		return nil, fmt.Errorf("l3mdev: %w", ErrNotSupported)
	}
	nr := netlink.NewRule()
	nr.Family = family(r.Family == config.IPv6)
	nr.Invert = r.Not
	nr.Priority = int(r.Preference)
	if r.From.IsValid() {
		nr.Src = ipNet(r.From)
	}
	if r.To.IsValid() {
		nr.Dst = ipNet(r.To)
	}
	nr.IifName, nr.OifName = r.Iif, r.Oif
	if r.FwmarkSet {
		nr.Mark = r.Fwmark
	}
	if r.FwMaskSet {
		mask := r.FwMask
		nr.Mask = &mask
	}
	if r.Protocol >= 0 {
		nr.Protocol = uint8(r.Protocol)
	}
	if r.SuppressPrefixLength >= 0 {
		nr.SuppressPrefixlen = r.SuppressPrefixLength
	}
	if r.TunnelIDSet {
		if r.TunnelID > 1<<32-1 {
			return nil, fmt.Errorf("tunnel-id %d: %w", r.TunnelID, ErrNotSupported)
		}
		nr.TunID = uint(r.TunnelID)
	}
	ruleNumbers(nr, r)
	if err := ruleRanges(nr, r); err != nil {
		return nil, err
	}
	if err := ruleAction(nr, r); err != nil {
		return nil, err
	}
	return nr, nil
}

// ruleNumbers sets the tos, ipproto, suppress_ifgroup and realms that
// are given.
func ruleNumbers(nr *netlink.Rule, r *config.Rule) {
	nr.Tos = uint(r.Tos)
	if r.IPProto >= 0 {
		nr.IPProto = r.IPProto
	}
	if r.SuppressIfgroup >= 0 {
		nr.SuppressIfgroup = r.SuppressIfgroup
	}
	if r.Realms != 0 {
		nr.Flow = int(r.Realms)
	}
}

// ruleRanges parses uidrange, sport and dport.
func ruleRanges(nr *netlink.Rule, r *config.Rule) error {
	if r.UIDRange != "" {
		lo, hi, err := parseRange(r.UIDRange, 32)
		if err != nil {
			return fmt.Errorf("uidrange: %w", err)
		}
		nr.UIDRange = netlink.NewRuleUIDRange(uint32(lo), uint32(hi))
	}
	for _, p := range []struct {
		text string
		dst  **netlink.RulePortRange
	}{{r.SPort, &nr.Sport}, {r.DPort, &nr.Dport}} {
		if p.text == "" {
			continue
		}
		lo, hi, err := parseRange(p.text, 16)
		if err != nil {
			return fmt.Errorf("port range: %w", err)
		}
		*p.dst = netlink.NewRulePortRange(uint16(lo), uint16(hi))
	}
	return nil
}

// parseRange parses "N" or "START-END" of numbers of the given bit size.
func parseRange(s string, bits int) (lo, hi uint64, err error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	if lo, err = strconv.ParseUint(a, 10, bits); err != nil {
		return 0, 0, fmt.Errorf("invalid range %q", s)
	}
	if hi, err = strconv.ParseUint(b, 10, bits); err != nil || hi < lo {
		return 0, 0, fmt.Errorf("invalid range %q", s)
	}
	return lo, hi, nil
}

// ruleAction sets the table, goto target or action type.
func ruleAction(nr *netlink.Rule, r *config.Rule) error {
	switch r.Action {
	case "lookup", "":
		if r.Table != 0 {
			nr.Table = int(r.Table)
		}
	case "goto":
		nr.Goto = int(r.Goto)
	case "nop":
		nr.Type = frActNop
	case "blackhole":
		nr.Type = frActBlackhole
	case "unreachable":
		nr.Type = frActUnreachable
	case "prohibit":
		nr.Type = frActProhibit
	default:
		return fmt.Errorf("rule action %q: %w", r.Action, ErrNotSupported)
	}
	return nil
}
