package confparse

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The LVS side (virtual_server, virtual_server_group, real_server, the
// health checkers and the SSL block) is not run by gokeepalived, but
// keepalived's -t checks it, and keepalived refuses to start on what it
// finds there. So it is checked here as keepalived 2.2.7's checker parser
// does (check/check_parser.c, check_api.c, check_http.c, check_misc.c,
// check_smtp.c, check_dns.c, check_file.c, check_bfd.c, check_udp.c and
// check_data.c's validate_check_config): the same keywords in the same
// blocks, the same value checks and the same end-of-configuration checks,
// each reported with keepalived's words. Nothing here is kept in the
// Config beyond the not-run block the dump reproduces.

// lvsState is what the LVS check keeps while the configuration is read.
type lvsState struct {
	servers []*lvsServer
	groups  map[string]*lvsGroup
	// cur is the virtual_server being read, rs its real (or sorry) server
	// being read, nil when skipped.
	cur *lvsServer
	rs  *lvsReal
	// scripts are the checker side's commands (MISC_CHECK, notify_up/down,
	// quorum_up/down), checked for security once everything is read.
	scripts []*Command
	// trackFiles are the track_file names FILE_CHECK may refer to.
	checker *lvsChecker
}

// lvsServer is one virtual_server.
type lvsServer struct {
	pos        Pos
	group      string
	fwmark     uint64
	isFwmark   bool
	addr       netip.Addr
	port       int
	family     Family // FamilyUnset until known
	protocol   string
	sched      string
	fwd        string // lb_kind; "" when not set
	ops        bool
	haSuspend  bool
	persist    int
	quorum     uint64
	hysteresis uint64
	weight     int
	reals      []*lvsReal
	sorry      *lvsReal
}

// lvsReal is a real_server or sorry_server.
type lvsReal struct {
	pos    Pos
	addr   netip.Addr
	port   int
	fwd    string
	weight int // -1 when not set: the virtual server's weight applies
	tunnel bool
}

// lvsGroup is one virtual_server_group.
type lvsGroup struct {
	fwmarks, addrs int
	zeroPort       bool
	// ports are the address entries' ports, in order.
	ports []int
}

// lvsChecker is the health checker block being read.
type lvsChecker struct {
	kind     string
	urls     int
	urlPath  bool
	script   bool
	file     bool
	bfdName  bool
	dnsName  bool
	linkLoc  bool // connect_ip is an IPv6 link-local address
	bindIf   bool
	minReply int
	maxReply int
}

func (l *lowerer) lvsState() *lvsState {
	if l.lvs == nil {
		l.lvs = &lvsState{groups: map[string]*lvsGroup{}}
	}
	return l.lvs
}

// lowerLVS checks a top-level block of the LVS side and records it as not
// run.
func (l *lowerer) lowerLVS(n *Node) {
	l.lowerNotRun(n)
	st := l.lvsState()
	switch n.Keyword() {
	case "virtual_server":
		st.cur = l.newVirtualServer(n)
		if st.cur == nil || !l.wantBlock(n) {
			st.cur = nil
			return
		}
		st.servers = append(st.servers, st.cur)
		l.walk(n.Children, l.table("virtual_server", vsTable), "virtual_server")
		l.vsEnd(st.cur)
		st.cur = nil
	case "virtual_server_group":
		l.lowerVSGroup(n)
	case "SSL":
		if l.wantBlock(n) {
			l.walk(n.Children, l.table("SSL", sslTable), "SSL")
		}
	}
}

// newVirtualServer reads "virtual_server IP PORT", "virtual_server fwmark
// N" or "virtual_server group NAME" as keepalived's alloc_vs does.
func (l *lowerer) newVirtualServer(n *Node) *lvsServer {
	vs := &lvsServer{pos: n.Pos(), quorum: 1, weight: 1}
	p1 := n.Words[1].Text
	p2 := ""
	if len(n.Words) > 2 {
		p2 = n.Words[2].Text
	}
	switch p1 {
	case "group":
		vs.group = p2
		return vs
	case "fwmark":
		v, err := strconv.ParseUint(p2, 10, 32)
		if err != nil {
			l.errorf(n.Pos(), ClassGeneral, "virtual server fwmark '%s' must be in [0, %d] - ignoring", p2, uint32(1<<32-1))
			return nil
		}
		vs.fwmark, vs.isFwmark = v, true
		return vs
	}
	addr, port, ok := lvsSockaddr(p1, p2)
	if !ok {
		if p2 != "" && strings.Trim(p2, "0") != "" {
			l.errorf(n.Pos(), ClassGeneral, "Invalid virtual server IP address/port %s/%s - skipping", p1, p2)
		} else {
			l.errorf(n.Pos(), ClassGeneral, "Invalid virtual server IP address %s - skipping", p1)
		}
		return nil
	}
	vs.addr, vs.port, vs.family = addr, port, familyOf(addr)
	return vs
}

// lvsSockaddr parses an address and an optional port as keepalived's
// inet_stosockaddr does: a port of zeros is no port; anything after '-' or
// '/' in the address is ignored.
func lvsSockaddr(ip, port string) (netip.Addr, int, bool) {
	p := 0
	if port != "" && strings.Trim(port, "0") != "" {
		v, err := strconv.ParseUint(port, 10, 32)
		if err != nil || v < 1 || v > 65535 {
			return netip.Addr{}, 0, false
		}
		p = int(v)
	}
	if i := strings.IndexAny(ip, "-/"); i >= 0 {
		ip = ip[:i]
	}
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" || a.Is4In6() && !strings.Contains(ip, ":") {
		return netip.Addr{}, 0, false
	}
	if strings.Contains(ip, ":") != a.Is6() {
		return netip.Addr{}, 0, false
	}
	return a, p, true
}

