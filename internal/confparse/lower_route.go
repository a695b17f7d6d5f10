package confparse

import "regexp"

// This file lowers route lines (virtual_routes, static_routes) the way
// keepalived 2.2.7's alloc_route reads them, quirks included: "inet" and
// "inet6" also skip the word after them, "to" is never followed by a type,
// an error inside the nexthops keeps the route with the nexthops read so
// far, and a keyword missing its value stops keepalived altogether (its
// -t exits 2; here that is a fatal error).

// lineParser walks the words of a route or rule line.
type lineParser struct {
	l    *lowerer
	n    *Node
	w    []Token
	i    int
	drop bool // keepalived drops the line
}

// param advances to the value of the current keyword. A missing value is
// keepalived's fatal "missing a parameter".
func (p *lineParser) param() (Token, bool) {
	p.i++
	if p.i < len(p.w) {
		return p.w[p.i], true
	}
	d := p.l.errorf(p.w[p.i-1].Pos, ClassFatal, "*** Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d",
		p.w[0].Text, p.w[p.i-1].Text, p.i+1)
	d.CannotRun = true
	p.drop = true
	return Token{}, false
}

// fail reports an error at t that drops the line.
func (p *lineParser) fail(t Token, format string, args ...any) {
	p.l.errorf(t.Pos, ClassGeneral, format, args...)
	p.drop = true
}

// routeParser holds the state of one route line while it is read.
type routeParser struct {
	lineParser
	r         *Route
	static    bool
	dest      string // the destination as written, for messages
	proto     uint32
	protoSet  bool
	nexthops  bool // the rest of the line is nexthops
	stopped   bool // keepalived stopped reading before the end
	nhFamily  Family
	rawFamily Family // the route's family while reading; FamilyUnset until known
}

// routeHandler reads one keyword of a route line, with p.i on it.
type routeHandler func(p *routeParser, kw Token)

// routeHandlers maps the keywords of a route line to their readers;
// other words are destinations.
func routeHandlers() map[string]routeHandler {
	h := map[string]routeHandler{
		"inet": (*routeParser).family, "inet6": (*routeParser).family,
		"src": (*routeParser).src, "as": (*routeParser).as,
		"via": (*routeParser).via, "gw": (*routeParser).via,
		"from": (*routeParser).from, "tos": (*routeParser).tos, "dsfield": (*routeParser).tos,
		"table": (*routeParser).table, "protocol": (*routeParser).protocol,
		"scope": (*routeParser).scope, "metric": (*routeParser).metric,
		"priority": (*routeParser).metric, "preference": (*routeParser).metric,
		"dev": (*routeParser).dev, "oif": (*routeParser).dev, "vrf": (*routeParser).vrf,
		"onlink":   func(p *routeParser, _ Token) { p.r.Onlink = true },
		"no_track": func(p *routeParser, _ Token) { p.r.NoTrack = true },
		"add":      (*routeParser).op, "prepend": (*routeParser).op, "append": (*routeParser).op,
		"encap": (*routeParser).encap, "expires": (*routeParser).expires,
		"rtt": (*routeParser).rtt, "rttvar": (*routeParser).rtt, "rto_min": (*routeParser).rtt,
		"features": (*routeParser).features, "congctl": (*routeParser).congctl,
		"pref": (*routeParser).pref, "ttl-propagate": (*routeParser).ttlPropagate,
		"realms": (*routeParser).realms, "or": (*routeParser).or,
		"nexthop":     (*routeParser).nexthop,
		"track_group": (*routeParser).trackGroup,
	}
	for kw, m := range routeMetrics {
		h[kw] = m.handler()
	}
	return h
}

// parseRoute lowers one line of virtual_routes or static_routes (static:
// track_group allowed). It returns nil when keepalived drops the route,
// after reporting why.
func (l *lowerer) parseRoute(n *Node, static bool) *Route {
	l.noBlock(n)
	r := &Route{Pos: n.Pos(), Type: -1, Tos: -1, Scope: -1, Table: -1, Metric: -1, Protocol: -1}
	p := &routeParser{lineParser: lineParser{l: l, n: n, w: n.Words}, r: r, static: static}
	handlers := routeHandlers()
	for ; p.i < len(p.w) && !p.drop && !p.nexthops && !p.stopped; p.i++ {
		h, ok := handlers[p.w[p.i].Text]
		if !ok || p.w[p.i].Text == "track_group" && !static {
			h = (*routeParser).destination
		}
		h(p, p.w[p.i])
	}
	switch {
	case p.drop:
		return nil
	case p.nexthops:
		if p.parseNexthops(); p.drop {
			return nil
		}
	case p.stopped:
		p.fail(p.w[p.i], "Route has trailing nonsense - %s", p.w[p.i].Text)
		return nil
	}
	if !p.finish() {
		return nil
	}
	return p.r
}

