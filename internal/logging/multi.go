package logging

import (
	"context"
	"log/slog"
)

// Multi is a slog.Handler sending each record to several handlers.
type Multi []slog.Handler

// Enabled reports whether any handler takes the level.
func (m Multi) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range m {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

// Handle passes the record to every handler that takes its level and
// returns the first error.
func (m Multi) Handle(ctx context.Context, r slog.Record) error {
	var first error
	for _, h := range m {
		if h.Enabled(ctx, r.Level) {
			if err := h.Handle(ctx, r.Clone()); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

// WithAttrs applies the attributes to every handler.
func (m Multi) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(Multi, len(m))
	for i, h := range m {
		out[i] = h.WithAttrs(as)
	}
	return out
}

// WithGroup applies the group to every handler.
func (m Multi) WithGroup(g string) slog.Handler {
	out := make(Multi, len(m))
	for i, h := range m {
		out[i] = h.WithGroup(g)
	}
	return out
}