// label formats a virtual server as keepalived's FMT_VS does.
func (vs *lvsServer) label() string {
	switch {
	case vs.group != "":
		return fmt.Sprintf("[%s]:%d", vs.group, 0)
	case vs.isFwmark:
		return fmt.Sprintf("FWM %d", vs.fwmark)
	}
	proto := vs.protocol
	if proto == "" {
		proto = "none"
	}
	return fmt.Sprintf("[%s]:%s:%d", vs.addr, strings.ToLower(proto), vs.port)
}

// vsTable is the table of a virtual_server block.
func vsTable() table {
	t := table{
		"ip_family": func(l *lowerer, n *Node) {
			vs := l.lvs.cur
			var f Family
			switch w := l.lvsWord(n); w {
			case "":
				return
			case "inet":
				f = IPv4
			case "inet6":
				f = IPv6
			default:
				l.errorf(n.Pos(), ClassGeneral, "unknown address family %s", w)
				return
			}
			if vs.family != FamilyUnset && vs.family != f {
				l.errorf(n.Pos(), ClassGeneral, "Virtual server specified family %s conflicts with server family", n.Words[1].Text)
				return
			}
			vs.family = f
		},
		"retry":              lvsUint("retry value invalid - %s", 1, 1<<32-1),
		"delay_before_retry": lvsTimer("virtual server delay before retry '%s' invalid - ignoring", 0),
		"warmup":             lvsTimer("virtual server warmup '%s' invalid - ignoring", 0),
		"connect_timeout":    lvsTimer("virtual server connect_timeout %s invalid - ignoring", time.Microsecond),
		"delay_loop":         lvsTimer("virtual server delay loop '%s' invalid - ignoring", time.Microsecond),
		"inhibit_on_failure": lvsFlag,
		"lb_algo":            lvsSched,
		"lvs_sched":          lvsSched,
		"lb_kind": func(l *lowerer, n *Node) {
			if fwd, ok := l.lvsForwarding(n, "virtual"); ok {
				l.lvs.cur.fwd = fwd
			}
		},
		"lvs_method": func(l *lowerer, n *Node) {
			if fwd, ok := l.lvsForwarding(n, "virtual"); ok {
				l.lvs.cur.fwd = fwd
			}
		},
		"persistence_engine": lvsAny,
		"persistence_timeout": func(l *lowerer, n *Node) {
			vs := l.lvs.cur
			if len(n.Words) < 2 {
				vs.persist = 360
				return
			}
			if v, ok := l.parseInt(n.Keyword(), n.Words[1], 1, 2678400); ok {
				vs.persist = v
			} else {
				l.errorf(n.Pos(), ClassGeneral, "persistence_timeout invalid")
			}
		},
		"persistence_granularity": func(l *lowerer, n *Node) {
			w := l.lvsWord(n)
			if w == "" {
				return
			}
			if !strings.Contains(w, ".") {
				if _, ok := l.parseInt(n.Keyword(), n.Words[1], 1, 128); !ok {
					l.errorf(n.Pos(), ClassGeneral, "Invalid IPv6 persistence_granularity specified - %s", w)
				}
				return
			}
			m, err := netip.ParseAddr(w)
			if err != nil || !m.Is4() {
				l.errorf(n.Pos(), ClassGeneral, "Invalid IPv4 persistence_granularity specified - %s", w)
				return
			}
			b := m.As4()
			v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			if ^v&(^v+1) != 0 {
				l.errorf(n.Pos(), ClassGeneral, "IPv4 persistence_granularity netmask is not solid - %s", w)
			}
		},
		"protocol": func(l *lowerer, n *Node) {
			w := l.lvsWord(n)
			switch w {
			case "":
			case "TCP", "UDP", "SCTP", "tcp", "udp", "sctp":
				l.lvs.cur.protocol = w
			default:
				l.errorf(n.Pos(), ClassGeneral, "Unknown protocol %s - ignoring", w)
			}
		},
		"ha_suspend": func(l *lowerer, n *Node) { l.lvs.cur.haSuspend = true },
		"smtp_alert": lvsBool("Invalid virtual_server smtp_alert parameter %s"),
		"virtualhost": func(l *lowerer, n *Node) {
			if len(n.Words) < 2 {
				l.errorf(n.Pos(), ClassGeneral, "virtual server virtualhost missing")
			}
		},
		"snmp_name": func(l *lowerer, n *Node) {
			if len(n.Words) != 2 {
				l.errorf(n.Pos(), ClassGeneral, "virtual server snmp_name missing or extra parameters")
			}
		},
		"alpha":       lvsFlag,
		"omega":       lvsFlag,
		"quorum_up":   lvsScript,
		"quorum_down": lvsScript,
		"quorum": func(l *lowerer, n *Node) {
			w := l.lvsWord(n)
			if w == "" {
				return
			}
			v, err := strconv.ParseUint(w, 10, 32)
			if err != nil || v < 1 {
				l.errorf(n.Words[1].Pos, ClassInvalidNumber, "quorum: number '%s' outside range [1, 4294967295]", w)
				l.errorf(n.Pos(), ClassGeneral, "Quorum %s must be in [1, 4294967295]. Setting to 1.", w)
				v = 1
			}
			l.lvs.cur.quorum = v
		},
		"hysteresis": func(l *lowerer, n *Node) {
			w := l.lvsWord(n)
			if w == "" {
				return
			}
			v, err := strconv.ParseUint(w, 10, 32)
			if err != nil {
				l.errorf(n.Pos(), ClassGeneral, "Hysteresis %s must be in [0, 4294967295] - ignoring", w)
				return
			}
			l.lvs.cur.hysteresis = v
		},
		"weight": func(l *lowerer, n *Node) {
			w := l.lvsWord(n)
			if w == "" {
				return
			}
			v, err := strconv.Atoi(w)
			if err != nil || v < 1 || v > ipvsWeightLimit {
				l.errorf(n.Pos(), ClassGeneral, "Virtual server weight %s is outside range 1-%d", w, ipvsWeightLimit)
				return
			}
			l.lvs.cur.weight = v
		},
		"sorry_server": func(l *lowerer, n *Node) {
			l.noBlock(n)
			vs := l.lvs.cur
			ip, port := "", ""
			if len(n.Words) > 1 {
				ip = n.Words[1].Text
			}
			if len(n.Words) > 2 {
				port = n.Words[2].Text
			}
			a, p, ok := lvsSockaddr(ip, port)
			if !ok {
				l.errorf(n.Pos(), ClassGeneral, "Invalid sorry server IP address %s - skipping", ip)
				return
			}
			vs.sorry = &lvsReal{pos: n.Pos(), addr: a, port: p, fwd: vs.fwd, weight: -1}
		},
		"sorry_server_inhibit": func(l *lowerer, n *Node) {
			if l.lvs.cur.sorry == nil {
				l.errorf(n.Pos(), ClassGeneral, "Ignoring sorry_server inhibit used before or without sorry_server")
			}
		},
		"sorry_server_lvs_method": func(l *lowerer, n *Node) {
			vs := l.lvs.cur
			if vs.sorry == nil {
				l.errorf(n.Pos(), ClassGeneral, "sorry_server forwarding used without sorry_server")
				return
			}
			if fwd, ok := l.lvsForwarding(n, "sorry"); ok {
				vs.sorry.fwd = fwd
				vs.sorry.tunnel = fwd == "TUN"
			}
		},
		"real_server": (*lowerer).lowerRealServer,
	}
	for _, f := range []string{"hashed", "ops", "flag-1", "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port", "mh-fallback"} {
		t[f] = lvsSchedFlag
	}
	return t
}

