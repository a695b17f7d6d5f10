package confparse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// This file lowers rule lines (virtual_rules, static_rules) the way
// keepalived 2.2.7's alloc_rule reads them. As for routes, "inet" and
// "inet6" skip the word after them and a keyword missing its value is
// fatal.

// rulePreferenceStart is the preference keepalived gives the first rule of
// a family that has none; each further one gets one less.
const rulePreferenceStart = 16384

// ruleParser holds the state of one rule line while it is read.
type ruleParser struct {
	lineParser
	r           *Rule
	static      bool
	family      Family
	fromAny     bool // from default/any/all: the family's any-prefix
	toAny       bool
	tableOption bool // realms or a suppressor, which need a table action
	prefSet     bool
	proto       uint32
	protoSet    bool
	stop        bool
}

// ruleHandler reads one keyword of a rule line, with p.i on it.
type ruleHandler func(p *ruleParser, kw Token)

// ruleHandlers maps the keywords of a rule line to their readers; other
// words are actions.
func ruleHandlers() map[string]ruleHandler {
	return map[string]ruleHandler{
		"inet": (*ruleParser).inet, "inet6": (*ruleParser).inet,
		"from": (*ruleParser).selector, "to": (*ruleParser).selector,
		"table": (*ruleParser).table, "lookup": (*ruleParser).table,
		"not":        func(p *ruleParser, _ Token) { p.r.Not = true },
		"no_track":   func(p *ruleParser, _ Token) { p.r.NoTrack = true },
		"preference": (*ruleParser).preference, "order": (*ruleParser).preference, "priority": (*ruleParser).preference,
		"tos": (*ruleParser).tos, "dsfield": (*ruleParser).tos,
		"fwmark": (*ruleParser).fwmark, "realms": (*ruleParser).realms,
		"suppress_prefixlength": (*ruleParser).suppressPrefix, "sup_pl": (*ruleParser).suppressPrefix,
		"suppress_ifgroup": (*ruleParser).suppressGroup, "sup_group": (*ruleParser).suppressGroup,
		"dev": (*ruleParser).iface, "iif": (*ruleParser).iface, "oif": (*ruleParser).iface,
		"tunnel-id": (*ruleParser).tunnelID, "uidrange": (*ruleParser).uidRange,
		"l3mdev": (*ruleParser).l3mdev, "protocol": (*ruleParser).protocol,
		"ipproto": (*ruleParser).ipProto, "sport": (*ruleParser).port, "dport": (*ruleParser).port,
		"track_group": (*ruleParser).trackGroup,
	}
}

// parseRule lowers one line of virtual_rules or static_rules (static:
// track_group allowed). It returns nil when keepalived drops the rule,
// after reporting why.
func (l *lowerer) parseRule(n *Node, static bool) *Rule {
	l.noBlock(n)
	r := &Rule{Pos: n.Pos(), Protocol: -1, IPProto: -1, SuppressPrefixLength: -1, SuppressIfgroup: -1}
	p := &ruleParser{lineParser: lineParser{l: l, n: n, w: n.Words}, r: r, static: static}
	handlers := ruleHandlers()
	for ; p.i < len(p.w) && !p.drop && !p.stop; p.i++ {
		h, ok := handlers[p.w[p.i].Text]
		if !ok || p.w[p.i].Text == "track_group" && !static {
			h = (*ruleParser).action
		}
		h(p, p.w[p.i])
	}
	if p.drop || !p.check() {
		return nil
	}
	p.finish()
	return p.r
}

func (p *ruleParser) inet(kw Token) {
	f := IPv4
	if kw.Text == "inet6" {
		f = IPv6
	}
	if p.family != FamilyUnset && p.family != f {
		other := map[Family]string{IPv4: "IPv4", IPv6: "IPv6"}[p.family]
		p.fail(kw, "%s specified for %s rule", kw.Text, other)
		return
	}
	p.family = f
	p.i++ // keepalived skips the word after inet/inet6
}

