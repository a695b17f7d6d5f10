package confparse

import (
	"errors"
	"net/netip"
	"strings"
)

// testEnv is an Environment for tests: a fixed set of interfaces and
// users; programs exist unless their path says "missing".
type testEnv struct {
	allIfaces bool
	ifaces    map[string]bool
	users     map[string]bool
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

func (e testEnv) LookPath(name string) (string, error) {
	if strings.Contains(name, "missing") {
		return "", errors.New("not found")
	}
	return "/usr/bin/" + name, nil
}

func (e testEnv) Executable(path string) bool { return !strings.Contains(path, "missing") }