// ipvsWeightLimit is IPVS_WEIGHT_LIMIT.
const ipvsWeightLimit = 65535

// lowerRealServer checks a real_server block.
func (l *lowerer) lowerRealServer(n *Node) {
	st := l.lvs
	vs := st.cur
	if len(n.Words) < 2 {
		l.errorf(n.Pos(), ClassMissingParameter, "'%s' needs an address", n.Keyword())
		return
	}
	ip, port := n.Words[1].Text, ""
	if len(n.Words) > 2 {
		port = n.Words[2].Text
	}
	a, p, ok := lvsSockaddr(ip, port)
	if !ok {
		l.errorf(n.Pos(), ClassGeneral, "Invalid real server ip address/port %s/%s - skipping", ip, port)
		return
	}
	if !l.wantBlock(n) {
		return
	}
	rs := &lvsReal{pos: n.Pos(), addr: a, port: p, fwd: vs.fwd, weight: -1, tunnel: vs.fwd == "TUN"}
	vs.reals = append(vs.reals, rs)
	st.rs = rs
	l.walk(n.Children, l.table("real_server", rsTable), "real_server")
	st.rs = nil
	// rs_end_handler: the families must match unless tunnelled.
	if rs.tunnel {
		return
	}
	f := familyOf(rs.addr)
	switch {
	case vs.family == FamilyUnset:
		vs.family = f
	case vs.family != f:
		l.errorf(n.Pos(), ClassGeneral, "Address family of virtual server and real server %s don't match - skipping real server.", rs.addr)
		vs.reals = vs.reals[:len(vs.reals)-1]
	}
}

