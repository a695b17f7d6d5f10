// Package viptest provides an in-memory stand-in for [vip.Host] (the
// daemon's seams to the host's interfaces) that records what is asked of it as a transcript of lines such as
// "addr add 192.0.2.100/24 dev eth0 label eth0:1",
// "garp 192.0.2.100 dev eth0 x5" and
// "vmac add vrrp.51 link eth0 address 00:00:5e:00:01:33".
package viptest

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/vip"
)

// Fake is an in-memory host: it keeps the addresses added to each
// interface and the state of interfaces set with [Fake.SetLink], and
// records every call in its transcript. The zero Fake is ready to use. It
// is safe for concurrent use.
type Fake struct {
	mu       sync.Mutex
	lines    []string
	addrs    map[string][]netip.Prefix // by interface
	links    map[string]vip.LinkEvent
	watchers []*watcher
	fail     map[string]error // by line prefix

	addrWatchers []*addrWatcher
}

// watcher is one Watch call.
type watcher struct {
	ctx   context.Context
	names []string
	ch    chan vip.LinkEvent
}

// Transcript returns the lines recorded so far.
func (f *Fake) Transcript() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.lines)
}

// Reset forgets the transcript, keeping addresses and links.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines = nil
}

// Fail makes every later call whose transcript line starts with prefix
// fail with err, recorded with the suffix " (failed)"; a nil err undoes it.
func (f *Fake) Fail(prefix string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail == nil {
		f.fail = make(map[string]error)
	}
	if err == nil {
		delete(f.fail, prefix)
		return
	}
	f.fail[prefix] = err
}

// record appends line, or line marked as failed when a Fail prefix
// matches, and returns the error to give. f.mu must be held.
func (f *Fake) record(line string) error {
	for prefix, err := range f.fail {
		if strings.HasPrefix(line, prefix) {
			f.lines = append(f.lines, line+" (failed)")
			return err
		}
	}
	f.lines = append(f.lines, line)
	return nil
}

// Addresses returns the addresses on interface ifname, in the order added.
func (f *Fake) Addresses(ifname string) []netip.Prefix {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.addrs[ifname])
}

// AddAddress records "addr add LINE" and adds the address unless present.
func (f *Fake) AddAddress(a *config.Address) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("addr add " + a.String()); err != nil {
		return err
	}
	if f.addrs == nil {
		f.addrs = make(map[string][]netip.Prefix)
	}
	if !slices.Contains(f.addrs[a.Dev], a.Prefix) {
		f.addrs[a.Dev] = append(f.addrs[a.Dev], a.Prefix)
	}
	return nil
}

// DelAddress records "addr del LINE" and removes the address if present.
func (f *Fake) DelAddress(a *config.Address) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("addr del " + a.String()); err != nil {
		return err
	}
	f.remove(a.Dev, a.Prefix)
	return nil
}

// HasAddress reports whether ifname has p, with the rules of
// [vip.Manager.HasAddress]. It records nothing.
func (f *Fake) HasAddress(ifname string, p netip.Prefix) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	anyLen := false
	for _, q := range f.addrs[ifname] {
		if q == p {
			return true, nil
		}
		anyLen = anyLen || q.Addr() == p.Addr()
	}
	return anyLen && p.Bits() == p.Addr().BitLen(), nil
}

// RemoveAddress takes p off ifname without recording anything, as an
// administrator deleting a VIP behind the daemon's back would.
func (f *Fake) RemoveAddress(ifname string, p netip.Prefix) {
	f.mu.Lock()
	f.remove(ifname, p)
	watchers := slices.Clone(f.addrWatchers)
	f.mu.Unlock()
	for _, w := range watchers {
		select {
		case w.ch <- vip.AddrEvent{Ifname: ifname, Prefix: p, Deleted: true}:
		case <-w.ctx.Done():
		}
	}
}

// addrWatcher is one WatchAddrs subscription.
type addrWatcher struct {
	ctx context.Context
	ch  chan vip.AddrEvent
}

// WatchAddrs returns a channel that receives the deletions made with
// RemoveAddress, closed after ctx ends.
func (f *Fake) WatchAddrs(ctx context.Context) (<-chan vip.AddrEvent, error) {
	w := &addrWatcher{ctx: ctx, ch: make(chan vip.AddrEvent, watchBuffer)}
	f.mu.Lock()
	f.addrWatchers = append(f.addrWatchers, w)
	f.mu.Unlock()
	out := make(chan vip.AddrEvent)
	go func() { // Ends with ctx.
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-w.ch:
				select {
				case out <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// remove takes p off ifname. f.mu must be held.
func (f *Fake) remove(ifname string, p netip.Prefix) {
	if list, ok := f.addrs[ifname]; ok {
		f.addrs[ifname] = slices.DeleteFunc(list, func(q netip.Prefix) bool { return q == p })
	}
}

// AddRoute records "route add LINE".
func (f *Fake) AddRoute(r *config.Route) error { return f.line("route add " + r.String()) }

// DelRoute records "route del LINE".
func (f *Fake) DelRoute(r *config.Route) error { return f.line("route del " + r.String()) }

// AddRule records "rule add LINE".
func (f *Fake) AddRule(r *config.Rule) error { return f.line("rule add " + r.String()) }

// DelRule records "rule del LINE".
func (f *Fake) DelRule(r *config.Rule) error { return f.line("rule del " + r.String()) }

// line records one line.
func (f *Fake) line(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.record(s)
}

// Announce records, for each address, "garp ADDR dev IF xCOUNT" for IPv4
// or "na ADDR dev IF xCOUNT" for IPv6, with " gap D" appended when gap is
// not zero. It does not wait. A count below 1 records nothing.
func (f *Fake) Announce(ctx context.Context, ifname string, addrs []netip.Addr, count int, gap time.Duration) error {
	if count <= 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("announce on %s: %w", ifname, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range addrs {
		kind := "na"
		if a.Unmap().Is4() {
			kind = "garp"
		}
		line := fmt.Sprintf("%s %s dev %s x%d", kind, a.Unmap(), ifname, count)
		if gap != 0 {
			line += " gap " + gap.String()
		}
		if err := f.record(line); err != nil {
			return err
		}
	}
	return nil
}
