package dumps

import (
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
)

// rtEntry is one line of an iproute2 name file: a number and its name.
type rtEntry struct {
	id   uint64
	name string
}

// names turns the names of iproute2's name files (rt_tables, rt_protos,
// rt_scopes, rt_dsfield, rt_realms, group) and of /etc/protocols into
// numbers and back, as keepalived does: the file first, then keepalived's
// built-in names. It is not safe for concurrent use.
type names struct {
	read  func(file string) []rtEntry
	cache map[string][]rtEntry
}

// builtinNames are keepalived's names for the numbers a file leaves out.
var builtinNames = map[string][]rtEntry{
	"rt_scopes": {{0, "global"}, {255, "nowhere"}, {254, "host"}, {253, "link"}, {200, "site"}},
	"rt_tables": {{253, "default"}, {254, "main"}, {255, "local"}},
	"rt_protos": {{0, "none"}, {1, "redirect"}, {2, "kernel"}, {3, "boot"}, {4, "static"},
		{8, "gated"}, {9, "ra"}, {10, "mrt"}, {11, "zebra"}, {12, "bird"}, {42, "babel"},
		{13, "dnrouted"}, {14, "xorp"}, {15, "ntk"}, {16, "dhcp"}},
	"protocols": {{0, "ip"}, {1, "icmp"}, {2, "igmp"}, {6, "tcp"}, {17, "udp"}, {33, "dccp"},
		{41, "ipv6"}, {47, "gre"}, {50, "esp"}, {51, "ah"}, {58, "ipv6-icmp"}, {132, "sctp"}, {136, "udplite"}},
}

// systemNames reads the machine's name files, each once, when first needed.
func systemNames() *names { return &names{read: readNameFile} }

// builtinOnly knows keepalived's built-in names only (for tests).
func builtinOnly() *names { return &names{read: func(string) []rtEntry { return nil }} }

func (n *names) entries(file string) []rtEntry {
	if n.cache == nil {
		n.cache = map[string][]rtEntry{}
	}
	e, ok := n.cache[file]
	if !ok {
		e = n.read(file)
		n.cache[file] = e
	}
	return e
}

// number resolves word (a number in C syntax or a name) in file; ok is
// false for an unknown name.
func (n *names) number(file, word string) (uint64, bool) {
	if v, err := strconv.ParseUint(word, 0, 64); err == nil {
		return v, true
	}
	fromFile := n.entries(file)
	for _, e := range fromFile {
		if e.name == word {
			return e.id, true
		}
	}
	for _, e := range builtinNames[file] {
		if e.name == word && !hasID(fromFile, e.id) {
			return e.id, true
		}
	}
	return 0, false
}

// name returns the name of id in file, or id in decimal when it has none.
func (n *names) name(file string, id uint64) string {
	for _, e := range n.entries(file) {
		if e.id == id {
			return e.name
		}
	}
	for _, e := range builtinNames[file] {
		if e.id == id {
			return e.name
		}
	}
	return strconv.FormatUint(id, 10)
}

func hasID(es []rtEntry, id uint64) bool {
	for _, e := range es {
		if e.id == id {
			return true
		}
	}
	return false
}

// readNameFile reads /etc/iproute2/FILE, or /etc/protocols for
// "protocols", as the config front end reads them.
func readNameFile(file string) []rtEntry {
	var out []rtEntry
	for _, e := range confparse.ReadRTNames(file) {
		out = append(out, rtEntry{uint64(e.ID), e.Name})
	}
	return out
}