// rsTable is the table of a real_server block, checkers included.
func rsTable() table {
	t := table{
		"weight": func(l *lowerer, n *Node) {
			w := l.lvsWord(n)
			if w == "" {
				return
			}
			v, err := strconv.Atoi(w)
			if err != nil || v < 0 || v > ipvsWeightLimit {
				l.errorf(n.Pos(), ClassGeneral, "Real server weight %s is outside range 0-%d", w, ipvsWeightLimit)
				return
			}
			l.lvs.rs.weight = v
		},
		"lvs_method": func(l *lowerer, n *Node) {
			if fwd, ok := l.lvsForwarding(n, "real"); ok {
				l.lvs.rs.fwd = fwd
				l.lvs.rs.tunnel = fwd == "TUN"
			}
		},
		"uthreshold":         lvsUint("Invalid real_server uthreshold '%s' - ignoring", 0, 1<<32-1),
		"lthreshold":         lvsUint("Invalid real_server lthreshold '%s' - ignoring", 0, 1<<32-1),
		"inhibit_on_failure": lvsBool("Invalid inhibit_on_failure parameter %s"),
		"notify_up":          lvsScript,
		"notify_down":        lvsScript,
		"alpha":              lvsBool("Invalid alpha parameter %s"),
		"retry":              lvsUint("retry value invalid - %s", 1, 1<<32-1),
		"delay_before_retry": lvsTimer("real server delay_before_retry '%s' invalid - ignoring", 0),
		"warmup":             lvsTimer("real server warmup '%s' invalid - ignoring", 0),
		"connect_timeout":    lvsTimer("real server connect_timeout %s invalid - ignoring", time.Microsecond),
		"delay_loop":         lvsTimer("real server delay_loop '%s' invalid - ignoring", time.Microsecond),
		"smtp_alert":         lvsBool("Invalid real_server smtp_alert parameter %s"),
		"virtualhost": func(l *lowerer, n *Node) {
			if len(n.Words) < 2 {
				l.errorf(n.Pos(), ClassGeneral, "real server virtualhost missing")
			}
		},
		"snmp_name": func(l *lowerer, n *Node) {
			if len(n.Words) != 2 {
				l.errorf(n.Pos(), ClassGeneral, "real server snmp_name missing or extra parameters")
			}
		},
	}
	for kind, build := range checkerTables() {
		t[kind] = func(l *lowerer, n *Node) { l.lowerChecker(n, kind, build) }
	}
	return t
}

