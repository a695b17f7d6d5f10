package leakcheck

import (
	"runtime"
	"testing"
	"time"
)

func TestSettle(t *testing.T) {
	base := runtime.NumGoroutine()
	stop := make(chan struct{})
	go func() { <-stop }()
	if n := settle(base, 50*time.Millisecond); n <= base {
		t.Fatalf("a blocked goroutine was not counted: %d, base %d", n, base)
	}
	close(stop)
	if n := settle(base, 5*time.Second); n > base {
		t.Fatalf("count did not settle: %d, base %d", n, base)
	}
}
