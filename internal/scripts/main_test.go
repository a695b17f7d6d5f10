package scripts

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/leakcheck"
	"github.com/gokeepalived/gokeepalived/internal/logging/logtest"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// TestMain fails the package if goroutines are left behind by the tests.
func TestMain(m *testing.M) { leakcheck.Main(m) }

// requireRoot skips a test that needs root, or fails it when
// GOKEEPALIVED_REQUIRE_PRIV=1.
func requireRoot(t *testing.T) { nstest.RequireRoot(t) }

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// writeScript writes an executable file in dir.
func writeScript(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func newLog() (*slog.Logger, *logtest.Recorder) {
	r := &logtest.Recorder{}
	return slog.New(r), r
}
