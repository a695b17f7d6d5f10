package nstest

import (
	"os"
	"os/exec"
	"testing"
)

// RequirePrivEnv is the environment variable that turns the skips of
// [RequireRoot] and [RequireBinaries] into failures when set to "1". CI sets it
// so that an integration test cannot pass by silently skipping.
const RequirePrivEnv = "GOKEEPALIVED_REQUIRE_PRIV"

// privRequired reports whether missing privileges or tools must fail a test.
func privRequired() bool {
	return os.Getenv(RequirePrivEnv) == "1"
}

// skipOrFail skips t, or fails it when [RequirePrivEnv] is set.
func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if privRequired() {
		t.Fatalf(format+" ("+RequirePrivEnv+"=1)", args...)
	}
	t.Skipf(format, args...)
}

// RequireRoot skips t when the test is not running as root, or fails it when
// GOKEEPALIVED_REQUIRE_PRIV=1.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "integration test needs root (euid %d)", os.Geteuid())
	}
}

// RequireBinaries looks each name up in PATH and returns their paths in the
// same order. It skips t when one is missing, or fails it when
// GOKEEPALIVED_REQUIRE_PRIV=1.
func RequireBinaries(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			skipOrFail(t, "integration test needs %q: %v", name, err)
		}
		paths[i] = p
	}
	return paths
}
