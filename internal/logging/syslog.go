package logging

import (
	"context"
	"fmt"
	"log/slog"
	"log/syslog"
	"sync"
)

// Ident is the syslog ident keepalived's VRRP process logs under.
const Ident = "Keepalived_vrrp"

// SyslogHandler is a slog.Handler writing each record's message to syslog,
// as keepalived's VRRP process does: "Keepalived_vrrp[PID]: message". Info
// and debug records go out at LOG_INFO, warnings at LOG_WARNING, errors at
// LOG_ERR. Attributes are ignored, as in [ConsoleHandler]: syslog always
// gets keepalived's text, whatever --log-format says. It is safe for
// concurrent use.
type SyslogHandler struct {
	mu     *sync.Mutex
	w      *syslog.Writer
	detail bool
}

// NewSyslogHandler connects to the local syslog with keepalived's ident and
// the facility LOG_DAEMON, or LOG_LOCALn for facility n in 0..7 (-S n).
func NewSyslogHandler(facility int, detail bool) (*SyslogHandler, error) {
	w, err := syslog.New(syslogFacility(facility)|syslog.LOG_INFO, Ident)
	if err != nil {
		return nil, fmt.Errorf("connecting to syslog: %w", err)
	}
	return newSyslogHandler(w, detail), nil
}

func newSyslogHandler(w *syslog.Writer, detail bool) *SyslogHandler {
	return &SyslogHandler{mu: &sync.Mutex{}, w: w, detail: detail}
}

// syslogFacility is LOG_LOCALn for n in 0..7, else LOG_DAEMON.
func syslogFacility(n int) syslog.Priority {
	if n >= 0 && n <= 7 {
		return syslog.LOG_LOCAL0 + syslog.Priority(n)*8
	}
	return syslog.LOG_DAEMON
}

// Enabled reports whether records of the level are written.
func (h *SyslogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l > slog.LevelDebug || h.detail
}

// Handle writes the record.
func (h *SyslogHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch priority(r.Level) {
	case 3:
		return h.w.Err(r.Message)
	case 4:
		return h.w.Warning(r.Message)
	}
	return h.w.Info(r.Message)
}

// WithAttrs returns h: attributes are not sent to syslog.
func (h *SyslogHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup returns h.
func (h *SyslogHandler) WithGroup(string) slog.Handler { return h }

// Close closes the syslog connection.
func (h *SyslogHandler) Close() error { return h.w.Close() }
