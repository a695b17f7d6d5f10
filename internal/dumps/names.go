package dumps

import (
	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// names turns numbers back into the names of iproute2's name files, as
// keepalived's dumps do for an address's scope, with package rtnames (the
// one reader of those files, and keepalived's built-in names); the
// configuration holds the numbers, resolved when it was read. It is not
// safe for concurrent use.
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

// name returns the name of id in file, or id in decimal when it has none.
func (n *names) name(file string, id uint32) string {
	k, _ := rtnames.ByFile(file)
	return k.Name(n.entries(file), id)
}
