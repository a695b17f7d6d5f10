package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary stand in for gokeepalived: run with
// GOKEEPALIVED_TEST_MAIN=1 it is the program itself, so integration tests
// can exec it inside network namespaces without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("GOKEEPALIVED_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
