package confparse

import (
	"net/netip"
	"strconv"
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

// routeTypeWord recognises a route type: a name or a number up to 255.
func routeTypeWord(w string) (string, bool) {
	if _, ok := routeTypes[w]; ok {
		return w, true
	}
	if v, ok := cStrtoul(w, 0); ok && v <= 255 && !strings.HasPrefix(w, "-") {
		return strconv.FormatUint(v, 10), true
	}
	return "", false
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

// realmsValid checks a "[FROM/]TO" realms word: each part a realm name or
// number.
func (l *lowerer) realmsValid(w string) bool {
	parts := strings.Split(w, "/")
	if len(parts) > 2 {
		return false
	}
	for _, part := range parts {
		if _, ok := l.rtLookup(rtRealms, part); !ok {
			return false
		}
	}
	return true
}

// anyPrefix is the prefix that default, any and all stand for.
func anyPrefix(f Family) netip.Prefix {
	if f == IPv6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}