// setFamily merges a family seen on the line into the route's, reporting
// keepalived's mismatch message.
func (p *routeParser) setFamily(f Family, t Token, msg string) bool {
	switch {
	case f == FamilyUnset:
	case p.rawFamily == FamilyUnset:
		p.rawFamily = f
	case p.rawFamily != f:
		p.fail(t, "%s", msg)
		return false
	}
	return true
}

func (p *routeParser) family(kw Token) {
	f := IPv4
	if kw.Text == "inet6" {
		f = IPv6
	}
	if p.rawFamily != FamilyUnset && p.rawFamily != f {
		other := map[Family]string{IPv4: "IPv4", IPv6: "IPv6"}[p.rawFamily]
		p.fail(kw, "%s specified for %s route", kw.Text, other)
		return
	}
	p.rawFamily = f
	p.i++ // keepalived skips the word after inet/inet6
}

func (p *routeParser) src(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	a, ok := p.l.parseIP(t, false)
	if !ok {
		p.fail(t, "invalid route src address %s", t.Text)
		return
	}
	if p.setFamily(addrFamily(a.Addr()), t, "Cannot mix IPv4 and IPv6 addresses for route") {
		p.r.Src = a.Addr()
	}
}

func (p *routeParser) as(kw Token) {
	t, ok := p.param()
	if ok && t.Text == "to" {
		p.i++
	}
	p.l.errorf(kw.Pos, ClassGeneral, "\"as to\" for MPLS only - ignoring")
}

func (p *routeParser) via(kw Token) {
	if kw.Text == "gw" {
		p.l.errorf(kw.Pos, ClassDeprecated, "\"gw\" for routes is deprecated. Please use \"via\"")
	}
	t, ok := p.param()
	if !ok {
		return
	}
	if f, explicit := familyWord(t.Text); explicit {
		if !p.setFamily(f, t, "Cannot mix IPv4 and IPv6 addresses for route") {
			return
		}
		if t, ok = p.param(); !ok {
			return
		}
	}
	a, ok := p.l.parseIP(t, false)
	if !ok {
		p.fail(t, "invalid route via address %s", t.Text)
		return
	}
	if p.setFamily(addrFamily(a.Addr()), t, "Cannot mix IPv4 and IPv6 addresses for route") {
		p.r.Via = a.Addr()
	}
}

func (p *routeParser) from(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	pfx, fam, ok := p.l.parseRouteAddr(t)
	switch {
	case !ok:
		p.fail(t, "invalid route from address %s", t.Text)
	case fam != IPv6:
		p.fail(t, "route from address only supported with IPv6 (%s)", t.Text)
	case p.setFamily(fam, t, "Cannot mix IPv4 and IPv6 addresses for route"):
		p.r.From = pfx
	}
}

func (p *routeParser) tos(Token) {
	if t, ok := p.param(); ok {
		if v, ok := p.l.rtLookup(rtDSFields, t.Text); ok {
			p.r.Tos = int(v)
		} else {
			p.fail(t, "TOS value %s is invalid", t.Text)
		}
	}
}

func (p *routeParser) table(Token) {
	if t, ok := p.param(); ok {
		if v, ok := p.l.rtLookup(rtTables, t.Text); ok {
			p.r.Table = int64(v)
		} else {
			p.fail(t, "Routing table %s not found for route", t.Text)
		}
	}
}

func (p *routeParser) protocol(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := p.l.rtLookup(rtProtos, t.Text)
	if !ok {
		p.fail(t, "Protocol %s not found or invalid for route", t.Text)
		return
	}
	p.r.Protocol, p.proto, p.protoSet = int(v), v, true
}

