package nstest

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// Poll calls cond every interval until it returns true, ctx is done or
// timeout has passed. On failure the error wraps [ErrTimeout] (or ctx's error)
// and quotes cond's last description.
func Poll(ctx context.Context, timeout, interval time.Duration, cond func() (bool, string)) error {
	deadline := time.Now().Add(timeout)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("poll: %w", ctx.Err())
		case <-timer.C:
		}
		ok, desc := cond()
		if ok {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("condition not met: %w after %v: %s", ErrTimeout, timeout, desc)
		}
		timer.Reset(min(interval, time.Until(deadline)))
	}
}

// WaitFor calls cond every interval until it returns true, and fails t if it
// has not done so within timeout. cond's second result describes the state
// it saw; the last one is quoted in the failure message. Use WaitFor instead
// of sleeping in tests. It may also be called from a t.Cleanup function.
func WaitFor(t testing.TB, timeout, interval time.Duration, cond func() (bool, string)) {
	t.Helper()
	if err := Poll(context.Background(), timeout, interval, cond); err != nil {
		t.Fatalf("%v", err)
	}
}
