package confparse

import (
	"net/netip"
	"strconv"
)

// This file lowers address lines (virtual_ipaddress, _excluded and
// static_ipaddress) the way keepalived 2.2.7's alloc_ipaddress reads them,
// with its messages. Its classes were checked with `keepalived -t`: every
// message it prints gives exit code 5, except a static address with neither
// dev nor an existing default interface (4); messages it only logs are
// notes.

// labelMax is the longest interface label keepalived accepts (IFNAMSIZ-1).
const labelMax = 15

// addrOption is one option of an address line: whether it takes a value
// and what it does.
type addrOption struct {
	value bool
	set   func(p *addrParser, kw, val Token)
}

// addrParser holds the state of one address line while it is read.
type addrParser struct {
	l      *lowerer
	n      *Node
	a      *Address
	static bool
	brd    string // "+" or "-" when the broadcast is computed
	hasBrd bool
	lftSet bool
	unread bool // the value word is read again as an option
	stop   bool // keepalived stops reading the line here
	drop   bool // keepalived drops the address
}

// addrOptions maps the words of an address line to what they do.
func addrOptions() map[string]addrOption {
	flagOpt := func(f func(a *Address) *bool) addrOption {
		return addrOption{set: func(p *addrParser, _, _ Token) { *f(p.a) = true }}
	}
	return map[string]addrOption{
		"dev":           {true, (*addrParser).dev},
		"scope":         {true, (*addrParser).scope},
		"broadcast":     {true, (*addrParser).broadcast},
		"brd":           {true, (*addrParser).broadcast},
		"label":         {true, (*addrParser).label},
		"peer":          {true, (*addrParser).peer},
		"preferred_lft": {true, (*addrParser).preferredLft},
		"track_group":   {true, (*addrParser).trackGroup},
		"home":          flagOpt(func(a *Address) *bool { return &a.Home }),
		"-nodad":        flagOpt(func(a *Address) *bool { return &a.NoDAD }),
		"mngtmpaddr":    flagOpt(func(a *Address) *bool { return &a.MngTmpAddr }),
		"noprefixroute": flagOpt(func(a *Address) *bool { return &a.NoPrefixRoute }),
		"autojoin":      flagOpt(func(a *Address) *bool { return &a.AutoJoin }),
		"no_track":      flagOpt(func(a *Address) *bool { return &a.NoTrack }),
		"use_vmac":      flagOpt(func(a *Address) *bool { return &a.UseVMAC }),
	}
}

// parseAddress lowers one line of virtual_ipaddress,
// virtual_ipaddress_excluded or static_ipaddress (static: track_group
// allowed, use_vmac not, the default interface applies). It returns nil
// when keepalived drops the address, after reporting why.
func (l *lowerer) parseAddress(n *Node, static bool) *Address {
	l.noBlock(n)
	pfx, ok := l.parseIP(n.Words[0], true)
	if !ok {
		return nil
	}
	p := &addrParser{l: l, n: n, a: &Address{Pos: n.Pos(), Prefix: pfx}, static: static}
	if l.addrOpts == nil {
		l.addrOpts = addrOptions()
	}
	opts := l.addrOpts
	w := n.Words
	for i := 1; i < len(w) && !p.stop && !p.drop; i++ {
		opt, known := opts[w[i].Text]
		if !known || w[i].Text == "track_group" && !static || w[i].Text == "use_vmac" && static {
			l.errorf(w[i].Pos, ClassGeneral, "Unknown configuration entry '%s' for ip address - ignoring", w[i].Text)
			continue
		}
		if !opt.value {
			opt.set(p, w[i], Token{})
			continue
		}
		if i+1 >= len(w) {
			l.errorf(w[i].Pos, ClassGeneral, "No %s parameter specified for %s", w[i].Text, w[0].Text)
			return nil
		}
		opt.set(p, w[i], w[i+1])
		if !p.unread {
			i++
		}
		p.unread = false
	}
	if p.drop || !p.finish() {
		return nil
	}
	return p.a
}

