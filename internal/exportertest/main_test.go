package exportertest

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/leakcheck"
)

// TestMain fails the tests if they leave goroutines behind.
func TestMain(m *testing.M) { leakcheck.Main(m) }