// lowerVSGroup checks a virtual_server_group block: its entries are
// "IP[-END] [PORT]", "IP/MASK [PORT]" or "fwmark N [inet|inet6]".
func (l *lowerer) lowerVSGroup(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	name := n.Words[1].Text
	g := &lvsGroup{}
	for _, e := range n.Children {
		l.vsgEntry(g, name, e)
	}
	if g.fwmarks == 0 && g.addrs == 0 {
		l.errorf(n.Pos(), ClassGeneral, "virtual server group %s has no entries - removing", name)
		return
	}
	if _, ok := l.lvs.groups[name]; !ok {
		l.lvs.groups[name] = g
	}
}

func (l *lowerer) vsgEntry(g *lvsGroup, name string, e *Node) {
	w := e.Words
	if w[0].Text == "fwmark" {
		if len(w) < 2 {
			l.errorf(e.Pos(), ClassGeneral, "(%s): fwmark '' must be in [0, 4294967295] - ignoring", name)
			return
		}
		if _, err := strconv.ParseUint(w[1].Text, 10, 32); err != nil {
			l.errorf(e.Pos(), ClassGeneral, "(%s): fwmark '%s' must be in [0, 4294967295] - ignoring", name, w[1].Text)
			return
		}
		if len(w) > 2 && w[2].Text != "inet" && w[2].Text != "inet6" {
			l.errorf(e.Pos(), ClassGeneral, "(%s): fwmark '%s' family %s unknown - ignoring", name, w[1].Text, w[2].Text)
			return
		}
		g.fwmarks++
		return
	}
	ip, port := w[0].Text, ""
	if len(w) > 1 {
		port = w[1].Text
	}
	start, p, ok := lvsSockaddr(ip, port)
	if !ok {
		l.errorf(e.Pos(), ClassGeneral, "Invalid virtual server group IP address %s %s - skipping", ip, port)
		return
	}
	if _, after, ok := strings.Cut(ip, "/"); ok {
		bits, err := strconv.Atoi(after)
		if err != nil || bits < 1 || bits > start.BitLen() {
			l.errorf(e.Pos(), ClassGeneral, "Invalid netmask - %s - skipping", ip)
			return
		}
		if pr := netip.PrefixFrom(start, bits); pr.Masked().Addr() != start {
			l.errorf(e.Pos(), ClassGeneral, "Address mask bits not empty - %s - skipping", ip)
			return
		}
	} else if _, end, ok := strings.Cut(ip, "-"); ok {
		if !l.vsgRangeEnd(e, start, end, ip) {
			return
		}
	}
	if p == 0 {
		g.zeroPort = true
	}
	g.addrs++
	g.ports = append(g.ports, p)
}

// vsgRangeEnd checks the end of an "IP-END" range: for IPv4 the last
// byte, for IPv6 the last 16 bits in hex.
func (l *lowerer) vsgRangeEnd(e *Node, start netip.Addr, end, ip string) bool {
	base := 10
	limit := uint64(255)
	var last uint64
	if start.Is6() {
		base, limit = 16, 0xffff
		b := start.As16()
		last = uint64(b[14])<<8 | uint64(b[15])
	} else {
		last = uint64(start.As4()[3])
	}
	v, err := strconv.ParseUint(end, base, 32)
	if err != nil || v > limit {
		if strings.ContainsAny(end, ".:") {
			l.errorf(e.Pos(), ClassGeneral, "Range address families do not match %s - skipping", ip)
		} else {
			l.errorf(e.Pos(), ClassGeneral, "Invalid range end %s - skipping", ip)
		}
		return false
	}
	if v < last {
		l.errorf(e.Pos(), ClassGeneral, "Address range end is less than address range start - %s - skipping", ip)
		return false
	}
	return true
}

