package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// lab is the namespace the checkers run in, holding interfaces eth0..ethN-1,
// and a second namespace holding their veth peers.
type lab struct {
	host, peers *nstest.Netns
}

// newLab creates the namespaces and n interfaces. On error it removes what it
// made.
func newLab(ctx context.Context, n int) (l *lab, err error) {
	l = &lab{}
	defer func() {
		if err != nil {
			err = errors.Join(err, l.Close())
		}
	}()
	if l.host, err = nstest.Create(ctx, "ckconf"); err != nil {
		return l, fmt.Errorf("create namespace: %w", err)
	}
	if l.peers, err = nstest.Create(ctx, "ckpeer"); err != nil {
		return l, fmt.Errorf("create namespace: %w", err)
	}
	for i := range n {
		if err := l.host.AddVeth(ctx, ifname(i), l.peers, fmt.Sprintf("p%d", i)); err != nil {
			return l, fmt.Errorf("create interface: %w", err)
		}
	}
	return l, nil
}

// Close deletes the namespaces, killing anything left in them.
func (l *lab) Close() error {
	var errs []error
	for _, ns := range []*nstest.Netns{l.host, l.peers} {
		if ns != nil {
			errs = append(errs, ns.Close())
		}
	}
	return errors.Join(errs...)
}