func (p *routeParser) scope(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := p.l.rtLookup(rtScopes, t.Text)
	if !ok {
		p.fail(t, "Scope %s not found or invalid for route", t.Text)
		return
	}
	p.r.Scope = int(v)
}

func (p *routeParser) metric(Token) {
	if t, ok := p.param(); ok {
		if v, ok := readUnsigned(t.Text, 0, 1<<32-1); ok && t.Text != "" {
			p.r.Metric = int64(v)
		} else {
			p.fail(t, "Invalid metric %s specified for route", t.Text)
		}
	}
}

func (p *routeParser) dev(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	if !p.l.interfaceUsable(t.Text) {
		p.fail(t, "WARNING - interface %s for VROUTE nexthop doesn't exist", t.Text)
		p.l.diags[len(p.l.diags)-1].CannotRun = true
		return
	}
	p.r.Dev = t.Text
}

func (p *routeParser) vrf(Token) {
	if t, ok := p.param(); ok {
		if p.l.interfaceUsable(t.Text) {
			p.r.VRF = t.Text
		} else {
			p.fail(t, "VRF %s not found for route", t.Text)
		}
	}
}

func (p *routeParser) op(kw Token) { p.r.Op = kw.Text }

func (p *routeParser) expires(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	if p.rawFamily == IPv4 {
		p.fail(kw, "expires is only valid for IPv6")
		return
	}
	p.rawFamily = IPv6
	if _, ok := readUnsigned(t.Text, 0, 1<<32-1); !ok || t.Text == "" {
		p.fail(t, "Invalid expires time %s specified for route", t.Text)
		return
	}
	p.option(kw, t.Text)
}

// option records an `ip route` option with its arguments.
func (p *routeParser) option(kw Token, args ...string) {
	p.r.Options = append(p.r.Options, Setting{Keyword: kw.Text, Args: args, Pos: kw.Pos})
}

