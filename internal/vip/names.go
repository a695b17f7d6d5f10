package vip

import (
	"fmt"
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
)

// nameKind is one of iproute2's name files with its largest value and the
// names known without it.
type nameKind struct {
	file     string
	max      uint64
	defaults []confparse.RTEntry
}

var (
	scopeNames = nameKind{"rt_scopes", 255, []confparse.RTEntry{
		{ID: 0, Name: "global"}, {ID: 255, Name: "nowhere"}, {ID: 254, Name: "host"},
		{ID: 253, Name: "link"}, {ID: 200, Name: "site"},
	}}
	tableNames = nameKind{"rt_tables", 1<<32 - 1, []confparse.RTEntry{
		{ID: 253, Name: "default"}, {ID: 254, Name: "main"}, {ID: 255, Name: "local"},
	}}
	protoNames = nameKind{"rt_protos", 255, []confparse.RTEntry{
		{ID: 0, Name: "none"}, {ID: 1, Name: "redirect"}, {ID: 2, Name: "kernel"},
		{ID: 3, Name: "boot"}, {ID: 4, Name: "static"}, {ID: 8, Name: "gated"},
		{ID: 9, Name: "ra"}, {ID: 10, Name: "mrt"}, {ID: 11, Name: "zebra"},
		{ID: 12, Name: "bird"}, {ID: 13, Name: "dnrouted"}, {ID: 14, Name: "xorp"},
		{ID: 15, Name: "ntk"}, {ID: 16, Name: "dhcp"}, {ID: 18, Name: "keepalived"},
		{ID: 42, Name: "babel"},
	}}
	dsfieldNames = nameKind{"rt_dsfield", 255, nil}
	realmNames   = nameKind{"rt_realms", 255, nil}
	groupNames   = nameKind{"group", 1<<31 - 1, nil}
	ipProtoNames = nameKind{"protocols", 255, []confparse.RTEntry{
		{ID: 1, Name: "icmp"}, {ID: 2, Name: "igmp"}, {ID: 6, Name: "tcp"},
		{ID: 17, Name: "udp"}, {ID: 33, Name: "dccp"}, {ID: 41, Name: "ipv6"},
		{ID: 47, Name: "gre"}, {ID: 50, Name: "esp"}, {ID: 51, Name: "ah"},
		{ID: 58, Name: "ipv6-icmp"}, {ID: 132, Name: "sctp"}, {ID: 136, Name: "udplite"},
	}}
)

// routeTypes maps the route type names to RTN_* values.
var routeTypes = map[string]uint64{
	"unicast": 1, "local": 2, "broadcast": 3, "brd": 3, "anycast": 4, "multicast": 5,
	"blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10, "xresolve": 11,
}

// resolve turns word into its number: a number in C syntax (decimal, 0x
// hex or 0 octal), a name from the file k names, or a built-in name.
func resolve(names confparse.RTNamer, k nameKind, word string) (uint64, error) {
	if v, err := strconv.ParseUint(word, 0, 64); err == nil {
		if v > k.max {
			return 0, fmt.Errorf("%s %q: out of range", k.file, word)
		}
		return v, nil
	}
	if names != nil {
		for _, e := range names.RTTable(k.file) {
			if e.Name == word && uint64(e.ID) <= k.max {
				return uint64(e.ID), nil
			}
		}
	}
	for _, e := range k.defaults {
		if e.Name == word {
			return uint64(e.ID), nil
		}
	}
	return 0, fmt.Errorf("%s %q: %w", k.file, word, ErrUnknownName)
}