func (p *addrParser) dev(_, val Token) {
	if p.a.Dev != "" {
		p.l.errorf(val.Pos, ClassGeneral, "Cannot specify ipaddress device more than once for %s", p.n.Words[0].Text)
		p.drop = true
		return
	}
	if !p.l.interfaceUsable(val.Text) {
		d := p.l.errorf(val.Pos, ClassGeneral, "WARNING - interface %s for ip address %s doesn't exist", val.Text, p.n.Words[0].Text)
		d.CannotRun = true
		p.drop = true
		return
	}
	p.a.Dev = val.Text
}

func (p *addrParser) scope(_, val Token) {
	v, ok := p.l.rtLookup(rtScopes, val.Text)
	if !ok {
		p.l.errorf(val.Pos, ClassGeneral, "Invalid scope '%s' specified for %s - ignoring", val.Text, p.n.Words[0].Text)
		return
	}
	p.a.Scope = uint8(v)
}

func (p *addrParser) broadcast(kw, val Token) {
	if p.a.Prefix.Addr().Is6() {
		p.l.errorf(kw.Pos, ClassGeneral, "VRRP is trying to assign a broadcast %s to the IPv6 address %s !!?? WTF... skipping VIP...", kw.Text, p.n.Words[0].Text)
		p.drop = true
		return
	}
	p.hasBrd = true
	switch val.Text {
	case "-", "+":
		p.brd = val.Text
		return
	}
	b, err := netip.ParseAddr(val.Text)
	if err != nil || !b.Is4() {
		p.l.errorf(val.Pos, ClassGeneral, "VRRP is trying to assign invalid broadcast %s. skipping VIP...", val.Text)
		p.drop = true
		return
	}
	p.a.Broadcast = nonZero(b)
}

func (p *addrParser) label(_, val Token) {
	if len(val.Text) > labelMax {
		p.l.errorf(val.Pos, ClassGeneral, "Address label %s is longer than maximum length %d - removing address", val.Text, labelMax)
		p.drop = true
		return
	}
	p.a.Label = val.Text
}

func (p *addrParser) peer(_, val Token) {
	if p.a.Peer.IsValid() {
		p.l.errorf(val.Pos, ClassGeneral, "Peer %s - another peer has already been specified", val.Text)
		p.unread = true
		return
	}
	pp, ok := p.l.parseIP(val, false)
	switch {
	case !ok:
		p.l.errorf(val.Pos, ClassGeneral, "Invalid peer address %s", val.Text)
	case pp.Addr().Is6() != p.a.Prefix.Addr().Is6():
		p.l.errorf(val.Pos, ClassGeneral, "Peer address %s does not match address family", val.Text)
	default:
		a := p.a.Prefix.Addr()
		if p.a.Prefix.Bits() != a.BitLen() {
			p.l.errorf(val.Pos, ClassGeneral, "Cannot specify address prefix when specifying peer address - ignoring")
		}
		p.a.Prefix = netip.PrefixFrom(a, a.BitLen())
		p.a.Peer = pp.Addr()
	}
}

func (p *addrParser) preferredLft(_, val Token) {
	if val.Text == "forever" {
		p.a.PreferredLft, p.lftSet = "forever", true
		return
	}
	v, ok := readUnsigned(val.Text, 0, 1<<32-1)
	if !ok || val.Text == "" {
		p.l.errorf(val.Pos, ClassGeneral, "preferred_lft %s is invalid", val.Text)
		return
	}
	p.a.PreferredLft, p.lftSet = strconv.FormatUint(v, 10), true
	if v == 1<<32-1 {
		p.a.PreferredLft = "forever"
	}
}

func (p *addrParser) trackGroup(_, val Token) {
	if p.a.TrackGroup != "" {
		p.l.errorf(val.Pos, ClassGeneral, "track_group %s is a duplicate", val.Text)
		p.stop = true
		return
	}
	if !p.l.trackGroupDefined(val.Text) {
		p.l.errorf(val.Pos, ClassGeneral, "track_group %s not found", val.Text)
		return
	}
	p.a.TrackGroup = val.Text
}

