package exportertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeKeepalived writes a keepalived command, a shell script, that prints
// version as -v and --version (to stderr, as keepalived) and the signal
// numbers for --signum, and returns the PATH to find it by.
func fakeKeepalived(t *testing.T, version string) string {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash: the exporter runs keepalived through it")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\ncase \"$1\" in\n" +
		"-v|--version) printf '%s' '" + version + "' >&2 ;;\n" +
		"--signum=DATA) echo 10 ;;\n--signum=STATS) echo 12 ;;\n--signum=JSON) echo 36 ;;\n" +
		"*) echo \"Unknown sigfunc\" >&2; exit 1 ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(dir, "keepalived"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir + string(filepath.ListSeparator) + os.Getenv("PATH")
}

// TestRunProbe follows the exporter's start-up: the version from -v, JSON
// support from --version, the signals from --signum from 1.3.8 on and
// SIGUSR1 and SIGUSR2 below, and no start in JSON mode without
// --enable-json.
func TestRunProbe(t *testing.T) {
	withJSON := fakeKeepalived(t, "Keepalived v2.2.7 (gokeepalived 0.1.0)\n\nconfigure options: --enable-json\n")
	p, err := RunProbe(t.Context(), withJSON, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Version, []int{2, 2, 7}) || !p.JSON || p.Signals["DATA"] != 10 || p.Signals["STATS"] != 12 || p.Signals["JSON"] != 36 {
		t.Errorf("probe %+v", p)
	}

	old := fakeKeepalived(t, "Keepalived v1.3.5 (03/19,2017)\n")
	p, err = RunProbe(t.Context(), old, false)
	if err != nil || p.JSON || p.Signals["DATA"] != syscall.SIGUSR1 || p.Signals["STATS"] != syscall.SIGUSR2 {
		t.Errorf("before 1.3.8: %+v, %v; want SIGUSR1 and SIGUSR2 without asking", p, err)
	}
	if _, err := RunProbe(t.Context(), old, true); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("JSON mode without --enable-json: %v, want the exporter's refusal", err)
	}
}

// TestWatcher counts the closes after writing of each file in its
// directory, and Wait returns once the counts are reached or says which
// fell short.
func TestWatcher(t *testing.T) {
	dir := t.TempDir()
	w, err := Watch(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for i := 0; i < 3; i++ {
		if err := os.WriteFile(filepath.Join(dir, StatsFile), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, JSONFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(filepath.Join(dir, JSONFile)); err == nil {
		f.Close() // read only: not a write
	}
	short, err := w.Wait(t.Context(), map[string]int{StatsFile: 3, JSONFile: 1}, time.Minute)
	if err != nil || len(short) != 0 {
		t.Fatalf("Wait: %v, %v", short, err)
	}
	if n := w.Written(JSONFile); n != 1 {
		t.Errorf("keepalived.json written %d times, want 1", n)
	}
	short, err = w.Wait(t.Context(), map[string]int{DataFile: 1}, 10*time.Millisecond)
	if err != nil || !slices.Equal(short, []string{"keepalived.data (0 of 1)"}) {
		t.Errorf("Wait for an unwritten file: %v, %v", short, err)
	}
}