func (p *ruleParser) selector(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	pfx, fam, ok := p.l.parseRouteAddr(t)
	if !ok {
		p.fail(t, "Invalid rule %s address %s", kw.Text, t.Text)
		return
	}
	if p.family == FamilyUnset {
		p.family = fam
	} else if fam != p.family {
		p.fail(t, "rule specification has mixed IPv4 and IPv6")
		return
	}
	if kw.Text == "from" {
		p.r.From, p.fromAny = pfx, !pfx.IsValid()
	} else {
		p.r.To, p.toAny = pfx, !pfx.IsValid()
	}
}

// setAction records the rule's action, which may be given once.
func (p *ruleParser) setAction(t Token, action, others string) bool {
	if p.r.Action != "" {
		p.fail(t, "Cannot specify more than one of %s for rule", others)
		return false
	}
	p.r.Action = action
	return true
}

func (p *ruleParser) table(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := p.l.rtLookup(rtTables, t.Text)
	switch {
	case !ok:
		p.fail(t, "Routing table %s not found for rule", t.Text)
	case v == 0:
		p.fail(t, "Table 0 is not valid")
	case p.setAction(t, "lookup", "table/nop/goto/blackhole/prohibit/unreachable"):
		p.r.Table = v
	}
}

func (p *ruleParser) preference(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := cStrtoul(t.Text, 0)
	if !ok || strings.HasPrefix(t.Text, "-") || v > math.MaxUint32 || v == math.MaxUint64 {
		p.fail(t, "Invalid rule preference %s specified", kw.Text)
		return
	}
	p.r.Preference, p.prefSet = uint32(v), true
}

func (p *ruleParser) tos(Token) {
	if t, ok := p.param(); ok {
		if v, ok := p.l.rtLookup(rtDSFields, t.Text); ok {
			p.r.Tos = uint8(v)
		} else {
			p.fail(t, "TOS value %s is invalid", t.Text)
		}
	}
}

func (p *ruleParser) fwmark(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	mark, mask, hasMask := strings.Cut(t.Text, "/")
	m, okMark := fwmarkPart(mark)
	k, okMask := fwmarkPart(mask)
	if !okMark || hasMask && (!okMask || strings.HasPrefix(mask, " ")) {
		p.fail(t, "Invalid rule fwmark %s specified", t.Text)
		return
	}
	p.r.Fwmark, p.r.FwmarkSet = m, true
	p.r.FwMask, p.r.FwMaskSet = k, hasMask
}

// fwmarkPart reads one half of "MARK/MASK": a C number of any base, not
// negative, at most 32 bits; empty reads as 0.
func fwmarkPart(s string) (uint32, bool) {
	if s == "" {
		return 0, true
	}
	v, ok := cStrtoul(s, 0)
	if !ok || strings.HasPrefix(s, "-") || v > math.MaxUint32 {
		return 0, false
	}
	return uint32(v), true
}

func (p *ruleParser) realms(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := p.l.realms(t.Text)
	if !ok {
		p.fail(t, "invalid realms %s for rule", t.Text)
		return
	}
	p.tableOption = true
	if p.family == FamilyUnset {
		p.family = IPv4
	} else if p.family != IPv4 {
		p.fail(kw, "realms is only valid for IPv4")
		return
	}
	p.r.Realms = v
}

func (p *ruleParser) suppressPrefix(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := readUnsigned(t.Text, 0, math.MaxInt32)
	if !ok || t.Text == "" {
		p.fail(t, "Invalid suppress_prefixlength %s specified", kw.Text)
		return
	}
	p.r.SuppressPrefixLength, p.tableOption = int(v), true
}

func (p *ruleParser) suppressGroup(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	v, ok := p.l.rtLookup(rtGroups, t.Text)
	if !ok {
		p.fail(t, "suppress_group %s is invalid", t.Text)
		return
	}
	p.r.SuppressIfgroup, p.tableOption = int(v), true
}

