package dumps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// FormatRule returns a virtual_rules line as keepalived 2.2.7 prints it in
// its dumps (format_iprule), for example
// "from 192.0.2.100 priority 100 tos 0x0 protocol 18 lookup 100": "from
// all" when no source is given, the priority and TOS always, and the
// numbers of tables, TOS, groups, IP protocols and realms as the
// configuration holds them.
func FormatRule(r *config.Rule) string {
	var b strings.Builder
	if r.Family == config.IPv6 && !r.From.IsValid() && !r.To.IsValid() {
		b.WriteString("inet6 ")
	}
	flag(&b, "not ", r.Not)
	if r.From.IsValid() {
		b.WriteString("from " + prefixText(r.From))
	} else {
		b.WriteString("from all")
	}
	if r.To.IsValid() {
		b.WriteString(" to " + prefixText(r.To))
	}
	fmt.Fprintf(&b, " priority %d", r.Preference)
	fmt.Fprintf(&b, " tos 0x%x", r.Tos)
	if r.FwmarkSet {
		fmt.Fprintf(&b, " fwmark 0x%x", r.Fwmark)
		if r.FwMaskSet && r.FwMask != 0xffffffff {
			fmt.Fprintf(&b, "/0x%x", r.FwMask)
		}
	}
	if r.Iif != "" {
		b.WriteString(" iif " + r.Iif)
	}
	if r.Oif != "" {
		b.WriteString(" oif " + r.Oif)
	}
	if r.SuppressPrefixLength >= 0 {
		fmt.Fprintf(&b, " suppress_prefixlen %d", r.SuppressPrefixLength)
	}
	if r.SuppressIfgroup >= 0 {
		fmt.Fprintf(&b, " suppress_ifgroup %d", r.SuppressIfgroup)
	}
	if r.TunnelIDSet && r.TunnelID != 0 {
		fmt.Fprintf(&b, " tunnel-id %d", r.TunnelID)
	}
	if r.UIDRange != "" {
		b.WriteString(" uidrange " + rangeText(r.UIDRange))
	}
	flag(&b, " l3mdev", r.L3mdev)
	if r.Protocol >= 0 {
		fmt.Fprintf(&b, " protocol %d", r.Protocol)
	}
	if r.IPProto >= 0 {
		fmt.Fprintf(&b, " ipproto %d", r.IPProto)
	}
	if r.SPort != "" {
		b.WriteString(" sport " + rangeText(r.SPort))
	}
	if r.DPort != "" {
		b.WriteString(" dport " + rangeText(r.DPort))
	}
	if r.Realms != 0 {
		fmt.Fprintf(&b, " realms %d/%d", r.Realms>>16, r.Realms&0xffff)
	}
	b.WriteString(ruleAction(r))
	flag(&b, " no_track", r.NoTrack)
	if r.TrackGroup != "" {
		b.WriteString(" track_group " + r.TrackGroup)
	}
	return b.String()
}

// ruleAction prints a rule's action: "lookup N" (0 for l3mdev), "goto N",
// "nop" or "type NAME".
func ruleAction(r *config.Rule) string {
	switch {
	case r.L3mdev:
		return " lookup 0"
	case r.Action == "lookup":
		return fmt.Sprintf(" lookup %d", r.Table)
	case r.Action == "goto":
		return fmt.Sprintf(" goto %d", r.Goto)
	case r.Action == "nop":
		return " nop"
	}
	return " type " + r.Action
}

// rangeText prints "START-END" with numbers in decimal, END defaulting to
// START.
func rangeText(s string) string {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		hi = lo
	}
	a, err1 := strconv.ParseUint(lo, 10, 32)
	z, err2 := strconv.ParseUint(hi, 10, 32)
	if err1 != nil || err2 != nil {
		return s
	}
	return fmt.Sprintf("%d-%d", a, z)
}
