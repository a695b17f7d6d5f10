package scripts_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/logging/logtest"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
)

func recv[T any](t *testing.T, c <-chan T) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(10 * time.Second):
		t.Fatal("nothing received")
		panic("unreachable")
	}
}

// Reference §4.1: first run at once, then every interval; a tick while a run
// is in progress is skipped with keepalived's line; rise/fall applies.
func TestCheckerSchedule(t *testing.T) {
	exec := &scriptstest.Exec{Started: make(chan scripts.Command), Hold: make(chan scripts.Result)}
	clock := &scriptstest.Clock{}
	ml := &logtest.Recorder{}
	s := &config.Script{Name: "chk", Command: &config.Command{Args: []string{"/bin/chk"}}, Interval: 2 * time.Second, Timeout: time.Second, Rise: 2, Fall: 2}
	c := scripts.NewChecker(s, scripts.Command{Args: s.Command.Args, Cred: &scripts.Cred{UID: 0, GID: 0}}, exec, slog.New(ml))
	c.Clock = clock
	updates := make(chan scripts.Update, 10)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx, func(u scripts.Update) { updates <- u }) })

	recv(t, exec.Started) // first run at once
	clock.Tick()          // still running: skipped
	exec.Hold <- scripts.Result{ExitCode: 1}
	if u := recv(t, updates); !u.Changed || u.OK {
		t.Errorf("first failure: %+v, want changed to KO", u)
	}
	if !slices.Contains(ml.Lines(), "Track script chk is already running, expect idle - skipping run") {
		t.Errorf("no skip line in %q", ml.Lines())
	}
	for i, want := range []struct{ changed, ok bool }{{false, false}, {true, true}} {
		clock.Tick()
		recv(t, exec.Started)
		exec.Hold <- scripts.Result{}
		if u := recv(t, updates); u.Changed != want.changed || u.OK != want.ok {
			t.Errorf("success %d: %+v, want %+v", i+1, u, want)
		}
	}
	clock.Tick()
	recv(t, exec.Started)
	cancel() // the held run ends with ctx; its result is dropped
	wg.Wait()
	if len(updates) != 0 {
		t.Errorf("update after cancel: %+v", <-updates)
	}
	wantT := strings.Repeat("run /bin/chk as 0:0 timeout 1s\n", 4)
	if got := strings.Join(exec.Transcript(), "\n") + "\n"; got != wantT {
		t.Errorf("transcript:\n%s\nwant:\n%s", got, wantT)
	}
	wantLog := []string{
		"Track script chk is already running, expect idle - skipping run",
		"Script `chk` now returning 1",
		"VRRP_Script(chk) failed (exited with status 1)",
		"Script `chk` now returning 0",
		"VRRP_Script(chk) succeeded",
	}
	if got := ml.Lines(); !slices.Equal(got, wantLog) {
		t.Errorf("log:\n%q\nwant:\n%q", got, wantLog)
	}
}

// With the real Runner and a short interval: a hanging script times out
// (failure), and ending the context kills and reaps the run in progress.
func TestCheckerRealRunner(t *testing.T) {
	ml := &logtest.Recorder{}
	c := &scripts.Checker{
		Name:     "hang",
		Command:  scripts.Command{Args: []string{"/bin/sleep", "60"}},
		Interval: 50 * time.Millisecond,
		Timeout:  100 * time.Millisecond,
		Counter:  scripts.NewCounter("hang", 1, 1, false, slog.New(ml)),
		Exec:     &scripts.Runner{KillGrace: 200 * time.Millisecond},
		Log:      slog.New(ml),
	}
	updates := make(chan scripts.Update, 100)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx, func(u scripts.Update) { updates <- u }) })
	u := recv(t, updates)
	if !u.Result.TimedOut || !u.Changed || u.OK {
		t.Errorf("first: %+v", u)
	}
	cancel()
	wg.Wait()
	got := ml.Lines()
	if !slices.Contains(got, "VRRP_Script(hang) timed_out") || !slices.Contains(got, "Track script hang is already running, expect idle - skipping run") {
		t.Errorf("log %q", got)
	}
}

// A script confparse disabled (issue 4: missing, not executable) is never
// run; it is reported failed once, so that its weight applies.
func TestCheckerDisabled(t *testing.T) {
	exec := &scriptstest.Exec{}
	ml := &logtest.Recorder{}
	s := &config.Script{Name: "chk", Command: &config.Command{Args: []string{"/missing/chk"}, Disabled: true}, Interval: time.Second, Rise: 2, Fall: 2}
	c := scripts.NewChecker(s, scripts.Command{}, exec, slog.New(ml))
	if !c.Disabled {
		t.Fatal("NewChecker of a disabled command is not disabled")
	}
	c.Clock = &scriptstest.Clock{}
	updates := make(chan scripts.Update, 10)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.Run(ctx, func(u scripts.Update) { updates <- u }) })
	u := recv(t, updates)
	if !u.Changed || u.OK || u.Result.Success() || u.Result.Err != scripts.ErrDisabled {
		t.Errorf("update %+v, want a changed failure with ErrDisabled", u)
	}
	cancel()
	wg.Wait()
	if len(updates) != 0 || len(exec.Transcript()) != 0 {
		t.Errorf("more updates (%d) or runs %q", len(updates), exec.Transcript())
	}
	if want := []string{"VRRP_Script(chk) failed (cannot be run)"}; !slices.Equal(ml.Lines(), want) {
		t.Errorf("log %q, want %q", ml.Lines(), want)
	}
}

// A tracked file without "#!" (execve: ENOEXEC): by default every run
// fails with status 126; with KeepalivedScripts it succeeds, as keepalived
// counts it (reference §5.2, issue 4).
func TestCheckerNoShebangBothModes(t *testing.T) {
	dir := t.TempDir()
	nosb := filepath.Join(dir, "nosb.sh")
	if err := os.WriteFile(nosb, []byte("exit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		keepalived bool
		ok         bool
		line       string
	}{
		{false, false, "VRRP_Script(nosb) failed (exited with status 126)"},
		{true, true, "VRRP_Script(nosb) succeeded"},
	} {
		ml := &logtest.Recorder{}
		c := &scripts.Checker{
			Name:     "nosb",
			Command:  scripts.Command{Args: []string{nosb}},
			Interval: time.Hour,
			Counter:  scripts.NewCounter("nosb", 1, 1, false, slog.New(ml)),
			Exec:     &scripts.Runner{KeepalivedScripts: tt.keepalived},
			Clock:    &scriptstest.Clock{},
		}
		updates := make(chan scripts.Update, 1)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { c.Run(ctx, func(u scripts.Update) { updates <- u }) })
		u := recv(t, updates)
		cancel()
		wg.Wait()
		if u.OK != tt.ok || !u.Changed {
			t.Errorf("keepalived %v: %+v, want OK %v", tt.keepalived, u, tt.ok)
		}
		if !slices.Contains(ml.Lines(), tt.line) {
			t.Errorf("keepalived %v: log %q lacks %q", tt.keepalived, ml.Lines(), tt.line)
		}
	}
}
