package logging

import (
	"context"
	"io"
	"log/slog"
	"sync"
)

// JSONHandler is a slog.Handler writing each record as one JSON object per
// line, as slog.JSONHandler does: "time" (RFC 3339 with nanoseconds),
// "level" (DEBUG for keepalived's -D lines, INFO, WARN, ERROR), "msg" (the
// keepalived line's text), then the attributes, groups as nested objects.
// In journal mode each line starts with the record's "<N>" syslog priority
// (see [NewJournalHandler]). It is safe for concurrent use.
type JSONHandler struct {
	out   *prefixWriter
	inner slog.Handler
}

// NewJSONHandler returns a handler writing JSON lines to w; detail shows
// the records at slog.LevelDebug.
func NewJSONHandler(w io.Writer, detail bool) *JSONHandler {
	return newJSONHandler(w, detail, false)
}

// NewJSONJournalHandler returns a JSON handler for a w that is a
// systemd-journald stream: each line carries its "<N>" priority prefix.
func NewJSONJournalHandler(w io.Writer, detail bool) *JSONHandler {
	return newJSONHandler(w, detail, true)
}

func newJSONHandler(w io.Writer, detail, journal bool) *JSONHandler {
	level := slog.LevelInfo
	if detail {
		level = slog.LevelDebug
	}
	out := &prefixWriter{w: w, journal: journal}
	return &JSONHandler{out: out, inner: slog.NewJSONHandler(out, &slog.HandlerOptions{Level: level})}
}

// Enabled reports whether records of the level are written.
func (h *JSONHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

// Handle writes the record.
func (h *JSONHandler) Handle(ctx context.Context, r slog.Record) error {
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	h.out.level = r.Level
	return h.inner.Handle(ctx, r)
}

// WithAttrs returns a handler that adds the attributes to every record.
func (h *JSONHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &JSONHandler{out: h.out, inner: h.inner.WithAttrs(as)}
}

// WithGroup returns a handler that puts later attributes in the group.
func (h *JSONHandler) WithGroup(name string) slog.Handler {
	return &JSONHandler{out: h.out, inner: h.inner.WithGroup(name)}
}

// prefixWriter passes each line slog.JSONHandler writes (one Write per
// record) to w, after the record's journal prefix in journal mode. mu is
// held by [JSONHandler.Handle] across the inner handler's Handle, so level
// is the level of the record being written.
type prefixWriter struct {
	mu      sync.Mutex
	w       io.Writer
	journal bool
	level   slog.Level
}

// Write writes p, a whole JSON line, in one write to w.
func (p *prefixWriter) Write(b []byte) (int, error) {
	if !p.journal {
		return p.w.Write(b)
	}
	line := append([]byte(journalPrefix(p.level)), b...)
	if _, err := p.w.Write(line); err != nil {
		return 0, err
	}
	return len(b), nil
}
