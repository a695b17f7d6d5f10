package metrics

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/leakcheck"
)

// TestMain fails the package if a server's goroutines outlive its Close.
func TestMain(m *testing.M) { leakcheck.Main(m) }
