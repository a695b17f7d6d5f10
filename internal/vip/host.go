package vip

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
)

// Interfaces is what the daemon does to the host's links when an instance
// takes or gives up its addresses: add and remove addresses, routes and
// rules, announce addresses, and create and delete an instance's VMAC
// interface (use_vmac). [Host] implements it on the kernel and
// viptest.Fake in memory.
type Interfaces interface {
	AddAddress(a *confparse.Address) error
	DelAddress(a *confparse.Address) error
	HasAddress(ifname string, p netip.Prefix) (bool, error)
	AddRoute(r *confparse.Route) error
	DelRoute(r *confparse.Route) error
	AddRule(r *confparse.Rule) error
	DelRule(r *confparse.Rule) error
	Announce(ctx context.Context, ifname string, addrs []netip.Addr, count int, gap time.Duration) error
	AddVMAC(v VMAC) error
	DelVMAC(v VMAC) error
}

// Links reports interface state: the initial state of the named interfaces
// and later changes, until ctx ends. [LinkWatcher] implements it on the
// kernel and viptest.Fake in memory.
type Links interface {
	Watch(ctx context.Context, names ...string) ([]LinkEvent, <-chan LinkEvent, error)
}

// Host is the kernel implementation of [Interfaces] and [Links] for one
// network namespace. It is safe for concurrent use.
type Host struct {
	*Manager
	*Announcer
	*LinkWatcher
}

var (
	_ Interfaces = (*Host)(nil)
	_ Links      = (*Host)(nil)
	_ Addrs      = (*Host)(nil)
)

// Close closes the Host's netlink handle and sockets.
func (h *Host) Close() error {
	return errors.Join(h.Announcer.Close(), h.Manager.Close())
}

// Open returns a Host for cfg. The caller must call [Host.Close].
func Open(cfg Config) (*Host, error) {
	m, err := NewManager(cfg)
	if err != nil {
		return nil, err
	}
	return &Host{Manager: m, Announcer: NewAnnouncer(cfg), LinkWatcher: NewLinkWatcher(cfg)}, nil
}
