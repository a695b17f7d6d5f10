package logging

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// stateRecord is a state-change record as the daemon logs it, with the
// attributes it attaches.
func stateRecord(at time.Time, withAttrs bool) slog.Record {
	r := slog.NewRecord(at, slog.LevelInfo, "(VI_1) Entering MASTER STATE", 0)
	if withAttrs {
		r.AddAttrs(slog.String("from", "BACKUP"), slog.String("to", "MASTER"), slog.String("reason", "master down timer"))
	}
	return r
}

func TestConsoleFormat(t *testing.T) {
	var b bytes.Buffer
	h := NewConsoleHandler(&b, false)
	at := time.Date(2026, 11, 2, 4, 10, 54, 0, time.Local)
	if err := h.Handle(context.Background(), stateRecord(at, false)); err != nil {
		t.Fatal(err)
	}
	// keepalived 2.2.7 with -l: "Sun Nov 22 04:10:54 2026: (VI_1) Entering MASTER STATE";
	// ctime pads a one-digit day with a space.
	if got, want := b.String(), "Mon Nov  2 04:10:54 2026: (VI_1) Entering MASTER STATE\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestConsoleIgnoresAttrs: the attributes the daemon attaches for JSON
// (instance, vrid, from, to, reason, groups) never change keepalived's text.
func TestConsoleIgnoresAttrs(t *testing.T) {
	at := time.Date(2026, 11, 22, 4, 10, 54, 0, time.Local)
	want := "Sun Nov 22 04:10:54 2026: (VI_1) Entering MASTER STATE\n"
	for _, journal := range []bool{false, true} {
		var plain, attrs bytes.Buffer
		newH := NewConsoleHandler
		if journal {
			newH = NewJournalHandler
			want = "<6>(VI_1) Entering MASTER STATE\n"
		}
		if err := newH(&plain, false).Handle(context.Background(), stateRecord(at, false)); err != nil {
			t.Fatal(err)
		}
		h := newH(&attrs, false).
			WithAttrs([]slog.Attr{slog.String("instance", "VI_1"), slog.Int("vrid", 51)}).
			WithGroup("g").
			WithAttrs([]slog.Attr{slog.String("k", "v")})
		if err := h.Handle(context.Background(), stateRecord(at, true)); err != nil {
			t.Fatal(err)
		}
		if plain.String() != want || attrs.String() != want {
			t.Errorf("journal %v: without attributes %q, with %q; want both %q", journal, plain.String(), attrs.String(), want)
		}
	}
}

// TestJournalPriorities: sd-daemon(3) prefixes, the same priorities the
// syslog handler uses; no time (journald stamps the line itself).
func TestJournalPriorities(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewJournalHandler(&b, true))
	log.Debug("(VI_1) sent 0 priority")
	log.Info("(VI_1) Entering BACKUP STATE (init)")
	log.Warn("Reloading is not supported yet - ignoring SIGHUP")
	log.Error("daemon is already running")
	want := "<6>(VI_1) sent 0 priority\n" +
		"<6>(VI_1) Entering BACKUP STATE (init)\n" +
		"<4>Reloading is not supported yet - ignoring SIGHUP\n" +
		"<3>daemon is already running\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestConsoleDetail(t *testing.T) {
	for _, detail := range []bool{false, true} {
		var b bytes.Buffer
		log := slog.New(NewConsoleHandler(&b, detail))
		log.Debug("(VI_1) sent 0 priority")
		log.Info("(VI_1) removing VIPs.")
		want := 1
		if detail {
			want = 2
		}
		if got := bytes.Count(b.Bytes(), []byte("\n")); got != want {
			t.Errorf("detail %v: %d lines, want %d:\n%s", detail, got, want, b.String())
		}
	}
}
