// Package netnsrun runs code inside a named network namespace, for opening
// sockets there: packet sockets, netlink subscriptions. It has no state.
package netnsrun

import (
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
)

// Do runs f on an OS thread switched into the network namespace at path
// (such as /run/netns/NAME), or directly when path is "". Sockets opened by
// f stay in that namespace and may be used from any thread afterwards. The
// thread is locked and never unlocked, so the runtime discards it when f
// returns and no other goroutine ever runs in the namespace. It is safe for
// concurrent use.
func Do(path string, f func() error) error {
	if path == "" {
		return f()
	}
	target, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("open network namespace %s: %w", path, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() { // Ends when f returns; its thread dies with it.
		runtime.LockOSThread()
		if err := netns.Set(target); err != nil {
			errc <- fmt.Errorf("enter network namespace %s: %w", path, err)
			return
		}
		errc <- f()
	}()
	return <-errc
}
