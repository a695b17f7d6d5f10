package vip

import (
	"context"
	"log/slog"
	"time"
)

// Config holds what every part of the package needs. The zero Config works
// in the caller's network namespace and logs nothing.
type Config struct {
	// Netns is the path of a network namespace, such as
	// /run/netns/NAME; "" means the namespace of the calling process.
	Netns string
	// Logger receives debug lines such as "Sending gratuitous ARP on eth0
	// for 192.0.2.1"; nil discards them.
	Logger *slog.Logger
	// Wait waits for d or until ctx ends, returning ctx's error in the
	// latter case. An [Announcer] uses it to space messages; nil means a
	// real timer. Tests inject a recorder so that nothing sleeps.
	Wait WaitFunc
}

// WaitFunc waits for d, or until ctx ends and then returns ctx.Err().
type WaitFunc func(ctx context.Context, d time.Duration) error

// logger returns the configured logger or one that discards.
func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// realWait is the default [WaitFunc]: a timer, stopped early by ctx.
func realWait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
