package vip

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// AddrEvent is an address added to or deleted from an interface.
type AddrEvent struct {
	Ifname  string
	Prefix  netip.Prefix
	Deleted bool
}

// String gives keepalived's line for a deletion: "Netlink reflector reports
// IP 192.0.2.100 removed from eth0".
func (e AddrEvent) String() string {
	verb := "added to"
	if e.Deleted {
		verb = "removed from"
	}
	return fmt.Sprintf("Netlink reflector reports IP %s %s %s", e.Prefix.Addr(), verb, e.Ifname)
}

// WatchAddrs subscribes to address notifications and returns a channel of
// them, closed after ctx ends or if the subscription fails.
func (w *LinkWatcher) WatchAddrs(ctx context.Context) (<-chan AddrEvent, error) {
	ns, err := w.nsHandle()
	if err != nil {
		return nil, err
	}
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		ns.Close()
		return nil, fmt.Errorf("open netlink handle: %w", err)
	}
	updates := make(chan netlink.AddrUpdate, 64)
	done := make(chan struct{})
	opts := netlink.AddrSubscribeOptions{
		Namespace: &ns,
		ErrorCallback: func(err error) {
			select {
			case <-done:
			default:
				w.log.Warn("address subscription: " + err.Error())
			}
		},
	}
	if err := netlink.AddrSubscribeWithOptions(updates, done, opts); err != nil {
		h.Close()
		ns.Close()
		return nil, fmt.Errorf("subscribe to address updates: %w", err)
	}
	out := make(chan AddrEvent)
	go func() { // Ends after ctx ends and the subscription's channel closes.
		defer ns.Close()
		defer h.Close()
		defer close(out)
		stopped := false
		for {
			select {
			case <-ctx.Done():
				if !stopped {
					stopped = true
					close(done)
				}
				for range updates {
				}
				return
			case u, ok := <-updates:
				if !ok {
					return
				}
				ev, ok := addrEvent(h, u)
				if !ok {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
				}
			}
		}
	}()
	return out, nil
}

func addrEvent(h *netlink.Handle, u netlink.AddrUpdate) (AddrEvent, bool) {
	a, ok := netip.AddrFromSlice(u.LinkAddress.IP)
	if !ok {
		return AddrEvent{}, false
	}
	bits, _ := u.LinkAddress.Mask.Size()
	name := ""
	if l, err := h.LinkByIndex(u.LinkIndex); err == nil {
		name = l.Attrs().Name
	}
	return AddrEvent{Ifname: name, Prefix: netip.PrefixFrom(a.Unmap(), bits), Deleted: !u.NewAddr}, true
}
