package confparse

import (
	"net/netip"
	"strings"
)

// This file reads and writes the words of address, route and rule lines.

// parseIP reads an address word as keepalived's parse_ipaddress does: IPv6
// when it contains ':', a prefix length after '/' when allowed (default the
// host length; a bad one is reported and the default kept).
func (l *lowerer) parseIP(t Token, allowLen bool) (netip.Prefix, bool) {
	s := t.Text
	v6 := strings.Contains(s, ":")
	bits := 32
	if v6 {
		bits = 128
	}
	addrText := s
	if before, after, found := strings.Cut(s, "/"); found && allowLen {
		addrText = before
		if n, ok := readUnsigned(after, 0, uint64(bits)); !ok {
			l.errorf(t.Pos, ClassGeneral, "Invalid address prefix len %s for address %s - using %d", after, s, bits)
		} else {
			if after == "" {
				l.warnf(t.Pos, "empty prefix length in %s is read as /0", s)
			}
			bits = int(n)
		}
	}
	a, err := netip.ParseAddr(addrText)
	if err != nil || a.Zone() != "" || a.Is6() != v6 {
		l.errorf(t.Pos, ClassGeneral, "VRRP parsed invalid IP %s. skipping IP...", s)
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits), true
}

// routeTypeWord recognises a route type as keepalived's
// find_rttables_rtntype does: a name or a C number up to 255.
func routeTypeWord(w string) (uint8, bool) {
	if v, ok := routeTypes[w]; ok {
		return v, true
	}
	if v, ok := cStrtoul(w, 0); ok && v <= 255 && !strings.HasPrefix(w, "-") {
		return uint8(v), true
	}
	return 0, false
}

// familyWord recognises "inet" and "inet6" before a gateway.
func familyWord(w string) (Family, bool) {
	switch w {
	case "inet":
		return IPv4, true
	case "inet6":
		return IPv6, true
	}
	return FamilyUnset, false
}

// addrFamily is the family of an address.
func addrFamily(a netip.Addr) Family {
	if a.Is6() {
		return IPv6
	}
	return IPv4
}

// parseRouteAddr reads a destination or selector as keepalived's
// parse_route does: default, any and all have no family of their own (the
// zero Prefix); default6 is the deprecated IPv6 default.
func (l *lowerer) parseRouteAddr(t Token) (netip.Prefix, Family, bool) {
	switch t.Text {
	case "default", "any", "all":
		return netip.Prefix{}, FamilyUnset, true
	case "default6":
		l.warnf(t.Pos, "'default6' is deprecated - please replace with 'inet6 default'")
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0), IPv6, true
	}
	pfx, ok := l.parseIP(t, true)
	if !ok {
		return pfx, FamilyUnset, false
	}
	return pfx, addrFamily(pfx.Addr()), true
}

// realms reads a "[FROM/]TO" realms word as keepalived's get_realms does:
// each part a realm name or number, FROM<<16 | TO, or TO alone.
func (l *lowerer) realms(w string) (uint32, bool) {
	from, to, hasFrom := strings.Cut(w, "/")
	f, ok := l.rtLookup(rtRealms, from)
	if !ok || !hasFrom {
		return f, ok
	}
	t, ok := l.rtLookup(rtRealms, to)
	return f<<16 | t, ok
}

// anyPrefix is the prefix that default, any and all stand for.
func anyPrefix(f Family) netip.Prefix {
	if f == IPv6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}