// vsEnd is keepalived's vs_end_handler: a sorry server of the other family
// is dropped.
func (l *lowerer) vsEnd(vs *lvsServer) {
	if s := vs.sorry; s != nil && !s.tunnel {
		switch f := familyOf(s.addr); {
		case vs.family == FamilyUnset:
			vs.family = f
		case vs.family != f:
			l.errorf(s.pos, ClassGeneral, "Address family of virtual server and sorry server %s don't match - skipping sorry server.", s.addr)
			vs.sorry = nil
		}
	}
}

// checkLVS runs keepalived's validate_check_config over the virtual
// servers once the whole configuration is read, and the check scripts'
// security check.
func (l *lowerer) checkLVS() {
	st := l.lvs
	if st == nil {
		return
	}
	for _, vs := range st.servers {
		l.validateVS(vs)
	}
	var f scFlags
	for _, c := range st.scripts {
		f |= l.checkNotifyScript(c, "check")
	}
	l.securityViolation(f, "check scripts")
}

func (l *lowerer) validateVS(vs *lvsServer) {
	var g *lvsGroup
	if vs.group != "" {
		// keepalived -t says nothing of a group that is not configured.
		if g = l.lvs.groups[vs.group]; g == nil {
			g = &lvsGroup{}
		}
	}
	if len(vs.reals) == 0 {
		l.errorf(vs.pos, ClassGeneral, "Virtual server %s has no real servers - ignoring", vs.label())
		return
	}
	hasFwmark := vs.isFwmark || g != nil && g.fwmarks > 0
	if vs.haSuspend && hasFwmark {
		l.errorf(vs.pos, ClassGeneral, "Virtual server %s: cannot use ha_suspend with fwmarks - clearing ha_suspend", vs.label())
	}
	if g != nil && g.addrs > 0 || g == nil && !vs.isFwmark {
		if vs.protocol == "" {
			l.errorf(vs.pos, ClassGeneral, "Virtual server %s: no protocol set - defaulting to UDP", vs.label())
			vs.protocol = "udp"
		}
		if vs.ops && !strings.EqualFold(vs.protocol, "udp") {
			l.errorf(vs.pos, ClassGeneral, "Virtual server %s: one packet scheduling requires UDP - resetting", vs.label())
		}
		if vs.persist == 0 && g == nil && !vs.isFwmark && vs.port == 0 {
			l.errorf(vs.pos, ClassGeneral, "Virtual server %s: zero port only valid for persistent services - setting", vs.label())
			vs.persist = 360
		}
	}
	if vs.persist == 0 && g != nil && g.zeroPort {
		l.errorf(vs.pos, ClassGeneral, "Virtual server %s: zero port only valid for persistent services - setting", vs.label())
	}
	if vs.protocol != "" && (g != nil && g.addrs == 0 && g.fwmarks > 0 || g == nil && vs.isFwmark) {
		l.errorf(vs.pos, ClassGeneral, "Warning: Virtual server %s: protocol specified for fwmark - protocol will be ignored", vs.label())
	}
	if vs.sched == "" {
		l.errorf(vs.pos, ClassGeneral, "Virtual server %s: no scheduler set, setting default 'wlc'", vs.label())
	}
	var sum uint64
	kept := vs.reals[:0:0]
	for _, rs := range vs.reals {
		dup := false
		for _, k := range kept {
			if k.addr == rs.addr && k.port == rs.port {
				dup = true
			}
		}
		if dup {
			l.errorf(rs.pos, ClassGeneral, "VS %s: real server [%s]:%d is duplicated - removing second rs", vs.label(), rs.addr, rs.port)
			continue
		}
		kept = append(kept, rs)
		if rs.fwd == "" {
			if vs.fwd == "" {
				l.errorf(vs.pos, ClassGeneral, "Virtual server %s: no forwarding method set, setting default NAT", vs.label())
				vs.fwd = "NAT"
			}
			rs.fwd = vs.fwd
		}
		w := rs.weight
		if w < 0 {
			w = vs.weight
		}
		sum += uint64(w)
	}
	if s := vs.sorry; s != nil && s.fwd == "" && vs.fwd == "" {
		l.errorf(vs.pos, ClassGeneral, "Virtual server %s: no forwarding method set, setting default NAT", vs.label())
		vs.fwd = "NAT"
	}
	if vs.quorum > sum {
		l.errorf(vs.pos, ClassGeneral, "Warning - quorum %d for %s exceeds total weight of real servers %d, reducing quorum to %d", vs.quorum, vs.label(), sum, sum)
		vs.quorum = sum
	}
	if vs.hysteresis >= vs.quorum {
		l.errorf(vs.pos, ClassGeneral, "Virtual server %s: hysteresis %d >= quorum %d; setting hysteresis to %d", vs.label(), vs.hysteresis, vs.quorum, int64(vs.quorum)-1)
	}
	if g != nil {
		l.validateGroupPorts(vs, g, kept)
		return
	}
	for _, rs := range kept {
		if rs.fwd == "NAT" || rs.port == 0 {
			continue
		}
		if vs.isFwmark {
			l.errorf(rs.pos, ClassGeneral, "WARNING - fwmark virtual server %s, real server [%s]:%d has port specified - clearing", vs.label(), rs.addr, rs.port)
		} else if rs.port != vs.port {
			l.errorf(rs.pos, ClassGeneral, "WARNING - virtual server %s and real server [%s]:%d ports don't match - resetting", vs.label(), rs.addr, rs.port)
		}
	}
	if s := vs.sorry; s != nil && s.fwd != "NAT" && s.port != 0 {
		if vs.isFwmark {
			l.errorf(s.pos, ClassGeneral, "WARNING - virtual server %s, sorry server has port specified - clearing", vs.label())
		} else if s.port != vs.port {
			l.errorf(s.pos, ClassGeneral, "WARNING - virtual server %s and sorry server ports don't match - resetting", vs.label())
		}
	}
}

