package logging

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// ctimeLayout is the C library's ctime() layout, which keepalived's console
// lines start with.
const ctimeLayout = "Mon Jan _2 15:04:05 2006"

// ConsoleHandler is a slog.Handler writing one line per record in
// keepalived's console format: the ctime of the record, ": ", the message,
// then any attributes as " key=value". It is safe for concurrent use.
type ConsoleHandler struct {
	mu     *sync.Mutex
	w      io.Writer
	detail bool
	attrs  string
}

// NewConsoleHandler returns a handler writing to w; detail shows the
// records at slog.LevelDebug (keepalived's -D lines).
func NewConsoleHandler(w io.Writer, detail bool) *ConsoleHandler {
	return &ConsoleHandler{mu: &sync.Mutex{}, w: w, detail: detail}
}

// Enabled reports whether records of the level are written.
func (h *ConsoleHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l > slog.LevelDebug || h.detail
}

// Handle writes the record.
func (h *ConsoleHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	b.WriteString(t.Format(ctimeLayout))
	b.WriteString(": ")
	b.WriteString(r.Message)
	b.WriteString(h.attrs)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, a)
		return true
	})
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func writeAttr(b *strings.Builder, a slog.Attr) {
	if a.Equal(slog.Attr{}) {
		return
	}
	b.WriteByte(' ')
	b.WriteString(a.Key)
	b.WriteByte('=')
	b.WriteString(a.Value.String())
}

// WithAttrs returns a handler that appends the attributes to every line.
func (h *ConsoleHandler) WithAttrs(as []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = appendAttrs(h.attrs, as)
	return &h2
}

// appendAttrs renders attributes after those already rendered.
func appendAttrs(prefix string, as []slog.Attr) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, a := range as {
		writeAttr(&b, a)
	}
	return b.String()
}

// WithGroup returns h: groups are not shown on the console.
func (h *ConsoleHandler) WithGroup(string) slog.Handler { return h }
