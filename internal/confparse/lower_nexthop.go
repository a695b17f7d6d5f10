package confparse

import (
	"math"
	"strconv"
)

// This file reads the parts of a route line that keepalived 2.2.7 parses
// apart from the main loop: numeric route metrics, encapsulations and
// nexthops.

// routeMetric is a numeric route option: whether it takes "lock", its
// largest value and keepalived's message for a bad value.
type routeMetric struct {
	lock bool
	max  uint64
	msg  string
}

var routeMetrics = map[string]routeMetric{
	"mtu":                {true, math.MaxUint32, "Invalid MTU %s specified for route"},
	"advmss":             {true, math.MaxUint32, "Invalid advmss %s specified for route"},
	"reordering":         {true, math.MaxUint32, "Invalid reordering value %s specified for route"},
	"cwnd":               {true, math.MaxUint32, "Invalid cwnd value %s specified for route"},
	"ssthresh":           {true, math.MaxUint32, "Invalid ssthresh value %s specified for route"},
	"window":             {false, math.MaxUint32, "Invalid window value %s specified for route"},
	"initcwnd":           {false, math.MaxUint32, "Invalid initcwnd value %s specified for route"},
	"initrwnd":           {false, math.MaxUint32, "Invalid initrwnd value %s specified for route"},
	"hoplimit":           {false, 255, "Invalid hoplimit %s specified for route"},
	"quickack":           {false, 1, "Invalid quickack value %s specified for route"},
	"fastopen_no_cookie": {false, 1, "Invalid fastopen_no_cookie value %s specified for route"},
}

// handler reads the metric's value (after "lock" where allowed).
func (m routeMetric) handler() routeHandler {
	return func(p *routeParser, kw Token) {
		var args []string
		t, ok := p.param()
		if ok && m.lock && t.Text == "lock" {
			args = []string{"lock"}
			t, ok = p.param()
		}
		if !ok {
			return
		}
		if _, valid := readUnsigned(t.Text, 0, m.max); !valid || t.Text == "" {
			p.fail(t, m.msg, t.Text)
			return
		}
		p.option(kw, append(args, t.Text)...)
	}
}

func (p *routeParser) encap(kw Token) {
	if words, ok := p.encapSpec(); ok {
		p.option(kw, words...)
	}
}

// encapSpec reads the words of an "encap" with p.i on "encap" and leaves
// p.i on its last word. Like keepalived it reports a bad encapsulation
// without dropping the route.
func (p *lineParser) encapSpec() ([]string, bool) {
	p.i++
	if p.i >= len(p.w) {
		p.l.errorf(p.w[p.i-1].Pos, ClassGeneral, "Missing encap type")
		return nil, false
	}
	typ := p.w[p.i]
	words := []string{typ.Text}
	switch typ.Text {
	case "ip", "ip6":
		var ok bool
		if words, ok = p.encapPairs(typ, words); !ok {
			return nil, false
		}
	case "mpls", "ila":
		if p.i+1 >= len(p.w) {
			msg := map[string]string{"mpls": "missing address for MPLS encapsulation", "ila": "missing locator for ILA encapsulation"}
			p.l.errorf(typ.Pos, ClassGeneral, "%s", msg[typ.Text])
			return nil, false
		}
		p.i++
		words = append(words, p.w[p.i].Text)
	default:
		p.l.errorf(typ.Pos, ClassGeneral, "Unknown encap type - %s", typ.Text)
		return nil, false
	}
	return words, true
}

// encapPairs reads the KEY VALUE pairs of an ip or ip6 encapsulation,
// which needs an id or a dst.
func (p *lineParser) encapPairs(typ Token, words []string) ([]string, bool) {
	keys := map[string]bool{"id": true, "dst": true, "src": true, "flags": true}
	if typ.Text == "ip" {
		keys["tos"], keys["ttl"] = true, true
	} else {
		keys["tc"], keys["hoplimit"] = true, true
	}
	hasTarget := false
	for p.i+2 < len(p.w) && keys[p.w[p.i+1].Text] {
		k, v := p.w[p.i+1].Text, p.w[p.i+2].Text
		hasTarget = hasTarget || k == "id" || k == "dst"
		if n, ok := p.l.rtLookup(rtDSFields, v); ok && (k == "tos" || k == "tc") {
			v = strconv.FormatUint(uint64(n), 10)
		}
		words = append(words, k, v)
		p.i += 2
	}
	if !hasTarget {
		p.l.errorf(typ.Pos, ClassGeneral, "address or id missing for %s encapsulation", typ.Text)
	}
	return words, hasTarget
}

