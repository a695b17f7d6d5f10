package logging

import (
	"context"
	"fmt"
	"log/slog"
	"log/syslog"
	"strings"
	"sync"
)

// Ident is the syslog ident keepalived's VRRP process logs under.
const Ident = "Keepalived_vrrp"

// SyslogHandler is a slog.Handler writing each record to syslog, as
// keepalived's VRRP process does: "Keepalived_vrrp[PID]: message". Info
// and debug records go out at LOG_INFO, warnings at LOG_WARNING, errors at
// LOG_ERR. It is safe for concurrent use.
type SyslogHandler struct {
	mu     *sync.Mutex
	w      *syslog.Writer
	detail bool
	attrs  string
}

// NewSyslogHandler connects to the local syslog with keepalived's ident and
// the facility LOG_DAEMON, or LOG_LOCALn for facility n in 0..7 (-S n).
func NewSyslogHandler(facility int, detail bool) (*SyslogHandler, error) {
	f := syslog.LOG_DAEMON
	if facility >= 0 && facility <= 7 {
		f = syslog.LOG_LOCAL0 + syslog.Priority(facility)*8
	}
	w, err := syslog.New(f|syslog.LOG_INFO, Ident)
	if err != nil {
		return nil, fmt.Errorf("connecting to syslog: %w", err)
	}
	return &SyslogHandler{mu: &sync.Mutex{}, w: w, detail: detail}, nil
}

// Enabled reports whether records of the level are written.
func (h *SyslogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l > slog.LevelDebug || h.detail
}

// Handle writes the record.
func (h *SyslogHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, a)
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case r.Level >= slog.LevelError:
		return h.w.Err(b.String())
	case r.Level >= slog.LevelWarn:
		return h.w.Warning(b.String())
	}
	return h.w.Info(b.String())
}

// WithAttrs returns a handler that appends the attributes to every line.
func (h *SyslogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = appendAttrs(h.attrs, as)
	return &h2
}

// WithGroup returns h.
func (h *SyslogHandler) WithGroup(string) slog.Handler { return h }

// Close closes the syslog connection.
func (h *SyslogHandler) Close() error { return h.w.Close() }

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
