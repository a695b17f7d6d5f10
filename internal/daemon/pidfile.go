package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Default pidfiles: keepalived's, so that tools that read them keep working.
const (
	DefaultPIDFile     = "/run/keepalived.pid"
	DefaultVRRPPIDFile = "/run/keepalived_vrrp.pid"
)

// ErrRunning is returned when a pidfile names a live process.
var ErrRunning = errors.New("daemon is already running")

// PIDFile is a written pidfile, removed by Remove.
type PIDFile struct{ path string }

// WritePIDFile writes this process's pid to path, refusing when the file
// names another live process (keepalived's "daemon is already running").
// A stale file is replaced.
func WritePIDFile(path string) (*PIDFile, error) {
	if pid, ok := readPID(path); ok && pid != os.Getpid() && alive(pid) {
		return nil, fmt.Errorf("%s names pid %d: %w", path, pid, ErrRunning)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("pidfile directory: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("writing pidfile: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("writing pidfile: %w", err)
	}
	return &PIDFile{path: path}, nil
}

// Remove deletes the pidfile if it still holds this process's pid.
func (p *PIDFile) Remove() error {
	if p == nil {
		return nil
	}
	if pid, ok := readPID(p.path); ok && pid != os.Getpid() {
		return nil
	}
	if err := os.Remove(p.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing pidfile: %w", err)
	}
	return nil
}

func readPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
