package scripts

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestRunExitCodes(t *testing.T) {
	r := &Runner{}
	ctx := context.Background()
	if res := r.Run(ctx, Command{Args: []string{"/bin/true"}}, time.Second); !res.Success() || res.Err != nil {
		t.Errorf("true: %+v", res)
	}
	res := r.Run(ctx, Command{Args: []string{"/bin/sh", "-c", "exit 3"}}, time.Second)
	if res.ExitCode != 3 || res.Signal != 0 || res.TimedOut || res.Err != nil || res.Success() {
		t.Errorf("exit 3: %+v", res)
	}
	res = r.Run(ctx, Command{Args: []string{"/bin/sh", "-c", "kill -9 $$"}}, time.Second)
	if res.Signal != syscall.SIGKILL || res.TimedOut || res.Success() {
		t.Errorf("kill -9: %+v", res)
	}
}

// Arguments are passed as words, without a shell (reference §5.2).
func TestRunArgvNoShell(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	s := writeScript(t, dir, "args.sh", "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done > \""+out+"\"\n")
	res := (&Runner{}).Run(context.Background(), Command{Args: []string{s, "a b", "$HOME", "*"}}, 5*time.Second)
	if !res.Success() {
		t.Fatalf("%+v", res)
	}
	got, _ := os.ReadFile(out)
	if want := "[a b]\n[$HOME]\n[*]\n"; string(got) != want {
		t.Errorf("argv seen by script:\n%s\nwant:\n%s", got, want)
	}
}

// A file without "#!" is not run through a shell: execve fails with
// ENOEXEC and keepalived logs it (reference §5.2). keepalived's forked child
// then exits 0, which KeepalivedScripts keeps; by default the run reports
// 126, a failure (issue 4).
func TestRunNoShebang(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	s := writeScript(t, dir, "nosb.sh", "touch "+marker+"\n")
	for _, tt := range []struct {
		keepalived bool
		code       int
	}{{false, 126}, {true, 0}} {
		log, rec := newLog()
		res := (&Runner{Log: log, KeepalivedScripts: tt.keepalived}).Run(context.Background(), Command{Args: []string{s}}, time.Second)
		if !errors.Is(res.Err, syscall.ENOEXEC) || res.ExitCode != tt.code || res.Signal != 0 || res.Success() != (tt.code == 0) {
			t.Fatalf("keepalived %v: got %+v, want ENOEXEC with status %d", tt.keepalived, res, tt.code)
		}
		want := "Error exec-ing command '" + s + "', error 8: exec format error"
		if !rec.Has(want) {
			t.Errorf("log %q lacks %q", rec.Lines(), want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the file was run by a shell")
	}
}

// A missing program reports 127 (0 with KeepalivedScripts); a file with
// no x bit, which even root cannot execute, 126 (0).
func TestRunCannotStart(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec.sh")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		prog       string
		keepalived bool
		code       int
		errno      syscall.Errno
	}{
		{filepath.Join(dir, "missing.sh"), false, 127, syscall.ENOENT},
		{filepath.Join(dir, "missing.sh"), true, 0, syscall.ENOENT},
		{noexec, false, 126, syscall.EACCES},
		{noexec, true, 0, syscall.EACCES},
	} {
		res := (&Runner{KeepalivedScripts: tt.keepalived}).Run(context.Background(), Command{Args: []string{tt.prog}}, time.Second)
		if !errors.Is(res.Err, tt.errno) || res.ExitCode != tt.code || res.Success() != (tt.code == 0) {
			t.Errorf("%s keepalived %v: %+v, want %v with status %d", tt.prog, tt.keepalived, res, tt.errno, tt.code)
		}
	}
}

// Commands starting "</" go through /bin/sh -c; 126/127 from the shell
// are logged and become exit 0 with KeepalivedScripts, as with keepalived's
// system() path, and stay failures by default.
func TestRunShellCommand(t *testing.T) {
	dir := t.TempDir()
	ok := writeScript(t, dir, "f", "")
	r := &Runner{}
	if res := r.Run(context.Background(), Command{Args: []string{"<" + ok}}, time.Second); !res.Success() {
		t.Errorf("<%s: %+v", ok, res)
	}
	res := r.Run(context.Background(), Command{Args: []string{"</nonexistent/x"}}, time.Second)
	if res.Success() || res.ExitCode == 0 {
		t.Errorf("</nonexistent/x: %+v, want failure", res)
	}
	if !(Command{Args: []string{"< /x"}}).IsShell() || (Command{Args: []string{"<x"}}).IsShell() {
		t.Error("IsShell")
	}
	notFound := Command{Args: []string{"</dev/null", "gokeepalived-no-such-command"}}
	for _, tt := range []struct {
		keepalived bool
		code       int
	}{{false, 127}, {true, 0}} {
		log, rec := newLog()
		res := (&Runner{Log: log, KeepalivedScripts: tt.keepalived}).Run(context.Background(), notFound, time.Second)
		if res.ExitCode != tt.code {
			t.Errorf("keepalived %v: %+v, want status %d", tt.keepalived, res, tt.code)
		}
		if want := "Couldn't find command: </dev/null gokeepalived-no-such-command"; !rec.Has(want) {
			t.Errorf("log %q lacks %q", rec.Lines(), want)
		}
	}
}

// A hanging script is killed at its timeout and reaped.
func TestRunTimeoutKillsAndReaps(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	s := writeScript(t, dir, "hang.sh", "#!/bin/sh\necho $$ > "+pidFile+"\nsleep 60\n")
	start := time.Now()
	res := (&Runner{KillGrace: 500 * time.Millisecond}).Run(context.Background(), Command{Args: []string{s}}, 200*time.Millisecond)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v", el)
	}
	if !res.TimedOut || res.Signal != syscall.SIGTERM || res.Success() {
		t.Errorf("got %+v, want timed out by SIGTERM", res)
	}
	pid := readPid(t, pidFile)
	assertReaped(t, pid)
	assertGroupGone(t, pid)
}

