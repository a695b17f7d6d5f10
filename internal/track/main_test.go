package track

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/leakcheck"
	"github.com/gokeepalived/gokeepalived/internal/logging/logtest"
)

// TestMain fails the package if goroutines are left behind by the tests.
func TestMain(m *testing.M) { leakcheck.Main(m) }

// waitTimeout bounds every wait for an update.
const waitTimeout = 10 * time.Second

// next receives the next value from ch, failing t after waitTimeout.
func next[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		var zero T
		t.Fatalf("no %T within %v", zero, waitTimeout)
		return zero
	}
}

// runTracker runs run in a goroutine until the test ends, and checks that
// it then returns nil.
func runTracker(t *testing.T, run func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func newLog() (*slog.Logger, *logtest.Recorder) {
	r := &logtest.Recorder{}
	return slog.New(r), r
}
