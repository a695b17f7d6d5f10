package confparse

import (
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// RTEntry is one line of one of iproute2's name files: a number and the
// name given to it (package rtnames, the one reader of those files).
type RTEntry = rtnames.Entry

// RTNamer is an optional extension of Environment: it reads the name files
// keepalived reads for routes, rules and addresses (rtnames.Namer). An
// Environment without it knows only keepalived's built-in names.
type RTNamer = rtnames.Namer

// The name tables, from package rtnames.
var (
	rtScopes   = rtnames.Scopes
	rtTables   = rtnames.Tables
	rtProtos   = rtnames.Protos
	rtDSFields = rtnames.DSFields
	rtRealms   = rtnames.Realms
	rtGroups   = rtnames.Groups
	routeTypes = rtnames.RouteTypes
)

// rtLookup resolves a table, protocol, scope, realm, dsfield or group word
// the way keepalived's find_rttables_* do: a C number in any base (wrapped
// to 32 bits) up to the table's maximum, else a name of the file, else a
// built-in name whose number the file leaves unnamed.
func (l *lowerer) rtLookup(k rtnames.Kind, word string) (uint32, bool) {
	return k.Lookup(l.rtEntries(k.File), word)
}

// rtEntries returns the entries of a name file, if the Environment reads
// them.
func (l *lowerer) rtEntries(file string) []RTEntry {
	if n, ok := l.env.(RTNamer); ok {
		return n.RTTable(file)
	}
	return nil
}

// ipProtoNumber resolves an ipproto word as iproute2's inet_proto_a2n
// does: a decimal number up to 255 or a protocol name (case-sensitive).
func (l *lowerer) ipProtoNumber(word string) (uint8, bool) {
	if v, err := strconv.ParseUint(word, 10, 64); err == nil {
		return uint8(v), v <= 255
	}
	entries := l.rtEntries("protocols")
	if entries == nil {
		entries = rtnames.IPProtocols.Builtin
	}
	for _, e := range entries {
		if e.Name == word && e.ID <= 255 {
			return uint8(e.ID), true
		}
	}
	return 0, false
}

// cStrtoul is C's strtoul on a whole string (rtnames.CStrtoul).
func cStrtoul(s string, base int) (uint64, bool) { return rtnames.CStrtoul(s, base) }

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
func (e hostEnv) RTTable(file string) []RTEntry {
	return remember(e.m().rtTables, file, func() []RTEntry { return ReadRTNames(file) })
}

// ReadRTNames reads /etc/iproute2/FILE (rt_tables, rt_protos, rt_scopes,
// rt_dsfield, rt_realms, group), or /etc/protocols for "protocols", as
// keepalived does (rtnames.Read); a missing file has no entries.
func ReadRTNames(file string) []RTEntry { return rtnames.Read(file) }
