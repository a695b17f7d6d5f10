package track

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/logging/logtest"
)

// testInterval is the tracker's interval in the tests: short, so that the
// tests wait little; nothing depends on it.
const testInterval = 20 * time.Millisecond

// exe makes a uniquely named symbolic link to the program target in a
// temporary directory and returns its path. A process started through it
// has the link's name, cut to 15 characters, as its comm, so no other
// process on the machine matches it. length is the name's length.
func exe(t *testing.T, target string, length int) string {
	t.Helper()
	path, err := exec.LookPath(target)
	if err != nil {
		t.Skipf("no %s: %v", target, err)
	}
	b := make([]byte, length)
	rand.Read(b)
	name := ("gkt" + hex.EncodeToString(b))[:length]
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// start starts path with args (argv[0] is path) and kills and reaps it, by
// pid, when the test ends. It returns once the program has been executed.
func start(t *testing.T, path string, args ...string) *exec.Cmd {
	t.Helper()
	c := exec.Command(path, args...)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(c) })
	return c
}

// stop kills c by pid and reaps it; stopping it twice is harmless.
func stop(c *exec.Cmd) {
	if c.ProcessState == nil {
		c.Process.Kill()
		c.Wait()
	}
}

// startProcs runs a ProcessTracker on procs and returns its updates.
func startProcs(t *testing.T, procs []*config.TrackProcess) (<-chan ProcessUpdate, *logtest.Recorder) {
	t.Helper()
	log, rec := newLog()
	ch := make(chan ProcessUpdate)
	pt := NewProcessTracker(procs, log, testInterval)
	runTracker(t, func(ctx context.Context) error { return pt.Run(ctx, ch) })
	return ch, rec
}

func expectProc(t *testing.T, ch <-chan ProcessUpdate, want ProcessUpdate) {
	t.Helper()
	if got := next(t, ch); got != want {
		t.Fatalf("update %+v; want %+v", got, want)
	}
}

// TestProcessTrackerQuorum counts processes by name against quorum 2 and
// quorum_max 3. New processes are not forks of counted ones, so fork_delay
// does not hold them back, as in keepalived (an exec acts at once).
func TestProcessTrackerQuorum(t *testing.T) {
	sleep := exe(t, "sleep", 11)
	name := filepath.Base(sleep)
	var ps []*exec.Cmd
	ps = append(ps, start(t, sleep, "3600"))
	ch, _ := startProcs(t, []*config.TrackProcess{{Name: "tp", Process: name, Quorum: 2, QuorumMax: 3, ForkDelay: time.Hour}})
	expectProc(t, ch, ProcessUpdate{Name: "tp", Count: 1})
	for _, want := range []ProcessUpdate{{"tp", true, 2}, {"tp", true, 3}, {"tp", false, 4}} {
		ps = append(ps, start(t, sleep, "3600"))
		expectProc(t, ch, want)
	}
	for i, want := range []ProcessUpdate{{"tp", true, 3}, {"tp", true, 2}, {"tp", false, 1}, {"tp", false, 0}} {
		stop(ps[i])
		expectProc(t, ch, want)
	}
}

// TestProcessTrackerCommandLine matches names and command lines: a comm
// is cut to 15 characters; arguments are matched exactly, as the first
// ones (partial) or with the last one a prefix (initial).
func TestProcessTrackerCommandLine(t *testing.T) {
	sleep := exe(t, "sleep", 20)
	name := filepath.Base(sleep)
	start(t, sleep, "3600", "1")
	start(t, sleep, "3600", "10")
	start(t, sleep, "3600", "1", "2")
	params := []string{"3600", "1"}
	ch, rec := startProcs(t, []*config.TrackProcess{
		{Name: "long", Process: name, Quorum: 1},
		{Name: "comm", Process: name[:15], Quorum: 1},
		{Name: "full", Process: sleep, FullCommand: true, Quorum: 1},
		{Name: "exact", Process: sleep, Params: params, Quorum: 1},
		{Name: "partial", Process: sleep, Params: params, ParamMatch: "partial", Quorum: 1},
		{Name: "initial", Process: sleep, Params: params, ParamMatch: "initial", Quorum: 1},
		{Name: "argv0", Process: name, FullCommand: true, Quorum: 1},
	})
	for _, want := range []ProcessUpdate{
		{"long", false, 0}, {"comm", true, 3}, {"full", true, 3},
		{"exact", true, 1}, {"partial", true, 2}, {"initial", true, 3},
		{"argv0", false, 0},
	} {
		expectProc(t, ch, want)
	}
	if !rec.Has("vrrp_track_process long: process name " + name + " is longer than the 15 characters") {
		t.Error("no warning about the long name")
	}
}

// TestProcessTrackerDelays checks fork_delay and terminate_delay on a real
// fork and exit: a shell (under a unique name) forks a subshell, which has
// the same name; the count changes at once, the quorum only after the
// delay.
func TestProcessTrackerDelays(t *testing.T) {
	sh := exe(t, "sh", 11)
	gateR, gateW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	holdR, holdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer gateR.Close()
	defer holdR.Close()
	defer gateW.Close()
	defer holdW.Close()
	// The shell waits for a line on fd 3, forks a subshell that waits on
	// fd 4, and waits on fd 3 again. Closing the pipes ends both.
	c := exec.Command(sh, "-c", "read x <&3; read y <&4 & read z <&3")
	c.ExtraFiles = []*os.File{gateR, holdR}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop(c) })

	delay := 200 * time.Millisecond
	ch, _ := startProcs(t, []*config.TrackProcess{{Name: "tp", Process: filepath.Base(sh), Quorum: 2, ForkDelay: delay, TerminateDelay: delay}})
	expectProc(t, ch, ProcessUpdate{Name: "tp", Count: 1})
	if _, err := gateW.WriteString("fork\n"); err != nil {
		t.Fatal(err)
	}
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: false, Count: 2})
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: true, Count: 2})

	child := childOf(t, c.Process.Pid)
	if err := child.Kill(); err != nil {
		t.Fatal(err)
	}
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: true, Count: 1})
	expectProc(t, ch, ProcessUpdate{Name: "tp", Up: false, Count: 1})
}

// childOf returns the only child of process pid.
func childOf(t *testing.T, pid int) *os.Process {
	t.Helper()
	p := strconv.Itoa(pid)
	b, err := os.ReadFile("/proc/" + p + "/task/" + p + "/children")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		t.Fatalf("process %d has children %q; want one", pid, f)
	}
	cpid, err := strconv.Atoi(f[0])
	if err != nil {
		t.Fatal(err)
	}
	proc, err := os.FindProcess(cpid)
	if err != nil {
		t.Fatal(err)
	}
	return proc
}

// TestProcessTrackerStop checks that Run returns nil when ctx ends while
// nobody receives.
func TestProcessTrackerStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	pt := NewProcessTracker([]*config.TrackProcess{{Name: "x", Process: "x", Quorum: 1}}, nil, 0)
	go func() { done <- pt.Run(ctx, make(chan ProcessUpdate)) }()
	cancel()
	if err := next(t, done); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// BenchmarkScan measures one read of the process table, with a name
// matcher and a command-line matcher (the cost behind
// DefaultProcessInterval).
func BenchmarkScan(b *testing.B) {
	ms := []matcher{
		newMatcher(&config.TrackProcess{Process: "haproxy"}),
		newMatcher(&config.TrackProcess{Process: "/usr/sbin/nginx", Params: []string{"-g", "daemon off;"}}),
	}
	sc := newScanner(ms)
	for b.Loop() {
		if _, err := sc.scan(); err != nil {
			b.Fatal(err)
		}
	}
}
