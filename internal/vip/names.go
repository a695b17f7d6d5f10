package vip

import (
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// resolve turns word into its number as the config front end does
// (rtnames.Kind.Lookup): a number in C syntax up to the kind's maximum, a
// name from the file k names, or a built-in name.
func resolve(names rtnames.Namer, k rtnames.Kind, word string) (uint64, error) {
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
