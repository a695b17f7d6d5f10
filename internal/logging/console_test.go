package logging

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

func TestConsoleFormat(t *testing.T) {
	var b bytes.Buffer
	h := NewConsoleHandler(&b, false)
	at := time.Date(2026, 11, 2, 4, 10, 54, 0, time.Local)
	r := slog.NewRecord(at, slog.LevelInfo, "(VI_1) Entering MASTER STATE", 0)
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	// keepalived 2.2.7 with -l: "Sun Nov 22 04:10:54 2026: (VI_1) Entering MASTER STATE";
	// ctime pads a one-digit day with a space.
	if got, want := b.String(), "Mon Nov  2 04:10:54 2026: (VI_1) Entering MASTER STATE\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
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
