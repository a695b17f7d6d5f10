package daemon

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/leakcheck"
)

// TestMain fails the package if the daemon's goroutines outlive Run.
func TestMain(m *testing.M) { leakcheck.Main(m) }
