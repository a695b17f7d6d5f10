package confparse

import (
	"net"
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
)

// hostMemo remembers the real machine's answers for one Load, so that a
// configuration naming the same interface, user or script thousands of times
// asks the kernel once per name: a check is a snapshot of the machine, and
// each question costs system calls (a stat of /sys/class/net/NAME, a read of
// /etc/passwd, a walk of the script's path). It is not safe for concurrent
// use; Load is single-threaded.
type hostMemo struct {
	ifaces     map[string]bool
	addrOwners map[netip.Addr]string // nil until InterfaceWithAddr first runs
	users      map[string]bool
	paths      map[string]lookPathAnswer
	execs      map[string]bool
	creds      map[[2]string]credAnswer
	checks     map[scriptQuestion]scriptAnswer
	rtTables   map[string][]RTEntry
}

type lookPathAnswer struct {
	path string
	err  error
}

type credAnswer struct {
	uid, gid uint32
	err      error
}

type scriptQuestion struct {
	prog     string
	uid, gid uint32
}

type scriptAnswer struct {
	v   secure.Verdict
	err error
}

// newHostEnv returns the real machine, its answers remembered for one Load.
func newHostEnv() hostEnv {
	return hostEnv{memo: &hostMemo{
		ifaces:   map[string]bool{},
		users:    map[string]bool{},
		paths:    map[string]lookPathAnswer{},
		execs:    map[string]bool{},
		creds:    map[[2]string]credAnswer{},
		checks:   map[scriptQuestion]scriptAnswer{},
		rtTables: map[string][]RTEntry{},
	}}
}

// remember returns m[k], computing and storing it with f the first time.
// A nil map (a hostEnv without memo) remembers nothing.
func remember[K comparable, V any](m map[K]V, k K, f func() V) V {
	if m == nil {
		return f()
	}
	v, ok := m[k]
	if !ok {
		v = f()
		m[k] = v
	}
	return v
}

// m returns e's memo, or an empty one, which remembers nothing.
func (e hostEnv) m() *hostMemo {
	if e.memo == nil {
		return &hostMemo{}
	}
	return e.memo
}

// addrOwner returns the first interface, in the kernel's order, that has
// address a, reading every interface's addresses once.
func (m *hostMemo) addrOwner(a netip.Addr) (string, bool) {
	owners := m.addrOwners
	if owners == nil {
		var err error
		if owners, err = readAddrOwners(); err != nil {
			return "", false
		}
		if m.ifaces != nil { // a memo that remembers
			m.addrOwners = owners
		}
	}
	name, ok := owners[a]
	return name, ok
}

// readAddrOwners maps each address of the machine to the first interface
// that has it.
func readAddrOwners() (map[netip.Addr]string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	owners := map[netip.Addr]string{}
	for _, ifi := range ifs {
		addrs, err := ifi.Addrs()
		if err != nil {
			continue
		}
		for _, ad := range addrs {
			if ipn, ok := ad.(*net.IPNet); ok {
				if b, ok := netip.AddrFromSlice(ipn.IP); ok {
					if _, seen := owners[b.Unmap()]; !seen {
						owners[b.Unmap()] = ifi.Name
					}
				}
			}
		}
	}
	return owners, nil
}