// A script ignoring SIGTERM gets SIGKILL after the grace period.
func TestRunTimeoutSigkill(t *testing.T) {
	dir := t.TempDir()
	s := writeScript(t, dir, "stubborn.sh", "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n")
	res := (&Runner{KillGrace: 200 * time.Millisecond}).Run(context.Background(), Command{Args: []string{s}}, 100*time.Millisecond)
	if !res.TimedOut || res.Signal != syscall.SIGKILL {
		t.Errorf("got %+v, want timed out by SIGKILL", res)
	}
}

// A grandchild that ignores SIGTERM is left in the process group when the
// script dies; the group is killed at the end of a timed-out run.
func TestRunTimeoutKillsGrandchildren(t *testing.T) {
	dir := t.TempDir()
	gc := filepath.Join(dir, "gc")
	s := writeScript(t, dir, "fork.sh", "#!/bin/sh\n(trap '' TERM; exec sleep 60) &\necho $! > "+gc+"\necho $$ > "+gc+".leader\nwait\n")
	res := (&Runner{KillGrace: 2 * time.Second}).Run(context.Background(), Command{Args: []string{s}}, 300*time.Millisecond)
	if !res.TimedOut {
		t.Fatalf("got %+v", res)
	}
	leader := readPid(t, gc+".leader")
	assertReaped(t, leader)
	assertGone(t, readPid(t, gc))
	assertGroupGone(t, leader)
}

// A script that exits normally leaves its grandchildren alone (keepalived
// does not kill them) but is itself reaped.
func TestRunNormalExitLeavesGrandchildren(t *testing.T) {
	dir := t.TempDir()
	gc := filepath.Join(dir, "gc")
	s := writeScript(t, dir, "bg.sh", "#!/bin/sh\nsleep 60 &\necho $! > "+gc+"\necho $$ > "+gc+".leader\n")
	res := (&Runner{}).Run(context.Background(), Command{Args: []string{s}}, 5*time.Second)
	if !res.Success() {
		t.Fatalf("%+v", res)
	}
	leader, child := readPid(t, gc+".leader"), readPid(t, gc)
	assertReaped(t, leader)
	if st := procState(child); st == "" || st == "Z" {
		t.Errorf("grandchild %d state %q, want alive", child, st)
	}
	_ = unix.Kill(-leader, unix.SIGKILL)
	assertGroupGone(t, leader)
}

// Output goes to /dev/null: megabytes of it do not block the script.
func TestRunLargeOutput(t *testing.T) {
	dir := t.TempDir()
	s := writeScript(t, dir, "loud.sh", "#!/bin/sh\nhead -c 20000000 /dev/zero\nhead -c 20000000 /dev/zero >&2\n")
	res := (&Runner{}).Run(context.Background(), Command{Args: []string{s}}, 20*time.Second)
	if !res.Success() || res.TimedOut {
		t.Errorf("%+v", res)
	}
}

