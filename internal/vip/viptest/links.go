package viptest

import (
	"context"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/vip"
)

// watchBuffer is how many events a watcher holds before SetLink blocks.
const watchBuffer = 64

// SetLink sets interface ifname up or down, creating it if new (indexes
// count from 1 in order of creation), and delivers the change to every
// watcher interested in it. Setting the state it already has delivers
// nothing. It blocks while a watcher's buffer is full, until that watcher's
// context ends.
func (f *Fake) SetLink(ifname string, up bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.links == nil {
		f.links = make(map[string]vip.LinkEvent)
	}
	e, ok := f.links[ifname]
	if ok && e.Up == up {
		return
	}
	if !ok {
		e = vip.LinkEvent{Ifname: ifname, Index: len(f.links) + 1}
	}
	e.Up = up
	f.links[ifname] = e
	for _, w := range f.watchers {
		if len(w.names) > 0 && !slices.Contains(w.names, ifname) {
			continue
		}
		select {
		case w.ch <- e:
		case <-w.ctx.Done():
		}
	}
}

// Watch returns the state of the named interfaces (down with index 0 when
// unknown) and a channel of later changes made with SetLink, closed after
// ctx ends.
func (f *Fake) Watch(ctx context.Context, names ...string) ([]vip.LinkEvent, <-chan vip.LinkEvent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	initial := make([]vip.LinkEvent, 0, len(names))
	for _, n := range names {
		e, ok := f.links[n]
		if !ok {
			e = vip.LinkEvent{Ifname: n}
		}
		initial = append(initial, e)
	}
	w := &watcher{ctx: ctx, names: slices.Clone(names), ch: make(chan vip.LinkEvent, watchBuffer)}
	f.watchers = append(f.watchers, w)
	go func() { // Ends with ctx.
		<-ctx.Done()
		f.mu.Lock()
		defer f.mu.Unlock()
		f.watchers = slices.DeleteFunc(f.watchers, func(x *watcher) bool { return x == w })
		close(w.ch)
	}()
	return initial, w.ch, nil
}

// AddVMAC records "vmac add VMAC" (see [vip.VMAC.String]) and, unless it
// fails, sets the VMAC up as [Fake.SetLink] does.
func (f *Fake) AddVMAC(v vip.VMAC) error {
	f.mu.Lock()
	err := f.record("vmac add " + v.String())
	f.mu.Unlock()
	if err != nil {
		return err
	}
	f.SetLink(v.Name, true)
	return nil
}

// DelVMAC records "vmac del NAME" and, unless it fails, sets the VMAC down
// and forgets its addresses.
func (f *Fake) DelVMAC(v vip.VMAC) error {
	f.mu.Lock()
	err := f.record("vmac del " + v.Name)
	if err == nil {
		delete(f.addrs, v.Name)
	}
	f.mu.Unlock()
	if err != nil {
		return err
	}
	f.SetLink(v.Name, false)
	return nil
}
