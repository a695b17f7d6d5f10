package confparse

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"

	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
)

// testEnv is an Environment for tests: a fixed set of interfaces and
// users (root is 0:0, any other user 1000:1000 unless ids says otherwise).
// Without fs, programs exist, are executable and secure unless their path
// says "missing"; with fs, keepalived's script checks run over it.
type testEnv struct {
	allIfaces bool
	ifaces    map[string]bool
	users     map[string]bool
	ids       map[string][2]uint32
	fs        secure.MemFS
}

func newTestEnv(ifaces ...string) testEnv {
	e := testEnv{ifaces: map[string]bool{}, users: map[string]bool{"root": true}}
	for _, i := range ifaces {
		e.ifaces[i] = true
	}
	return e
}

func (e testEnv) InterfaceExists(name string) bool { return e.allIfaces || e.ifaces[name] }

func (e testEnv) InterfaceWithAddr(netip.Addr) (string, bool) { return "", false }

func (e testEnv) UserExists(name string) bool { return e.users[name] }

// LookupHost resolves only mail.example.net (to 192.0.2.25), so that no
// test asks a real resolver.
func (e testEnv) LookupHost(name string) ([]netip.Addr, error) {
	if name == "mail.example.net" {
		return []netip.Addr{netip.MustParseAddr("192.0.2.25")}, nil
	}
	return nil, fmt.Errorf("lookup %s: no such host", name)
}

func (e testEnv) LookPath(name string) (string, error) {
	if strings.Contains(name, "missing") {
		return "", errors.New("not found")
	}
	return "/usr/bin/" + name, nil
}

func (e testEnv) Executable(path string) bool { return !strings.Contains(path, "missing") }

func (e testEnv) LookupUser(name, group string) (uint32, uint32, error) {
	if !e.users[name] {
		return 0, 0, fmt.Errorf("unknown user %s", name)
	}
	ids, ok := e.ids[name]
	switch {
	case ok:
	case name == "root":
		ids = [2]uint32{0, 0}
	default:
		ids = [2]uint32{1000, 1000}
	}
	if group != "" {
		g, ok := e.ids[group]
		if !ok {
			return 0, 0, fmt.Errorf("unknown group %s", group)
		}
		ids[1] = g[1]
	}
	return ids[0], ids[1], nil
}

func (e testEnv) CheckScript(prog string, uid, gid uint32) (secure.Verdict, error) {
	if e.fs != nil {
		return secure.CheckScript(e.fs, prog, uid, gid)
	}
	switch {
	case secure.IsShell(prog):
		return secure.Verdict{Path: prog, Shell: true, Executable: true}, nil
	case strings.Contains(prog, "missing"):
		return secure.Verdict{Path: prog}, fmt.Errorf("%w: %s: %w", secure.ErrNotFound, prog, syscall.ENOENT)
	}
	return secure.Verdict{Path: prog, Found: true, Executable: true, Protected: uid == 0 || gid == 0}, nil
}