// No descriptor of ours leaks into the child: descriptors Go opens are
// close-on-exec, and CloseOnExecInherited covers those inherited from
// whoever started us, so the script's shell has exactly 0, 1 and 2, all on
// /dev/null.
func TestRunNoLeakedFDs(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "held"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if err := CloseOnExecInherited(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fds")
	// ls replaces the shell and lists its own descriptors: 0-2, its
	// output file on 1 and the directory it reads on 3.
	cmd := Command{Args: []string{"/bin/sh", "-c", "exec ls -l /proc/self/fd/ > " + out}}
	if res := (&Runner{}).Run(context.Background(), cmd, 5*time.Second); !res.Success() {
		t.Fatalf("%+v", res)
	}
	got, _ := os.ReadFile(out)
	fds := map[string]string{}
	for _, line := range strings.Split(string(got), "\n") {
		if i := strings.Index(line, " -> "); i >= 0 {
			f := strings.Fields(line[:i])
			fds[f[len(f)-1]] = line[i+4:]
		}
	}
	want := map[string]string{"0": "/dev/null", "1": out, "2": "/dev/null"}
	if len(fds) != 4 || fds["0"] != want["0"] || fds["1"] != want["1"] || fds["2"] != want["2"] || !strings.HasSuffix(fds["3"], "/fd") {
		t.Errorf("script's descriptors %v, want %v and 3 on the listed directory\n%s", fds, want, got)
	}
}

// Context cancellation ends the run like a timeout, reporting ctx's error.
func TestRunContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() {
		done <- (&Runner{KillGrace: time.Second}).Run(ctx, Command{Args: []string{"/bin/sleep", "60"}}, 0)
	}()
	cancel()
	select {
	case res := <-done:
		if !errors.Is(res.Err, context.Canceled) || res.Signal != syscall.SIGTERM {
			t.Errorf("%+v", res)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not end with its context")
	}
}

// Running as nobody: the script sees uid/gid 65534 and only that group.
func TestIntegrationRunAsUser(t *testing.T) {
	requireRoot(t)
	cred, err := LookupCred("nobody", "")
	if err != nil {
		t.Skipf("no nobody user: %v", err)
	}
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(outDir, 0o777)
	out := filepath.Join(outDir, "id")
	s := writeScript(t, dir, "id.sh", "#!/bin/sh\necho \"$(id -u) $(id -g) $(id -G)\" > "+out+"\n")
	res := (&Runner{}).Run(context.Background(), Command{Args: []string{s}, Cred: &cred}, 5*time.Second)
	if !res.Success() {
		t.Fatalf("%+v", res)
	}
	got, _ := os.ReadFile(out)
	want := strconv.Itoa(int(cred.UID)) + " " + strconv.Itoa(int(cred.GID)) + " " + strconv.Itoa(int(cred.GID))
	if strings.TrimSpace(string(got)) != want {
		t.Errorf("script saw %q, want %q", got, want)
	}
}

func readPid(t *testing.T, p string) int {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// procStat returns state, ppid and pgrp of pid from /proc, or "" if gone.
func procStat(pid int) (state string, ppid, pgrp int) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	ppid, _ = strconv.Atoi(f[1])
	pgrp, _ = strconv.Atoi(f[2])
	return f[0], ppid, pgrp
}

func procState(pid int) string { s, _, _ := procStat(pid); return s }

// assertReaped checks pid is not a child of ours (zombie or alive).
func assertReaped(t *testing.T, pid int) {
	t.Helper()
	if st, ppid, _ := procStat(pid); st != "" && ppid == os.Getpid() {
		t.Errorf("child %d not reaped (state %s)", pid, st)
	}
}

// assertGone waits until pid is dead (gone or a zombie of someone else).
func assertGone(t *testing.T, pid int) {
	t.Helper()
	eventually(t, 5*time.Second, "process "+strconv.Itoa(pid)+" to die", func() bool {
		st := procState(pid)
		return st == "" || st == "Z"
	})
}

// assertGroupGone waits until no live process is in process group pgid.
func assertGroupGone(t *testing.T, pgid int) {
	t.Helper()
	eventually(t, 5*time.Second, "process group "+strconv.Itoa(pgid)+" to be empty", func() bool {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			pid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if st, _, pg := procStat(pid); pg == pgid && st != "" && st != "Z" {
				return false
			}
		}
		return true
	})
}
