package confparse

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
)

// RTEntry is one line of one of iproute2's name files: a number and the
// name given to it.
type RTEntry struct {
	ID   uint32
	Name string
}

// RTNamer is an optional extension of Environment: it reads the name files
// keepalived reads for routes, rules and addresses. file is one of
// "rt_tables", "rt_protos", "rt_scopes", "rt_realms", "rt_dsfield" and
// "group" (under /etc/iproute2), or "protocols" (/etc/protocols, every name
// and alias of a protocol). An Environment without it knows only
// keepalived's built-in names.
type RTNamer interface {
	RTTable(file string) []RTEntry
}

// rtKind describes one of the name tables: its file, its largest value and
// keepalived's built-in names, added for the numbers the file does not name.
type rtKind struct {
	file     string
	max      uint32
	defaults []RTEntry
}

var (
	rtScopes = rtKind{"rt_scopes", 255, []RTEntry{
		{0, "global"}, {255, "nowhere"}, {254, "host"}, {253, "link"}, {200, "site"},
	}}
	rtTables = rtKind{"rt_tables", math.MaxUint32, []RTEntry{
		{253, "default"}, {254, "main"}, {255, "local"},
	}}
	rtProtos = rtKind{"rt_protos", 255, []RTEntry{
		{0, "none"}, {1, "redirect"}, {2, "kernel"}, {3, "boot"}, {4, "static"},
		{8, "gated"}, {9, "ra"}, {10, "mrt"}, {11, "zebra"}, {12, "bird"}, {42, "babel"},
		{13, "dnrouted"}, {14, "xorp"}, {15, "ntk"}, {16, "dhcp"},
	}}
	rtDSFields = rtKind{"rt_dsfield", 255, nil}
	rtRealms   = rtKind{"rt_realms", 255, nil}
	rtGroups   = rtKind{"group", math.MaxInt32, nil}
)

// routeTypes are the route types keepalived knows by name (RTN_*).
var routeTypes = map[string]uint8{
	"unicast": 1, "local": 2, "broadcast": 3, "brd": 3, "anycast": 4, "multicast": 5,
	"blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10, "xresolve": 11,
}

// ipProtocols are the protocol names used when the Environment cannot read
// /etc/protocols: the usual names and their upper-case aliases.
var ipProtocols = []RTEntry{
	{0, "ip"}, {0, "IP"}, {1, "icmp"}, {1, "ICMP"}, {2, "igmp"}, {2, "IGMP"},
	{6, "tcp"}, {6, "TCP"}, {17, "udp"}, {17, "UDP"}, {33, "dccp"}, {33, "DCCP"},
	{41, "ipv6"}, {41, "IPv6"}, {47, "gre"}, {47, "GRE"}, {50, "esp"}, {50, "IPSEC-ESP"},
	{51, "ah"}, {51, "IPSEC-AH"}, {58, "ipv6-icmp"}, {58, "IPv6-ICMP"},
	{132, "sctp"}, {132, "SCTP"}, {136, "udplite"}, {136, "UDPLite"},
}

// rtLookup resolves a table, protocol, scope, realm, dsfield or group word
// the way keepalived's find_rttables_* do: a C number in any base (wrapped
// to 32 bits) up to the table's maximum, else a name of the file, else a
// built-in name whose number the file leaves unnamed.
func (l *lowerer) rtLookup(k rtKind, word string) (uint32, bool) {
	if v, ok := cStrtoul(word, 0); ok {
		id := uint32(v)
		return id, id <= k.max
	}
	entries := l.rtEntries(k.file)
	for _, e := range entries {
		if e.Name == word && e.ID <= k.max {
			return e.ID, true
		}
	}
	for _, d := range k.defaults {
		if d.Name == word && !hasID(entries, d.ID) {
			return d.ID, true
		}
	}
	return 0, false
}

// rtEntries returns the entries of a name file, if the Environment reads
// them.
func (l *lowerer) rtEntries(file string) []RTEntry {
	if n, ok := l.env.(RTNamer); ok {
		return n.RTTable(file)
	}
	return nil
}

// hasID reports whether a name file names the number id.
func hasID(entries []RTEntry, id uint32) bool {
	for _, e := range entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

// rtWord resolves word in k and returns its canonical text: a name stays
// as written, a number is written in decimal.
func (l *lowerer) rtWord(k rtKind, word string) (string, bool) {
	v, ok := l.rtLookup(k, word)
	if !ok {
		return "", false
	}
	if _, isNum := cStrtoul(word, 0); isNum {
		return strconv.FormatUint(uint64(v), 10), true
	}
	return word, true
}

// ipProtoNumber resolves an ipproto word as iproute2's inet_proto_a2n
// does: a decimal number up to 255 or a protocol name (case-sensitive).
func (l *lowerer) ipProtoNumber(word string) (uint8, bool) {
	if v, err := strconv.ParseUint(word, 10, 64); err == nil {
		return uint8(v), v <= 255
	}
	entries := l.rtEntries("protocols")
	if entries == nil {
		entries = ipProtocols
	}
	for _, e := range entries {
		if e.Name == word && e.ID <= 255 {
			return uint8(e.ID), true
		}
	}
	return 0, false
}

// cStrtoul converts s as C's strtoul does when the whole string must be a
// number: optional sign, then digits of base (0: 0x hex, 0 octal, else
// decimal). A '-' negates modulo 2^64 and overflow saturates.
func cStrtoul(s string, base int) (uint64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	switch {
	case (base == 0 || base == 16) && len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		s, base = s[2:], 16
	case base == 0 && len(s) > 1 && s[0] == '0':
		s, base = s[1:], 8
	case base == 0:
		base = 10
	}
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return math.MaxUint64, true
		}
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// readUnsigned reads a decimal number in [lo, hi] as keepalived's
// read_unsigned does; like it, it takes an empty string as 0.
func readUnsigned(s string, lo, hi uint64) (uint64, bool) {
	if s == "" {
		return 0, lo == 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	return v, err == nil && v >= lo && v <= hi
}

// RTTable reads one of iproute2's name files, or /etc/protocols, as
// keepalived does.
func (hostEnv) RTTable(file string) []RTEntry { return ReadRTNames(file) }

// ReadRTNames reads /etc/iproute2/FILE (rt_tables, rt_protos, rt_scopes,
// rt_dsfield, rt_realms, group), or /etc/protocols for "protocols", as
// keepalived does; a missing file has no entries.
func ReadRTNames(file string) []RTEntry {
	path := "/etc/iproute2/" + file
	if file == "protocols" {
		path = "/etc/protocols"
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []RTEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if file == "protocols" {
			out = append(out, protocolEntries(fields)...)
			continue
		}
		if len(fields) != 2 || strings.HasPrefix(fields[0], "-") {
			continue
		}
		if v, ok := cStrtoul(fields[0], 0); ok && v <= math.MaxUint32 {
			out = append(out, RTEntry{ID: uint32(v), Name: fields[1]})
		}
	}
	return out
}

// protocolEntries turns one /etc/protocols line (name, number, aliases)
// into entries for the name and each alias.
func protocolEntries(fields []string) []RTEntry {
	if len(fields) < 2 {
		return nil
	}
	v, err := strconv.ParseUint(fields[1], 10, 8)
	if err != nil {
		return nil
	}
	out := []RTEntry{{ID: uint32(v), Name: fields[0]}}
	for _, a := range fields[2:] {
		out = append(out, RTEntry{ID: uint32(v), Name: a})
	}
	return out
}