// finish applies what keepalived decides once the line is read: the
// broadcast address, a static address's default interface and the IPv6
// restrictions. It reports false when the address is dropped.
func (p *addrParser) finish() bool {
	a, l := p.a, p.l
	switch {
	case p.hasBrd && a.Peer.IsValid():
		l.errorf(p.n.Pos(), ClassGeneral, "Cannot specify broadcast and peer addresses - ignoring broadcast address")
		a.Broadcast = netip.Addr{}
	case p.brd != "" && a.Prefix.Bits() <= 30:
		a.Broadcast = nonZero(computeBroadcast(a, p.brd == "+"))
	case p.brd != "":
		l.errorf(p.n.Pos(), ClassGeneral, "Address prefix length %d too long for broadcast", a.Prefix.Bits())
	}
	if p.static && a.Dev == "" {
		def := l.cfg.Global.DefaultInterface
		if def == "" || !l.interfaceUsable(def) {
			d := l.errorf(p.n.Pos(), ClassFatal, "Static address %s requires either an interface or default interface must exist", p.n.Words[0].Text)
			d.CannotRun = true
			return false
		}
		a.Dev = def
	}
	if a.Prefix.Addr().Is6() {
		p.finish6()
	}
	if a.TrackGroup != "" && a.NoTrack {
		l.warnf(p.n.Pos(), "Static address has both track_group and no_track set - not tracking")
	}
	return true
}

// finish6 drops what IPv6 addresses cannot have and sets keepalived's
// default preferred lifetime.
func (p *addrParser) finish6() {
	a := p.a
	if a.Scope != 0 {
		p.l.errorf(p.n.Pos(), ClassGeneral, "Cannot specify scope for IPv6 addresses (%s) - ignoring scope", p.n.Words[0].Text)
		a.Scope = 0
	}
	if a.Label != "" {
		p.l.errorf(p.n.Pos(), ClassGeneral, "Cannot specify label for IPv6 addresses (%s) - ignoring label", p.n.Words[0].Text)
		a.Label = ""
	}
	if !p.lftSet {
		a.PreferredLft = "forever"
		if a.Prefix.Bits() == 128 {
			a.PreferredLft = "0"
		}
	}
}

// computeBroadcast sets (+) or clears (-) the host bits of the address, or
// of the peer when there is one.
func computeBroadcast(a *Address, set bool) netip.Addr {
	base := a.Prefix.Addr()
	if a.Peer.IsValid() {
		base = a.Peer
	}
	b := base.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	mask := uint32(0xffffffff) >> a.Prefix.Bits()
	if set {
		v |= mask
	} else {
		v &^= mask
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// nonZero returns b, or the zero Addr for 0.0.0.0, which keepalived takes
// as "no broadcast".
func nonZero(b netip.Addr) netip.Addr {
	if b == netip.IPv4Unspecified() {
		return netip.Addr{}
	}
	return b
}

// interfaceUsable reports whether an interface named in the configuration
// can be used: it exists, or dynamic_interfaces lets keepalived wait for it.
func (l *lowerer) interfaceUsable(name string) bool {
	return l.cfg.Global.DynamicInterfaces || l.env.InterfaceExists(name)
}

// trackGroupDefined reports whether a track_group block of that name came
// earlier in the configuration, as keepalived requires. The blocks are
// recorded as accepted, not-run blocks.
func (l *lowerer) trackGroupDefined(name string) bool {
	for _, b := range l.cfg.NotRun {
		if b.Keyword == "track_group" && b.Name == name {
			return true
		}
	}
	return false
}

// lowerStaticAddresses lowers a static_ipaddress block: each line is one
// address, appended to the configuration's static addresses.
func (l *lowerer) lowerStaticAddresses(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, c := range n.Children {
		if a := l.parseAddress(c, true); a != nil {
			l.cfg.StaticAddresses = append(l.cfg.StaticAddresses, a)
		}
	}
}
