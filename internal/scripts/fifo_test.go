package scripts_test

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/logging/logtest"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
	"golang.org/x/sys/unix"
)

// readLines reads lines from the FIFO at path until end of file (every
// writer closed) and returns them on the channel when done.
func readLines(t *testing.T, path string) <-chan []string {
	t.Helper()
	r, err := os.Open(path) // does not block: the writer holds it open read-write
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan []string, 1)
	go func() { // ends at end of file, when the FIFO's writers have closed
		defer r.Close()
		var lines []string
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		out <- lines
	}()
	return out
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

// Reference §5.4: an absent FIFO is created prw-------, every line is
// `KIND "NAME" STATE PRIO`, and Close removes the FIFO it created.
func TestFIFOCreatesWritesRemoves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.fifo")
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, path); m != os.ModeNamedPipe|0o600 {
		t.Errorf("mode %v, want prw-------", m)
	}
	lines := readLines(t, path)
	for _, l := range []struct {
		kind, name, state string
		prio              int
	}{{"INSTANCE", "VI_1", "BACKUP", 100}, {"INSTANCE", "VI_1", "MASTER", 150}, {"GROUP", "G1", "MASTER", 0}, {"INSTANCE", "VI_1", "MASTER_RX_LOWER_PRI", 150}} {
		if err := f.WriteLine(l.kind, l.name, l.state, l.prio); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{`INSTANCE "VI_1" BACKUP 100`, `INSTANCE "VI_1" MASTER 150`, `GROUP "G1" MASTER 0`, `INSTANCE "VI_1" MASTER_RX_LOWER_PRI 150`}
	if got := <-lines; !slices.Equal(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the FIFO we created is still there: %v", err)
	}
	if err := f.WriteLine("INSTANCE", "VI_1", "STOP", 150); err != nil {
		t.Errorf("write after close: %v", err)
	}
}

// A FIFO that already exists is used as it is and left in place.
func TestFIFOExistingIsKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.fifo")
	if err := unix.Mkfifo(path, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	f.WriteLine("INSTANCE", "VI_1", "FAULT", 100)
	f.Close()
	if got := <-lines; !slices.Equal(got, []string{`INSTANCE "VI_1" FAULT 100`}) {
		t.Errorf("read %q", got)
	}
	if m := fileMode(t, path); m != os.ModeNamedPipe|0o666 {
		t.Errorf("existing FIFO: mode %v, want it untouched", m)
	}
}

// With no reader the pipe fills up; writes then fail at once with EAGAIN
// and the lines are lost: a write never blocks.
func TestFIFOFullNeverBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.fifo")
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type result struct {
		ok, lost int
		err      error
	}
	done := make(chan result, 1)
	go func() { // ends after a bounded number of writes
		var r result
		for i := 0; i < 20000; i++ { // ~560 KiB: far more than a pipe holds
			switch err := f.WriteLine("INSTANCE", "VI_1", "MASTER", i%256); {
			case err == nil:
				r.ok++
			case errors.Is(err, unix.EAGAIN):
				r.lost++
			default:
				r.err = err
			}
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil || r.ok == 0 || r.lost == 0 {
			t.Errorf("written %d, lost %d, error %v: want some written, then lost", r.ok, r.lost, r.err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("WriteLine blocked on a full FIFO")
	}
}

// Lines written from many goroutines arrive whole, one per write.
func TestFIFOConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.fifo")
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, path)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				// A full pipe may drop a line; the reader keeps up here.
				for f.WriteLine("INSTANCE", fmt.Sprintf("VI_%d", g), "BACKUP", i) != nil {
					runtime.Gosched()
				}
			}
		})
	}
	wg.Go(func() { f.WriteLine("GROUP", "G", "STOP", 0) })
	wg.Wait()
	f.Close()
	got := <-lines
	if len(got) != 8*50+1 {
		t.Fatalf("%d lines, want %d", len(got), 8*50+1)
	}
	for _, l := range got {
		var kind, name, state string
		var prio int
		if n, err := fmt.Sscanf(l, "%s %q %s %d", &kind, &name, &state, &prio); n != 4 || err != nil {
			t.Errorf("garbled line %q", l)
		}
	}
}

