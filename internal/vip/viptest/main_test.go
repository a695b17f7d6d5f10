package viptest

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/leakcheck"
)

// TestMain fails the package if watchers outlive their contexts.
func TestMain(m *testing.M) { leakcheck.Main(m) }