// rttPattern is the time syntax of rtt, rttvar and rto_min: a number of
// seconds, or of the unit given.
var rttPattern = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(s|sec|secs|ms|msec|msecs|us|usec|usecs)?$`)

func (p *routeParser) rtt(kw Token) {
	args, t, ok := p.lockable()
	if !ok {
		return
	}
	if !rttPattern.MatchString(t.Text) {
		if kw.Text == "rto_min" {
			p.fail(t, "Invalid rto_min value %s specified for route", t.Text)
		} else {
			p.fail(t, "Invalid %s %s for route", kw.Text, t.Text)
		}
		return
	}
	p.option(kw, append(args, t.Text)...)
}

// lockable reads an optional "lock" and the value after it.
func (p *routeParser) lockable() ([]string, Token, bool) {
	t, ok := p.param()
	if !ok {
		return nil, t, false
	}
	if t.Text != "lock" {
		return nil, t, true
	}
	t, ok = p.param()
	return []string{"lock"}, t, ok
}

func (p *routeParser) features(kw Token) {
	if t, ok := p.param(); ok {
		if t.Text == "ecn" {
			p.option(kw, "ecn")
		} else {
			p.l.errorf(t.Pos, ClassGeneral, "feature %s not supported", t.Text)
		}
	}
}

func (p *routeParser) congctl(kw Token) {
	if args, t, ok := p.lockable(); ok {
		p.option(kw, append(args, t.Text)...)
	}
}

func (p *routeParser) pref(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	if p.rawFamily == IPv4 {
		p.fail(kw, "pref is only valid for IPv6")
		return
	}
	p.rawFamily = IPv6
	switch t.Text {
	case "low", "medium", "high":
	default:
		if _, ok := readUnsigned(t.Text, 0, 255); !ok || t.Text == "" {
			p.fail(t, "Invalid pref value %s specified for route", t.Text)
			return
		}
	}
	p.option(kw, t.Text)
}

func (p *routeParser) ttlPropagate(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v := t.Text
	if v != "enabled" && v != "disabled" {
		p.l.errorf(t.Pos, ClassGeneral, "%s value %s not recognised", kw.Text, v)
		v = "disabled"
	}
	p.option(kw, v)
}

func (p *routeParser) realms(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := p.l.realms(t.Text)
	if !ok {
		p.fail(t, "Invalid realms %s for route", t.Text)
		return
	}
	if p.rawFamily == IPv6 {
		p.fail(kw, "realms are only valid for IPv4")
		return
	}
	p.rawFamily = IPv4
	p.r.Realms = v
}

func (p *routeParser) or(kw Token) {
	p.l.errorf(kw.Pos, ClassDeprecated, "\"or\" for routes is deprecated. Please use \"nexthop\"")
	if p.r.Or.IsValid() {
		p.l.errorf(kw.Pos, ClassGeneral, "\"or\" route already specified - ignoring subsequent")
		p.i++
		return
	}
	t, ok := p.param()
	if !ok {
		return
	}
	a, ok := p.l.parseIP(t, false)
	if !ok {
		p.fail(t, "Invalid \"or\" address %s", t.Text)
		return
	}
	p.r.Or = a.Addr()
}

func (p *routeParser) nexthop(kw Token) {
	if p.r.Or.IsValid() {
		p.l.errorf(kw.Pos, ClassGeneral, "Cannot specify nexthops with \"or\" route")
		p.stopped = true
		p.i--
		return
	}
	p.nexthops = true
	p.i--
}

func (p *routeParser) trackGroup(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	if p.r.TrackGroup != "" {
		p.l.errorf(t.Pos, ClassGeneral, "track_group %s is a duplicate", t.Text)
		p.stopped = true
		p.i--
		return
	}
	if !p.l.trackGroupDefined(t.Text) {
		p.l.errorf(t.Pos, ClassGeneral, "track_group %s not found", t.Text)
		return
	}
	p.r.TrackGroup = t.Text
}

// destination reads "[to] [TYPE] PREFIX" — any word that is no keyword.
func (p *routeParser) destination(kw Token) {
	t := kw
	if kw.Text == "to" {
		var ok bool
		if t, ok = p.param(); !ok {
			return
		}
	} else if typ, ok := routeTypeWord(kw.Text); ok {
		p.r.Type = int(typ)
		if t, ok = p.param(); !ok {
			return
		}
	}
	pfx, fam, ok := p.l.parseRouteAddr(t)
	if !ok {
		p.fail(t, "unknown route keyword %s", t.Text)
		return
	}
	if fam != p.rawFamily && p.rawFamily != FamilyUnset {
		p.fail(t, "Cannot mix IPv4 and IPv6 addresses for route (%s)", t.Text)
		return
	}
	p.rawFamily = fam
	p.r.Dst, p.dest = pfx, t.Text
}

// finish applies what keepalived decides once the line is read: tracking
// needs protocol 18 and an interface, and the family defaults to IPv4. It
// reports false when the route is dropped.
func (p *routeParser) finish() bool {
	r := p.r
	if p.dest == "" {
		p.fail(p.w[0], "Route must have a destination")
		return false
	}
	if !r.NoTrack {
		if p.protoSet && p.proto != RouteProtocolKeepalived {
			p.l.errorf(p.n.Pos(), ClassGeneral, "Route cannot be tracked if protocol is not RTPROT_KEEPALIVED(%d), resetting protocol", RouteProtocolKeepalived)
		}
		r.Protocol = RouteProtocolKeepalived
		if r.Dev == "" {
			p.l.errorf(p.n.Pos(), ClassWarning, "Warning - cannot track route %s with no interface specified, not tracking", p.dest)
			r.NoTrack = true
		}
	}
	if r.TrackGroup != "" && r.Dev == "" {
		p.l.errorf(p.n.Pos(), ClassGeneral, "Static route cannot have track group if no oif specified")
		r.TrackGroup = ""
	}
	if r.TrackGroup != "" && r.NoTrack {
		p.l.warnf(p.n.Pos(), "Static route has both track_group and no_track set - not tracking")
	}
	r.Family = p.rawFamily
	if r.Family == FamilyUnset {
		r.Family = IPv4
	}
	if !r.Dst.IsValid() {
		r.Dst = anyPrefix(r.Family)
	}
	return true
}

// lowerStaticRoutes lowers a static_routes block: each line is one route,
// appended to the configuration's static routes.
func (l *lowerer) lowerStaticRoutes(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, c := range n.Children {
		if r := l.parseRoute(c, true); r != nil {
			l.cfg.StaticRoutes = append(l.cfg.StaticRoutes, r)
		}
	}
}