// The FIFO's script starts first, with the path appended to its words.
func TestFIFOScriptArgs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vrrp.fifo")
	exec := &scriptstest.Exec{Started: make(chan scripts.Command, 1), Hold: make(chan scripts.Result)}
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{
		Path: path, Exec: exec,
		Script: scripts.Command{Args: []string{"/etc/keepalived/fifo.sh", "A"}, Cred: &scripts.Cred{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := recv(t, exec.Started)
	if want := []string{"/etc/keepalived/fifo.sh", "A", path}; !slices.Equal(c.Args, want) {
		t.Errorf("script argv %q, want %q", c.Args, want)
	}
	f.Close() // ends the held run through its context
	if got := exec.Transcript(); len(got) != 1 {
		t.Errorf("transcript %q", got)
	}
}

// A real script in keepalived's sample's shape: SIGTERM at Stopping, then
// the STOP lines still reach it; Close removes the FIFO and waits for the
// script.
func TestFIFOScriptStopping(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vrrp.fifo")
	out := filepath.Join(dir, "out")
	script := filepath.Join(dir, "reader.sh")
	writeFile(t, script, `#!/bin/sh
trap 'echo TERM >> `+out+`' TERM
while :; do
  if read line; then
    echo "$line" >> `+out+`
    case "$line" in *STOP*) exit 0;; esac
  fi
done < "$1"
`)
	ml := &logtest.Recorder{}
	log := slog.New(ml)
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{
		Path: path, Exec: &scripts.Runner{KillGrace: 5 * time.Second}, Log: log,
		Script: scripts.Command{Args: []string{script}},
	})
	if err != nil {
		t.Fatal(err)
	}
	read := func() string { b, _ := os.ReadFile(out); return string(b) }
	f.WriteLine("INSTANCE", "VI_1", "MASTER", 150)
	waitFor(t, "the script reads the line", func() bool { return strings.Contains(read(), "MASTER") })
	f.Stopping()
	waitFor(t, "the script gets SIGTERM", func() bool { return strings.Contains(read(), "TERM") })
	f.WriteLine("INSTANCE", "VI_1", "STOP", 150)
	start := time.Now()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 4*time.Second {
		t.Errorf("Close took %v: the script did not end by itself", el)
	}
	if want := "INSTANCE \"VI_1\" MASTER 150\nTERM\nINSTANCE \"VI_1\" STOP 150\n"; read() != want {
		t.Errorf("script saw %q, want %q", read(), want)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("FIFO left behind: %v", err)
	}
	if slices.Contains(ml.Lines(), "vrrp notify fifo script terminated") {
		t.Error("a stopped script was logged as terminated")
	}
}

// A script that ends by itself is logged as keepalived logs it.
func TestFIFOScriptTerminated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vrrp.fifo")
	ml := &logtest.Recorder{}
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{
		Path: path, Exec: &scripts.Runner{}, Log: slog.New(ml),
		Script: scripts.Command{Args: []string{"/bin/true"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the terminated line", func() bool { return slices.Contains(ml.Lines(), "vrrp notify fifo script terminated") })
	f.Close()
}

// What cannot be a FIFO is refused with keepalived's lines, and a FIFO we
// created is removed again.
func TestFIFOOpenErrors(t *testing.T) {
	dir := t.TempDir()
	ml := &logtest.Recorder{}
	log := slog.New(ml)
	if _, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: filepath.Join(dir, "none", "x.fifo"), Type: "vrrp_", Log: log}); err == nil {
		t.Error("a FIFO in a missing directory opened")
	}
	if want := "Unable to create vrrp_notify fifo " + filepath.Join(dir, "none", "x.fifo"); !slices.Contains(ml.Lines(), want) {
		t.Errorf("log %q lacks %q", ml.Lines(), want)
	}
	reg := filepath.Join(dir, "regular")
	if err := os.WriteFile(reg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: reg, Log: log}); err == nil {
		t.Error("a regular file opened as a FIFO")
	}
	if want := "Unable to open notify fifo " + reg + " - errno 22"; !slices.Contains(ml.Lines(), want) {
		t.Errorf("log %q lacks %q", ml.Lines(), want)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(reg, link); err != nil {
		t.Fatal(err)
	}
	if _, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: link, Log: log}); err == nil {
		t.Error("a symbolic link was followed")
	}
}

// notify_fifo and vrrp_notify_fifo both get every line.
func TestFIFOsBoth(t *testing.T) {
	dir := t.TempDir()
	g := &config.Global{
		NotifyFifo:     &config.Fifo{Path: filepath.Join(dir, "notify.fifo")},
		VRRPNotifyFifo: &config.Fifo{Path: filepath.Join(dir, "vrrp.fifo")},
	}
	s := scripts.OpenFIFOs(g, nil, nil)
	if s.Len() != 2 {
		t.Fatalf("%d FIFOs open, want 2", s.Len())
	}
	a, b := readLines(t, g.NotifyFifo.Path), readLines(t, g.VRRPNotifyFifo.Path)
	s.Event("INSTANCE", "VI_1", "MASTER", 150)
	s.WriteLine("GROUP", "G1", "MASTER", 0)
	s.Stopping()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{`INSTANCE "VI_1" MASTER 150`, `GROUP "G1" MASTER 0`}
	for _, got := range [][]string{<-a, <-b} {
		if !slices.Equal(got, want) {
			t.Errorf("read %q, want %q", got, want)
		}
	}
	var none *scripts.FIFOs // nil writes nothing
	none.Event("INSTANCE", "VI_1", "MASTER", 1)
	none.Stopping()
	if err := none.Close(); err != nil || none.Len() != 0 {
		t.Error("nil FIFOs")
	}
}

// As root: a FIFO we create is given to its configured owner (here a uid
// with no account); an existing one is not.
func TestIntegrationFIFOOwner(t *testing.T) {
	nstest.RequireRoot(t)
	const uid, gid = 4242421, 4242422
	dir := t.TempDir()
	path := filepath.Join(dir, "notify.fifo")
	f, err := scripts.OpenFIFO(scripts.FIFOOptions{Path: path, Owner: &scripts.Cred{UID: uid, GID: gid}})
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		t.Fatal(err)
	}
	if st.Uid != uid || st.Gid != gid || st.Mode != unix.S_IFIFO|0o600 {
		t.Errorf("owner %d:%d mode %o, want %d:%d prw-------", st.Uid, st.Gid, st.Mode, uid, gid)
	}
	f.Close()
	existing := filepath.Join(dir, "existing.fifo")
	if err := unix.Mkfifo(existing, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err = scripts.OpenFIFO(scripts.FIFOOptions{Path: existing, Owner: &scripts.Cred{UID: uid, GID: gid}})
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := unix.Lstat(existing, &st); err != nil || st.Uid != 0 {
		t.Errorf("existing FIFO: owner %d (%v), want it left to root", st.Uid, err)
	}
}
