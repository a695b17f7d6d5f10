package vip

import (
	"errors"
)

// Host is the kernel side of the daemon's seams to the host (addresses,
// announcements, VMACs, link and address watching) for one network
// namespace. It is safe for concurrent use.
type Host struct {
	*Manager
	*Announcer
	*LinkWatcher
}

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