func (p *ruleParser) iface(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	if !p.l.interfaceUsable(t.Text) {
		p.fail(t, "WARNING - interface %s for rule doesn't exist", t.Text)
		p.l.diags[len(p.l.diags)-1].CannotRun = true
		return
	}
	if kw.Text == "oif" {
		p.r.Oif = t.Text
	} else {
		p.r.Iif = t.Text
	}
}

func (p *ruleParser) tunnelID(kw Token) {
	if t, ok := p.param(); ok {
		v, err := strconv.ParseUint(t.Text, 10, 64)
		if err != nil {
			p.fail(t, "Invalid tunnel-id %s specified", kw.Text)
			return
		}
		p.r.TunnelID, p.r.TunnelIDSet = v, true
	}
}

func (p *ruleParser) uidRange(kw Token) {
	if t, ok := p.param(); ok {
		a, b, n := scanPair(t.Text)
		if n != 2 {
			p.fail(t, "Invalid uidrange %s specified", kw.Text)
			return
		}
		p.r.UIDRange = fmt.Sprintf("%d-%d", uint32(a), uint32(b))
	}
}

func (p *ruleParser) l3mdev(kw Token) {
	if p.r.Action != "" {
		p.fail(kw, "Cannot specify l3mdev with other action")
		return
	}
	p.r.L3mdev, p.r.Action = true, "lookup"
}

func (p *ruleParser) protocol(Token) {
	if t, ok := p.param(); ok {
		v, ok := readUnsigned(t.Text, 0, 255)
		if !ok || t.Text == "" {
			p.l.errorf(t.Pos, ClassGeneral, "Invalid protocol %s", t.Text)
			return
		}
		p.r.Protocol, p.proto, p.protoSet = int(v), uint32(v), true
	}
}

func (p *ruleParser) ipProto(Token) {
	if t, ok := p.param(); ok {
		if v, ok := p.l.ipProtoNumber(t.Text); ok {
			p.r.IPProto = int(v)
		} else {
			p.l.errorf(t.Pos, ClassGeneral, "Invalid ipproto %s", t.Text)
		}
	}
}

func (p *ruleParser) port(kw Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	a, b, n := scanPair(t.Text)
	if n != 2 {
		p.l.errorf(t.Pos, ClassGeneral, "invalid %s range %s", kw.Text, t.Text)
		return
	}
	r := fmt.Sprintf("%d-%d", uint16(a), uint16(b))
	if kw.Text == "sport" {
		p.r.SPort = r
	} else {
		p.r.DPort = r
	}
}

// scanPair reads "A-B" as C's sscanf("%u-%u") does, reporting how many
// numbers it read; what follows B is ignored.
func scanPair(s string) (a, b uint64, n int) {
	digits := func(s string) (uint64, string, bool) {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 {
			return 0, s, false
		}
		v, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			v = math.MaxUint64
		}
		return v, s[i:], true
	}
	a, rest, ok := digits(s)
	if !ok {
		return 0, 0, 0
	}
	if !strings.HasPrefix(rest, "-") {
		return a, 0, 1
	}
	if b, _, ok = digits(rest[1:]); !ok {
		return a, 0, 1
	}
	return a, b, 2
}

func (p *ruleParser) trackGroup(Token) {
	t, ok := p.param()
	if !ok {
		return
	}
	if p.r.TrackGroup != "" {
		p.l.errorf(t.Pos, ClassGeneral, "track_group %s is a duplicate", t.Text)
		p.stop = true
		return
	}
	if !p.l.trackGroupDefined(t.Text) {
		p.l.errorf(t.Pos, ClassGeneral, "track_group %s not found", t.Text)
		return
	}
	p.r.TrackGroup = t.Text
}

// ruleActions maps the route types a rule may use as its action.
var ruleActions = map[uint8]string{6: "blackhole", 7: "unreachable", 8: "prohibit"}

