// Package logtest provides a slog.Handler for tests that records the
// messages it is given.
package logtest

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// Recorder is a slog.Handler that keeps every message (attributes are
// dropped). It is safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex
	msgs []string
}

// Enabled reports true for every level.
func (r *Recorder) Enabled(context.Context, slog.Level) bool { return true }

// Handle records the message.
func (r *Recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}

// WithAttrs returns r: attributes are not recorded.
func (r *Recorder) WithAttrs([]slog.Attr) slog.Handler { return r }

// WithGroup returns r.
func (r *Recorder) WithGroup(string) slog.Handler { return r }

// Lines returns the messages recorded so far.
func (r *Recorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// Has reports whether a recorded message contains s.
func (r *Recorder) Has(s string) bool {
	return slices.ContainsFunc(r.Lines(), func(m string) bool { return strings.Contains(m, s) })
}
