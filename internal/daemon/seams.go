package daemon

import (
	"context"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/vip"
)

// The daemon's seams to the host, each as small as what uses it.
// *vip.Host implements all of them on the kernel and viptest.Fake in
// memory.

// Addresses sets and removes what an instance holds while MASTER, and the
// static ones: addresses, routes and rules. HasAddress tells a VIP deleted
// behind the daemon's back from one already back.
type Addresses interface {
	AddAddress(a *config.Address) error
	DelAddress(a *config.Address) error
	HasAddress(ifname string, p netip.Prefix) (bool, error)
	AddRoute(r *config.Route) error
	DelRoute(r *config.Route) error
	AddRule(r *config.Rule) error
	DelRule(r *config.Rule) error
}

// Announcer sends count gratuitous ARPs (IPv4) or unsolicited neighbour
// adverts (IPv6) for addrs on ifname, gap apart.
type Announcer interface {
	Announce(ctx context.Context, ifname string, addrs []netip.Addr, count int, gap time.Duration) error
}

// VMACs makes and removes use_vmac interfaces.
type VMACs interface {
	AddVMAC(v vip.VMAC) error
	DelVMAC(v vip.VMAC) error
}

// Net is the host side of the instances: their addresses, announcements
// and VMACs.
type Net interface {
	Addresses
	Announcer
	VMACs
}

// LinkWatcher reports the named interfaces' state now and their changes
// until ctx ends.
type LinkWatcher interface {
	Watch(ctx context.Context, names ...string) ([]vip.LinkEvent, <-chan vip.LinkEvent, error)
}

// AddrWatcher reports address deletions until ctx ends.
type AddrWatcher interface {
	WatchAddrs(ctx context.Context) (<-chan vip.AddrEvent, error)
}

var (
	_ Net         = (*vip.Host)(nil)
	_ LinkWatcher = (*vip.Host)(nil)
	_ AddrWatcher = (*vip.Host)(nil)
)
