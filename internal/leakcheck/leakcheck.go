// Package leakcheck fails a test binary that leaves goroutines behind: its
// Main runs the tests, then waits a bounded time for the goroutines the
// tests started to end.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// Main runs m and exits; a package's TestMain calls it. If the tests pass
// but more goroutines run afterwards than before, after up to 5 s of
// polling, it prints their stacks and exits 1.
func Main(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		if n := settle(before, 5*time.Second); n > before {
			buf := make([]byte, 1<<20)
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before the tests, %d after\n%s\n", before, n, buf[:runtime.Stack(buf, true)])
			code = 1
		}
	}
	os.Exit(code)
}

// settle polls the goroutine count until it is at most want or the
// deadline passes, and returns the last count.
func settle(want int, within time.Duration) int {
	deadline := time.Now().Add(within)
	n := runtime.NumGoroutine()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // polling the count, with a deadline
		n = runtime.NumGoroutine()
	}
	return n
}