// validateGroupPorts checks, as keepalived does, the ports of the real and
// sorry servers of a virtual server defined by a group.
func (l *lowerer) validateGroupPorts(vs *lvsServer, g *lvsGroup, reals []*lvsReal) {
	if g.fwmarks > 0 {
		for _, rs := range reals {
			if rs.fwd != "NAT" && rs.port != 0 {
				l.errorf(rs.pos, ClassGeneral, "WARNING - fwmark virtual server %s, real server [%s]:%d has port specified - port will be ignored", vs.label(), rs.addr, rs.port)
			}
		}
		if s := vs.sorry; s != nil && s.fwd != "NAT" && s.port != 0 {
			l.errorf(s.pos, ClassGeneral, "WARNING - fwmark virtual server %s, sorry server has port specified - port will be ignored", vs.label())
		}
	}
	for _, p := range g.ports {
		for _, rs := range reals {
			if rs.fwd != "NAT" && rs.port != 0 && rs.port != p {
				l.errorf(rs.pos, ClassGeneral, "virtual server %s and real server [%s]:%d ports don't match", vs.label(), rs.addr, rs.port)
			}
		}
		if s := vs.sorry; s != nil && s.fwd != "NAT" && s.port != 0 && s.port != p {
			l.errorf(s.pos, ClassGeneral, "WARNING - virtual server %s, sorry server has port specified - port will be ignored", vs.label())
		}
	}
}

// lvsWord returns the first argument, or "" after reporting keepalived's
// missing-parameter error.
func (l *lowerer) lvsWord(n *Node) string {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return ""
	}
	return t.Text
}

