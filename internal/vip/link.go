package vip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// LinkEvent is the state of one interface: up means administratively up
// and running (carrier present), as keepalived judges it.
type LinkEvent struct {
	Ifname string
	Index  int
	Up     bool
}

// String returns keepalived's log line for the event, "Netlink reports eth0
// up" or "Netlink reports eth0 down".
func (e LinkEvent) String() string {
	state := "down"
	if e.Up {
		state = "up"
	}
	return "Netlink reports " + e.Ifname + " " + state
}

// LinkWatcher reports changes of interface state from rtnetlink link
// notifications in [Config].Netns. It is safe for concurrent use; each
// [LinkWatcher.Watch] has a subscription of its own.
type LinkWatcher struct {
	netns string
	log   *slog.Logger
}

// NewLinkWatcher returns a LinkWatcher for cfg.
func NewLinkWatcher(cfg Config) *LinkWatcher {
	return &LinkWatcher{netns: cfg.Netns, log: cfg.logger()}
}

// Watch subscribes to link notifications and returns the current state of
// the named interfaces (an interface that does not exist is reported down
// with index 0) and a channel of changes: an event whenever an interface
// appears, disappears (down) or its up state changes. With names, only those
// interfaces are reported; without, all are. The channel is closed after
// ctx ends, or if the subscription fails (the error is logged).
func (w *LinkWatcher) Watch(ctx context.Context, names ...string) ([]LinkEvent, <-chan LinkEvent, error) {
	ns, err := w.nsHandle()
	if err != nil {
		return nil, nil, err
	}
	updates := make(chan netlink.LinkUpdate, 64)
	done := make(chan struct{})
	opts := netlink.LinkSubscribeOptions{
		Namespace: &ns,
		ErrorCallback: func(err error) {
			select {
			case <-done: // the subscription is being closed
			default:
				w.log.Warn("link subscription: " + err.Error())
			}
		},
	}
	if err := netlink.LinkSubscribeWithOptions(updates, done, opts); err != nil {
		ns.Close()
		return nil, nil, fmt.Errorf("subscribe to link updates: %w", err)
	}
	initial, err := w.current(ns, names)
	if err != nil {
		close(done)
		drain(updates)
		ns.Close()
		return nil, nil, err
	}
	out := make(chan LinkEvent)
	go func() { // Ends after ctx ends and the subscription's channel closes.
		defer ns.Close()
		defer close(out)
		forward(ctx, done, updates, out, names, initial)
	}()
	return initial, out, nil
}

// nsHandle opens the namespace, or the current one.
func (w *LinkWatcher) nsHandle() (netns.NsHandle, error) {
	if w.netns == "" {
		ns, err := netns.Get()
		if err != nil {
			return ns, fmt.Errorf("open current network namespace: %w", err)
		}
		return ns, nil
	}
	ns, err := netns.GetFromPath(w.netns)
	if err != nil {
		return ns, fmt.Errorf("open network namespace %s: %w", w.netns, err)
	}
	return ns, nil
}

// current returns the state of the named links.
func (w *LinkWatcher) current(ns netns.NsHandle, names []string) ([]LinkEvent, error) {
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink handle: %w", err)
	}
	defer h.Close()
	events := make([]LinkEvent, 0, len(names))
	for _, name := range names {
		l, err := h.LinkByName(name)
		var nf netlink.LinkNotFoundError
		switch {
		case errors.As(err, &nf):
			events = append(events, LinkEvent{Ifname: name})
		case err != nil:
			return nil, fmt.Errorf("interface %s: %w", name, err)
		default:
			a := l.Attrs()
			events = append(events, LinkEvent{Ifname: name, Index: a.Index, Up: isUp(a.RawFlags)})
		}
	}
	return events, nil
}

// isUp reports IFF_UP and IFF_RUNNING together.
func isUp(flags uint32) bool {
	return flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0
}

// forward turns updates into events on out until ctx ends, then stops the
// subscription and drains it.
func forward(ctx context.Context, done chan struct{}, updates chan netlink.LinkUpdate,
	out chan<- LinkEvent, names []string, initial []LinkEvent) {
	defer drain(updates)
	defer close(done)
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	last := make(map[string]bool, len(initial))
	for _, e := range initial {
		last[e.Ifname] = e.Up
	}
	for {
		var u netlink.LinkUpdate
		var ok bool
		select {
		case <-ctx.Done():
			return
		case u, ok = <-updates:
			if !ok {
				return
			}
		}
		a := u.Link.Attrs()
		if len(want) > 0 && !want[a.Name] {
			continue
		}
		e := LinkEvent{Ifname: a.Name, Index: a.Index, Up: u.Header.Type != unix.RTM_DELLINK && isUp(u.Flags)}
		if prev, seen := last[a.Name]; seen && prev == e.Up {
			continue
		}
		last[a.Name] = e.Up
		select {
		case out <- e:
		case <-ctx.Done():
			return
		}
	}
}

// drain reads ch until it is closed.
func drain(ch <-chan netlink.LinkUpdate) {
	for range ch {
	}
}
