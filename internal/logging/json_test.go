package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// decodeLines decodes each line of b as one JSON object.
func decodeLines(t *testing.T, b string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(b, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not one JSON object: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestJSONFields(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewJSONHandler(&b, false))
	inst := log.With("instance", "VI_1", "vrid", 51)
	before := time.Now()
	inst.Info("(VI_1) Entering MASTER STATE", "from", "BACKUP", "to", "MASTER", "reason", "master down timer")
	inst.Debug("(VI_1) sent 0 priority") // only with -D
	inst.WithGroup("peer").Warn("(VI_1) advertisement interval mismatch", "addr", "192.0.2.2")
	lines := decodeLines(t, b.String())
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2:\n%s", len(lines), b.String())
	}
	first := lines[0]
	ts, err := time.Parse(time.RFC3339Nano, first["time"].(string))
	if err != nil || ts.Before(before.Add(-time.Second)) || ts.After(time.Now().Add(time.Second)) {
		t.Errorf("time %v (%v), want RFC 3339 now", first["time"], err)
	}
	delete(first, "time")
	want := map[string]any{
		"level": "INFO", "msg": "(VI_1) Entering MASTER STATE", "instance": "VI_1", "vrid": float64(51),
		"from": "BACKUP", "to": "MASTER", "reason": "master down timer",
	}
	if !equalMaps(first, want) {
		t.Errorf("got %v, want %v", first, want)
	}
	second := lines[1]
	delete(second, "time")
	want = map[string]any{
		"level": "WARN", "msg": "(VI_1) advertisement interval mismatch", "instance": "VI_1", "vrid": float64(51),
		"peer": map[string]any{"addr": "192.0.2.2"},
	}
	if !equalMaps(second, want) {
		t.Errorf("got %v, want %v", second, want)
	}
}

func equalMaps(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func TestJSONDetailAndJournal(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(NewJSONJournalHandler(&b, true)).With("instance", "VI_1")
	log.Debug("(VI_1) sent 0 priority")
	log.Error("(VI_1) failed")
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `<6>{"time":`) || !strings.HasPrefix(lines[1], `<3>{"time":`) {
		t.Fatalf("want a <6> DEBUG line and a <3> ERROR line, got:\n%s", b.String())
	}
	for i, level := range []string{"DEBUG", "ERROR"} {
		got := decodeLines(t, lines[i][3:])[0]
		if got["level"] != level || got["instance"] != "VI_1" {
			t.Errorf("line %d: %v, want level %s and the instance", i, got, level)
		}
	}
}