// lvsForwarding reads lb_kind/lvs_method: NAT, DR, or TUN with its
// options.
func (l *lowerer) lvsForwarding(n *Node, server string) (string, bool) {
	w := l.lvsWord(n)
	switch w {
	case "":
		return "", false
	case "NAT", "DR":
		return w, true
	case "TUN":
	default:
		l.errorf(n.Pos(), ClassGeneral, "PARSER : unknown [%s] routing method for %s server.", w, server)
		return "", false
	}
	args := n.Words[2:]
	gue := false
	for i := 0; i < len(args); i++ {
		switch args[i].Text {
		case "type":
			if i+1 >= len(args) {
				l.errorf(n.Pos(), ClassGeneral, "Missing tunnel type for %s server.", server)
				return "", false
			}
			i++
			switch args[i].Text {
			case "ipip":
			case "gue":
				gue = true
			case "gre":
			default:
				l.errorf(n.Pos(), ClassGeneral, "Unknown tunnel type %s for %s server.", args[i].Text, server)
				return "", false
			}
		case "port":
			if i+1 >= len(args) {
				l.errorf(n.Pos(), ClassGeneral, "Missing port for %s server gue tunnel.", server)
				return "", false
			}
			i++
			if v, err := strconv.Atoi(args[i].Text); err != nil || v < 1 || v > 65535 {
				l.errorf(n.Pos(), ClassGeneral, "Invalid gue tunnel port %s for %s server.", args[i].Text, server)
				return "", false
			}
			if !gue {
				l.errorf(n.Pos(), ClassGeneral, "gue tunnels require port, otherwise cannot have port.")
				return "", false
			}
		case "nocsum", "csum", "remcsum":
		default:
			l.errorf(n.Pos(), ClassGeneral, "Invalid tunnel option %s for %s server.", args[i].Text, server)
			return "", false
		}
	}
	return "TUN", true
}

// lvsSched reads lb_algo/lvs_sched.
func lvsSched(l *lowerer, n *Node) {
	w := l.lvsWord(n)
	if w == "" {
		return
	}
	if len(w) > 15 {
		l.errorf(n.Pos(), ClassGeneral, "Invalid lvs_scheduler '%s' - ignoring", w)
		return
	}
	l.lvs.cur.sched = w
}

// lvsSchedFlag reads ops, flag-1..3 and the sh and mh flags, which need
// the sh or mh scheduler set before them (lbflags_handler).
func lvsSchedFlag(l *lowerer, n *Node) {
	l.noBlock(n)
	vs := l.lvs.cur
	switch kw := n.Keyword(); kw {
	case "ops":
		vs.ops = true
	case "flag-1", "flag-2", "flag-3":
	default:
		if vs.sched != "sh" && vs.sched != "mh" {
			l.errorf(n.Pos(), ClassGeneral, "%s only applies to sh scheduler - ignoring", kw)
		}
	}
}

// lvsFlag is a keyword that takes no value.
func lvsFlag(l *lowerer, n *Node) { l.noBlock(n) }

// lvsAny is a keyword whose value keepalived takes as it is.
func lvsAny(l *lowerer, n *Node) { l.lvsWord(n) }

// lvsBool is a keyword with an optional on/off value.
func lvsBool(msg string) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		if len(n.Words) < 2 {
			return
		}
		switch n.Words[1].Text {
		case "true", "on", "yes", "false", "off", "no":
		default:
			l.errorf(n.Pos(), ClassGeneral, msg, n.Words[1].Text)
		}
	}
}

// lvsUint is a keyword with a whole number in [lo, hi].
func lvsUint(msg string, lo, hi uint64) handler {
	return func(l *lowerer, n *Node) {
		w := l.lvsWord(n)
		if w == "" {
			return
		}
		v, err := strconv.ParseUint(w, 10, 64)
		if err != nil || v < lo || v > hi {
			l.errorf(n.Pos(), ClassGeneral, msg, w)
		}
	}
}

// lvsOptUint is lvsUint whose value may be left out.
func lvsOptUint(msg string, lo, hi uint64) handler {
	check := lvsUint(msg, lo, hi)
	return func(l *lowerer, n *Node) {
		if len(n.Words) > 1 {
			check(l, n)
		}
	}
}

// lvsTimer is a keyword with decimal seconds of at least lo.
func lvsTimer(msg string, lo time.Duration) handler {
	return func(l *lowerer, n *Node) {
		w := l.lvsWord(n)
		if w == "" {
			return
		}
		d, err := parseSeconds(w)
		if err != nil || d < lo {
			l.errorf(n.Pos(), ClassGeneral, msg, w)
		}
	}
}

// lvsScript is a checker-side notify or quorum script.
func lvsScript(l *lowerer, n *Node) {
	if c := l.command(n); c != nil {
		l.lvs.scripts = append(l.lvs.scripts, c)
	}
}
