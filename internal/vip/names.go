package vip

import (
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// nameKind is one of iproute2's name files (package rtnames, the one
// reader of them, with keepalived's built-in names).
type nameKind = rtnames.Kind

var (
	scopeNames   = rtnames.Scopes
	tableNames   = rtnames.Tables
	protoNames   = rtnames.Protos
	dsfieldNames = rtnames.DSFields
	realmNames   = rtnames.Realms
	groupNames   = rtnames.Groups
	ipProtoNames = rtnames.IPProtocols
)

// routeTypes maps the route type names to RTN_* values.
var routeTypes = rtnames.RouteTypes

// resolve turns word into its number as the config front end does
// (rtnames.Kind.Lookup): a number in C syntax up to the kind's maximum, a
// name from the file k names, or a built-in name.
func resolve(names confparse.RTNamer, k nameKind, word string) (uint64, error) {
	var entries []rtnames.Entry
	if names != nil {
		entries = names.RTTable(k.File)
	}
	if v, ok := k.Lookup(entries, word); ok {
		return uint64(v), nil
	}
	if _, isNum := rtnames.CStrtoul(word, 0); isNum {
		return 0, fmt.Errorf("%s %q: out of range", k.File, word)
	}
	return 0, fmt.Errorf("%s %q: %w", k.File, word, ErrUnknownName)
}
