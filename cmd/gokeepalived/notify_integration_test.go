package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// TestIntegrationNotify runs the second seed article's notify use case: a
// script given INSTANCE name STATE priority on every transition, run for
// real, in transition order.
func TestIntegrationNotify(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	dir := t.TempDir()
	log := filepath.Join(dir, "states.log")
	script := filepath.Join(dir, "state.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+log+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	a.startGK(instanceConf(71, 150, vip4, "advert_int 1", "notify "+script))
	waitVIP(t, 10*time.Second, "192.0.2.100", a)
	read := func() string {
		b, _ := os.ReadFile(log)
		return string(b)
	}
	nstest.WaitFor(t, 5*time.Second, 10*time.Millisecond, func() (bool, string) {
		return strings.Contains(read(), "MASTER"), "notify log so far:\n" + read()
	})
	a.stop(syscall.SIGTERM)
	want := "INSTANCE VI_1 BACKUP 150\nINSTANCE VI_1 MASTER 150\nINSTANCE VI_1 STOP 150\n"
	if got := read(); got != want {
		t.Errorf("notify log:\n%s\nwant:\n%s", got, want)
	}
}
