package logging

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ctimeLayout is the C library's ctime() layout (strftime "%c" in the C
// locale), which keepalived's console and log-file lines start with.
const ctimeLayout = "Mon Jan _2 15:04:05 2006"

// ConsoleHandler is a slog.Handler writing one line per record in
// keepalived's console format: the ctime of the record, ": ", then the
// message. keepalived writes its -g log file in the same format. In journal
// mode (stderr connected to systemd-journald) a line is instead the record's
// syslog priority as "<N>" followed by the message, with no time, so that
// journald files it at the right priority and does not stamp it twice.
//
// Attributes are ignored: a record prints the same line with or without
// them, so keepalived's lines never change (the JSON handler shows them).
// It is safe for concurrent use.
type ConsoleHandler struct {
	mu      *sync.Mutex
	w       io.Writer
	detail  bool
	journal bool
}

// NewConsoleHandler returns a handler writing keepalived's console lines to
// w; detail shows the records at slog.LevelDebug (keepalived's -D lines).
func NewConsoleHandler(w io.Writer, detail bool) *ConsoleHandler {
	return &ConsoleHandler{mu: &sync.Mutex{}, w: w, detail: detail}
}

// NewJournalHandler returns a handler writing "<N>message" lines to w, for
// a w that is a systemd-journald stream (see [IsJournalStream]).
func NewJournalHandler(w io.Writer, detail bool) *ConsoleHandler {
	h := NewConsoleHandler(w, detail)
	h.journal = true
	return h
}

// Enabled reports whether records of the level are written.
func (h *ConsoleHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l > slog.LevelDebug || h.detail
}

// Handle writes the record.
func (h *ConsoleHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	if h.journal {
		b.WriteString(journalPrefix(r.Level))
	} else {
		t := r.Time
		if t.IsZero() {
			t = time.Now()
		}
		b.WriteString(t.Format(ctimeLayout))
		b.WriteString(": ")
	}
	b.WriteString(r.Message)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

// WithAttrs returns h: attributes are not shown in keepalived's lines.
func (h *ConsoleHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup returns h: groups are not shown in keepalived's lines.
func (h *ConsoleHandler) WithGroup(string) slog.Handler { return h }

// priority is the syslog priority a record of level l is logged at, as
// [SyslogHandler] sends it: LOG_ERR, LOG_WARNING, else LOG_INFO (keepalived
// logs its detail lines at LOG_INFO too).
func priority(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3
	case l >= slog.LevelWarn:
		return 4
	}
	return 6
}

// journalPrefix is sd-daemon(3)'s "<N>" prefix for the priority of level l.
func journalPrefix(l slog.Level) string {
	return "<" + strconv.Itoa(priority(l)) + ">"
}
