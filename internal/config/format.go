package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// String returns the address as a configuration line, all set fields in a
// fixed order; it reads back to an equal Address.
func (a *Address) String() string {
	var b lineBuilder
	b.word(a.Prefix.String())
	b.opt("dev", a.Dev)
	if a.Scope != 0 {
		b.opt("scope", strconv.Itoa(int(a.Scope)))
	}
	if a.Broadcast.IsValid() {
		b.opt("brd", a.Broadcast.String())
	}
	b.opt("label", a.Label)
	if a.Peer.IsValid() {
		b.opt("peer", a.Peer.String())
	}
	b.flag("home", a.Home)
	b.flag("-nodad", a.NoDAD)
	b.flag("mngtmpaddr", a.MngTmpAddr)
	b.flag("noprefixroute", a.NoPrefixRoute)
	b.flag("autojoin", a.AutoJoin)
	b.flag("no_track", a.NoTrack)
	b.opt("preferred_lft", a.PreferredLft)
	b.flag("use_vmac", a.UseVMAC)
	b.opt("track_group", a.TrackGroup)
	return b.String()
}

// String returns the route as a configuration line, all set fields in a
// fixed order; it reads back to an equal Route.
func (r *Route) String() string {
	var b lineBuilder
	if r.Op != "" {
		b.word(r.Op)
	}
	if r.Type >= 0 {
		b.word(RouteTypeName(r.Type))
	}
	b.word(r.Dst.String())
	b.addr("src", r.Src)
	if r.From.IsValid() {
		b.opt("from", r.From.String())
	}
	b.addr("via", r.Via)
	b.addr("or", r.Or)
	b.opt("dev", r.Dev)
	b.opt("vrf", r.VRF)
	b.num("tos", int64(r.Tos))
	b.num("scope", int64(r.Scope))
	b.num("table", r.Table)
	b.num("metric", r.Metric)
	b.num("protocol", int64(r.Protocol))
	if r.Realms != 0 {
		b.opt("realms", realmsText(r.Realms))
	}
	b.flag("onlink", r.Onlink)
	for _, o := range r.Options {
		b.words(o.Keyword, o.Args...)
	}
	b.flag("no_track", r.NoTrack)
	b.opt("track_group", r.TrackGroup)
	for _, nh := range r.Nexthops {
		b.word("nexthop")
		b.addr("via", nh.Via)
		b.opt("dev", nh.Dev)
		if nh.Weight > 0 {
			b.opt("weight", strconv.Itoa(nh.Weight))
		}
		b.flag("onlink", nh.Onlink)
		if nh.Realms != 0 {
			b.opt("realms", realmsText(nh.Realms))
		}
		if len(nh.Encap) > 0 {
			b.words("encap", nh.Encap...)
		}
	}
	return b.String()
}

// String returns the rule as a configuration line, all set fields in a
// fixed order; it reads back to an equal Rule.
func (r *Rule) String() string {
	var b lineBuilder
	if r.Family == IPv6 && !r.From.IsValid() && !r.To.IsValid() {
		b.words("inet6", "inet6") // keepalived skips the word after inet6
	}
	b.flag("not", r.Not)
	if r.From.IsValid() {
		b.opt("from", r.From.String())
	}
	if r.To.IsValid() {
		b.opt("to", r.To.String())
	}
	if r.Tos != 0 {
		b.opt("tos", strconv.Itoa(int(r.Tos)))
	}
	if r.FwmarkSet {
		m := fmt.Sprintf("0x%x", r.Fwmark)
		if r.FwMaskSet {
			m += fmt.Sprintf("/0x%x", r.FwMask)
		}
		b.opt("fwmark", m)
	}
	b.opt("iif", r.Iif)
	b.opt("oif", r.Oif)
	b.num("suppress_prefixlength", int64(r.SuppressPrefixLength))
	b.num("suppress_ifgroup", int64(r.SuppressIfgroup))
	if r.TunnelIDSet {
		b.opt("tunnel-id", strconv.FormatUint(r.TunnelID, 10))
	}
	b.opt("uidrange", r.UIDRange)
	b.num("protocol", int64(r.Protocol))
	b.num("ipproto", int64(r.IPProto))
	b.opt("sport", r.SPort)
	b.opt("dport", r.DPort)
	if r.Realms != 0 {
		b.opt("realms", realmsText(r.Realms))
	}
	b.opt("preference", strconv.FormatUint(uint64(r.Preference), 10))
	switch {
	case r.L3mdev:
		b.word("l3mdev")
	case r.Action == "lookup":
		b.opt("table", strconv.FormatUint(uint64(r.Table), 10))
	case r.Action == "goto":
		b.opt("goto", strconv.FormatUint(uint64(r.Goto), 10))
	default:
		b.word(r.Action)
	}
	b.flag("no_track", r.NoTrack)
	b.opt("track_group", r.TrackGroup)
	return b.String()
}

// lineBuilder assembles a configuration line from words, quoting those
// keepalived's tokeniser would split or take as a comment.
type lineBuilder struct{ strings.Builder }

func (b *lineBuilder) word(w string) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(QuoteWord(w))
}

// opt writes "kw value" when value is set.
func (b *lineBuilder) opt(kw, value string) {
	if value != "" {
		b.word(kw)
		b.word(value)
	}
}

// num writes "kw N" when n is set (not negative).
func (b *lineBuilder) num(kw string, n int64) {
	if n >= 0 {
		b.opt(kw, strconv.FormatInt(n, 10))
	}
}

// realmsText writes realms as "FROM/TO", or "TO" when FROM is 0.
func realmsText(v uint32) string {
	if v>>16 != 0 {
		return strconv.FormatUint(uint64(v>>16), 10) + "/" + strconv.FormatUint(uint64(v&0xffff), 10)
	}
	return strconv.FormatUint(uint64(v), 10)
}

// flag writes kw when on is true.
func (b *lineBuilder) flag(kw string, on bool) {
	if on {
		b.word(kw)
	}
}

// addr writes "kw ADDR" when a is set.
func (b *lineBuilder) addr(kw string, a netip.Addr) {
	if a.IsValid() {
		b.opt(kw, a.String())
	}
}

// words writes kw and its arguments.
func (b *lineBuilder) words(kw string, args ...string) {
	b.word(kw)
	for _, a := range args {
		b.word(a)
	}
}

// QuoteWord quotes a word keepalived's tokeniser would split, take as a
// comment or expand.
func QuoteWord(w string) string {
	if w == "" || strings.ContainsAny(w, " \t\f\n\r\v#!{}") || strings.ContainsAny(w[:1], "@~$") || strings.HasSuffix(w, `\`) {
		return `"` + w + `"`
	}
	return w
}
