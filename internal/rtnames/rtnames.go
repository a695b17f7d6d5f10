// Package rtnames is the one reader of iproute2's name files
// (/etc/iproute2/rt_tables, rt_protos, rt_scopes, rt_realms, rt_dsfield,
// group) and /etc/protocols, with keepalived 2.2.7's built-in names
// (lib/rttables.c): the config front end turns names into numbers with it
// once, when it reads the configuration (the typed configuration holds
// only the numbers, which the address code applies), and the dumps turn an
// address's scope back into its name, all from the same tables. It depends
// on nothing in the project.
package rtnames

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
)

// Entry is one line of a name file: a number and the name given to it.
type Entry struct {
	ID   uint32
	Name string
}

// Namer reads the name files: file is one of "rt_tables", "rt_protos",
// "rt_scopes", "rt_realms", "rt_dsfield" and "group" (under /etc/iproute2),
// or "protocols" (/etc/protocols, every name and alias of a protocol).
type Namer interface {
	RTTable(file string) []Entry
}

// Kind is one of the name files: its file, its largest value and
// keepalived's built-in names, which count for the numbers the file does
// not name.
type Kind struct {
	File    string
	Max     uint32
	Builtin []Entry
}

// The kinds, with keepalived's built-in names.
var (
	Scopes = Kind{"rt_scopes", 255, []Entry{
		{0, "global"}, {255, "nowhere"}, {254, "host"}, {253, "link"}, {200, "site"},
	}}
	Tables = Kind{"rt_tables", math.MaxUint32, []Entry{
		{253, "default"}, {254, "main"}, {255, "local"},
	}}
	Protos = Kind{"rt_protos", 255, []Entry{
		{0, "none"}, {1, "redirect"}, {2, "kernel"}, {3, "boot"}, {4, "static"},
		{8, "gated"}, {9, "ra"}, {10, "mrt"}, {11, "zebra"}, {12, "bird"}, {42, "babel"},
		{13, "dnrouted"}, {14, "xorp"}, {15, "ntk"}, {16, "dhcp"},
	}}
	DSFields = Kind{"rt_dsfield", 255, nil}
	Realms   = Kind{"rt_realms", 255, nil}
	Groups   = Kind{"group", math.MaxInt32, nil}
	// IPProtocols are the names used when /etc/protocols cannot be read:
	// the usual names and their upper-case aliases.
	IPProtocols = Kind{"protocols", 255, []Entry{
		{0, "ip"}, {0, "IP"}, {1, "icmp"}, {1, "ICMP"}, {2, "igmp"}, {2, "IGMP"},
		{6, "tcp"}, {6, "TCP"}, {17, "udp"}, {17, "UDP"}, {33, "dccp"}, {33, "DCCP"},
		{41, "ipv6"}, {41, "IPv6"}, {47, "gre"}, {47, "GRE"}, {50, "esp"}, {50, "IPSEC-ESP"},
		{51, "ah"}, {51, "IPSEC-AH"}, {58, "ipv6-icmp"}, {58, "IPv6-ICMP"},
		{132, "sctp"}, {132, "SCTP"}, {136, "udplite"}, {136, "UDPLite"},
	}}
)

// ByFile returns the kind of a file name, and whether it is one.
func ByFile(file string) (Kind, bool) {
	for _, k := range []Kind{Scopes, Tables, Protos, DSFields, Realms, Groups, IPProtocols} {
		if k.File == file {
			return k, true
		}
	}
	return Kind{}, false
}

// RouteTypes are the route types keepalived knows by name (RTN_*); the
// names it prints for them are config.RouteTypeName's.
var RouteTypes = map[string]uint8{
	"unicast": 1, "local": 2, "broadcast": 3, "brd": 3, "anycast": 4, "multicast": 5,
	"blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10, "xresolve": 11,
}

// Lookup resolves word in k the way keepalived's find_rttables_* do: a C
// number in any base (wrapped to 32 bits) up to the kind's maximum, else a
// name of the file (entries, as Read returns them), else a built-in name
// whose number the file leaves unnamed.
func (k Kind) Lookup(entries []Entry, word string) (uint32, bool) {
	if v, ok := CStrtoul(word, 0); ok {
		id := uint32(v)
		return id, id <= k.Max
	}
	for _, e := range entries {
		if e.Name == word && e.ID <= k.Max {
			return e.ID, true
		}
	}
	for _, d := range k.Builtin {
		if d.Name == word && !HasID(entries, d.ID) {
			return d.ID, true
		}
	}
	return 0, false
}

// Name returns the name of id in k (the file's first, else the built-in
// one), or id in decimal when it has none.
func (k Kind) Name(entries []Entry, id uint32) string {
	for _, e := range entries {
		if e.ID == id {
			return e.Name
		}
	}
	for _, e := range k.Builtin {
		if e.ID == id {
			return e.Name
		}
	}
	return strconv.FormatUint(uint64(id), 10)
}

// HasID reports whether entries name the number id.
func HasID(entries []Entry, id uint32) bool {
	for _, e := range entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

// Read reads /etc/iproute2/FILE, or /etc/protocols for "protocols" (every
// name and alias of a protocol), as keepalived does; a missing file has
// no entries.
func Read(file string) []Entry {
	path := "/etc/iproute2/" + file
	if file == "protocols" {
		path = "/etc/protocols"
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []Entry
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
		if v, ok := CStrtoul(fields[0], 0); ok && v <= math.MaxUint32 {
			out = append(out, Entry{ID: uint32(v), Name: fields[1]})
		}
	}
	return out
}

// protocolEntries turns one /etc/protocols line (name, number, aliases)
// into entries for the name and each alias.
func protocolEntries(fields []string) []Entry {
	if len(fields) < 2 {
		return nil
	}
	v, err := strconv.ParseUint(fields[1], 10, 8)
	if err != nil {
		return nil
	}
	out := []Entry{{ID: uint32(v), Name: fields[0]}}
	for _, a := range fields[2:] {
		out = append(out, Entry{ID: uint32(v), Name: a})
	}
	return out
}

// CStrtoul converts s as C's strtoul does when the whole string must be a
// number: optional sign, then digits of base (0: 0x hex, 0 octal, else
// decimal). A '-' negates modulo 2^64 and overflow saturates.
func CStrtoul(s string, base int) (uint64, bool) {
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