// action reads "[type] goto N | nop | blackhole | unreachable | prohibit",
// the words that are no other option.
func (p *ruleParser) action(kw Token) {
	t := kw
	if kw.Text == "type" {
		var ok bool
		if t, ok = p.param(); !ok {
			return
		}
	}
	action := ""
	switch typ, isType := routeTypeWord(t.Text); {
	case t.Text == "goto":
		g, ok := p.param()
		if !ok {
			return
		}
		v, ok := readUnsigned(g.Text, 0, math.MaxUint32)
		if !ok || g.Text == "" {
			p.fail(g, "Invalid target %s specified", t.Text)
			return
		}
		action, p.r.Goto = "goto", uint32(v)
	case t.Text == "nop":
		action = "nop"
	case isType:
		if action = ruleActions[typ]; action == "" {
			p.fail(t, "Invalid rule action %s", t.Text)
			return
		}
	default:
		p.fail(t, "Unknown rule option %s", t.Text)
		return
	}
	p.setAction(t, action, "table/nop/goto/blackhole/prohibit/unreachable/l3mdev")
}

// check applies keepalived's checks of the whole rule; it reports false
// when the rule is dropped.
func (p *ruleParser) check() bool {
	r, at := p.r, p.n.Words[0]
	switch {
	case r.Action == "goto" && p.prefSet && r.Preference >= r.Goto:
		p.fail(at, "Invalid rule - preference %d >= goto target %d", r.Preference, r.Goto)
	case r.Action == "goto" && !p.prefSet:
		p.fail(at, "Invalid rule - goto target %d specified without preference", r.Goto)
	case r.Action == "":
		p.fail(at, "No action specified for rule - ignoring")
	case r.Action != "lookup" && p.tableOption:
		p.fail(at, "suppressor/realm specified for non table action - skipping")
	case r.Table != 0 && r.L3mdev:
		p.fail(at, "table cannot be specified for l3mdev rules")
	}
	return !p.drop
}

// finish applies what keepalived decides for a rule it keeps: tracking
// needs protocol 18 and an iif for a track group, the family defaults to
// IPv4, and a rule without preference gets the next free one.
func (p *ruleParser) finish() {
	r, l := p.r, p.l
	if !r.NoTrack {
		if p.protoSet && p.proto != RouteProtocolKeepalived {
			l.errorf(p.n.Pos(), ClassGeneral, "Rule cannot be tracked if protocol is not RTPROT_KEEPALIVED(%d), resetting protocol", RouteProtocolKeepalived)
		}
		r.Protocol = RouteProtocolKeepalived
	}
	if r.TrackGroup != "" && r.Iif == "" {
		l.errorf(p.n.Pos(), ClassGeneral, "Static rule cannot have track_group if dev/iif not specified")
		r.TrackGroup = ""
	}
	if r.TrackGroup != "" && r.NoTrack {
		l.warnf(p.n.Pos(), "Static rule has both track_group and no_track set - not tracking")
	}
	r.Family = p.family
	if r.Family == FamilyUnset {
		r.Family = IPv4
	}
	if p.fromAny {
		r.From = anyPrefix(r.Family)
	}
	if p.toAny {
		r.To = anyPrefix(r.Family)
	}
	if !p.prefSet {
		p.autoPreference()
	}
}

// autoPreference gives a rule without preference the next one of its
// family, counting down from 16384 across the whole configuration as
// keepalived does.
func (p *ruleParser) autoPreference() {
	if p.l.rulePrefsUsed == nil {
		p.l.rulePrefsUsed = map[Family]int{}
	}
	p.r.Preference = uint32(rulePreferenceStart - p.l.rulePrefsUsed[p.r.Family])
	p.l.rulePrefsUsed[p.r.Family]++
	d := p.l.errorf(p.n.Pos(), ClassWarning, "Rule has no preference specified - setting to %d. This is probably not what you want.", p.r.Preference)
	d.Hint = fmt.Sprintf("%s rules without 'preference' are numbered down from %d; give each rule its own", p.r.Family, rulePreferenceStart)
}

// lowerStaticRules lowers a static_rules block: each line is one rule,
// appended to the configuration's static rules.
func (l *lowerer) lowerStaticRules(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, c := range n.Children {
		if r := l.parseRule(c, true); r != nil {
			l.cfg.StaticRules = append(l.cfg.StaticRules, r)
		}
	}
}
