package daemon

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestPIDFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run", "keepalived.pid")
	p, err := WritePIDFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if pid, ok := readPID(path); !ok || pid != os.Getpid() {
		t.Fatalf("pidfile holds %d, %v", pid, ok)
	}
	if err := p.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pidfile still there: %v", err)
	}
}

func TestPIDFileRefusesLiveProcess(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep binary:", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	path := filepath.Join(t.TempDir(), "keepalived.pid")
	if err := os.WriteFile(path, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WritePIDFile(path); !errors.Is(err, ErrRunning) {
		t.Fatalf("got %v, want ErrRunning", err)
	}
}

func TestPIDFileReplacesStale(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true binary:", err)
	}
	path := filepath.Join(t.TempDir(), "keepalived.pid")
	// The pid of a process that has exited and been reaped.
	if err := os.WriteFile(path, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WritePIDFile(path); err != nil {
		t.Fatalf("stale pidfile not replaced: %v", err)
	}
}
