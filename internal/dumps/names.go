package dumps

import (
	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// names turns the names of iproute2's name files (rt_tables, rt_protos,
// rt_scopes, rt_dsfield, rt_realms, group) and of /etc/protocols into
// numbers and back, as keepalived does, with package rtnames (the one
// reader of those files, and keepalived's built-in names). It is not safe
// for concurrent use.
type names struct {
	read  func(file string) []rtnames.Entry
	cache map[string][]rtnames.Entry
}

// systemNames reads the machine's name files, each once, when first needed.
func systemNames() *names { return &names{read: rtnames.Read} }

// builtinOnly knows keepalived's built-in names only (for tests).
func builtinOnly() *names { return &names{read: func(string) []rtnames.Entry { return nil }} }

func (n *names) entries(file string) []rtnames.Entry {
	if n.cache == nil {
		n.cache = map[string][]rtnames.Entry{}
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
	k, _ := rtnames.ByFile(file)
	k.Max = ^uint32(0) // the front end checked the range
	v, ok := k.Lookup(n.entries(file), word)
	return uint64(v), ok
}

// name returns the name of id in file, or id in decimal when it has none.
func (n *names) name(file string, id uint64) string {
	k, _ := rtnames.ByFile(file)
	return k.Name(n.entries(file), uint32(id))
}