// parseNexthops reads "nexthop ..." groups to the end of the line, with
// p.i on the first "nexthop". An error ends the nexthops; like keepalived,
// the route keeps those read before it.
func (p *routeParser) parseNexthops() {
	for p.i < len(p.w) && p.w[p.i].Text == "nexthop" && !p.drop {
		p.i++
		nh, ok := p.readNexthop()
		if !ok {
			return
		}
		p.r.Nexthops = append(p.r.Nexthops, nh)
	}
	if p.i < len(p.w) && !p.drop {
		p.l.errorf(p.w[p.i].Pos, ClassGeneral, "Route has trailing nonsense after nexthops - %s", p.w[p.i].Text)
	}
}

// readNexthop reads the options of one nexthop, leaving p.i on the first
// word that is not one. It reports false on an error.
func (p *routeParser) readNexthop() (Nexthop, bool) {
	var nh Nexthop
	for ; p.i < len(p.w); p.i++ {
		ok := true
		switch p.w[p.i].Text {
		case "via":
			ok = p.nexthopVia(&nh)
		case "dev":
			ok = p.nexthopDev(&nh)
		case "weight":
			ok = p.nexthopWeight(&nh)
		case "onlink":
			nh.Onlink = true
		case "encap":
			nh.Encap, _ = p.encapSpec()
		case "realms":
			ok = p.nexthopRealms(&nh)
		case "as":
			p.nexthopAs()
			ok = false
		default:
			return nh, true
		}
		if !ok || p.drop {
			return nh, false
		}
	}
	return nh, true
}

func (p *routeParser) nexthopVia(nh *Nexthop) bool {
	t, ok := p.param()
	if !ok {
		return false
	}
	if f, explicit := familyWord(t.Text); explicit {
		p.nhFamily = f
		if t, ok = p.param(); !ok {
			return false
		}
	}
	if p.nhFamily != FamilyUnset {
		if p.rawFamily == FamilyUnset {
			p.rawFamily = p.nhFamily
		} else if p.rawFamily != p.nhFamily {
			p.l.errorf(t.Pos, ClassGeneral, "IPv4/6 mismatch for nexthop")
			return false
		}
	}
	a, ok := p.l.parseIP(t, false)
	if !ok {
		p.l.errorf(t.Pos, ClassGeneral, "invalid nexthop address %s", t.Text)
		return false
	}
	f := addrFamily(a.Addr())
	if p.rawFamily != FamilyUnset && f != p.rawFamily {
		p.l.errorf(t.Pos, ClassGeneral, "Address family mismatch for next hop")
		return false
	}
	p.rawFamily = f
	nh.Via = a.Addr()
	return true
}

func (p *routeParser) nexthopDev(nh *Nexthop) bool {
	t, ok := p.param()
	if !ok {
		return false
	}
	if !p.l.interfaceUsable(t.Text) {
		d := p.l.errorf(t.Pos, ClassGeneral, "WARNING - interface %s for VROUTE nexthop doesn't exist", t.Text)
		d.CannotRun = true
		return false
	}
	nh.Dev = t.Text
	return true
}

func (p *routeParser) nexthopWeight(nh *Nexthop) bool {
	t, ok := p.param()
	if !ok {
		return false
	}
	v, valid := readUnsigned(t.Text, 0, 256)
	if !valid || t.Text == "" {
		p.l.errorf(t.Pos, ClassGeneral, "Invalid weight %s specified for route", t.Text)
		return false
	}
	if v == 0 {
		p.l.errorf(t.Pos, ClassGeneral, "Invalid weight 0 specified for route")
		return false
	}
	nh.Weight = int(v)
	return true
}

func (p *routeParser) nexthopRealms(nh *Nexthop) bool {
	t, ok := p.param()
	if !ok {
		return false
	}
	v, ok := p.l.realms(t.Text)
	if !ok {
		p.l.errorf(t.Pos, ClassGeneral, "Invalid realms %s for route", t.Text)
		return false
	}
	if p.rawFamily == FamilyUnset {
		p.rawFamily = IPv4
	} else if p.rawFamily != IPv4 {
		p.l.errorf(t.Pos, ClassGeneral, "realms are only supported for IPv4")
		return false
	}
	nh.Realms = v
	return true
}

func (p *routeParser) nexthopAs() {
	kw := p.w[p.i]
	if t, ok := p.param(); ok && t.Text == "to" {
		p.i++
	}
	if !p.drop {
		p.l.errorf(kw.Pos, ClassGeneral, "'as [to]' (nat) not supported")
	}
}
