package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// daemonRun is the daemon binary (this test binary standing in for
// gokeepalived, see TestMain) run with a configuration of no instances,
// which needs no privileges: it logs its start, runs and stops on SIGTERM.
type daemonRun struct {
	dir    string   // the temporary directory with the config and pidfiles
	stderr *os.File // the daemon's standard error, a file in dir
	env    []string // extra environment
}

func newDaemonRun(t *testing.T) *daemonRun {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keepalived.conf"), []byte("global_defs {\n    router_id gk-log\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stderr.Close() })
	return &daemonRun{dir: dir, stderr: stderr}
}

// run starts the daemon with args after the config and pidfile flags,
// waits until started (Startup complete) reads true, sends SIGTERM and
// returns the exit code.
func (d *daemonRun) run(t *testing.T, started func() (bool, string), args ...string) int {
	t.Helper()
	args = append([]string{"-n", "-f", filepath.Join(d.dir, "keepalived.conf"),
		"-p", filepath.Join(d.dir, "keepalived.pid"), "-r", filepath.Join(d.dir, "keepalived_vrrp.pid")}, args...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(withoutEnv(os.Environ(), "JOURNAL_STREAM"), "GOKEEPALIVED_TEST_MAIN=1")
	cmd.Env = append(cmd.Env, d.env...)
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { // Ends when the daemon exits; the cleanup kills it if need be.
		waitErr = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
	})
	nstest.WaitFor(t, 20*time.Second, 20*time.Millisecond, started)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("the daemon did not stop within 20 s of SIGTERM")
	}
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		return ee.ExitCode()
	}
	if waitErr != nil {
		t.Fatal(waitErr)
	}
	return 0
}

func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// fileContains is a WaitFor condition: the file at path contains s.
func fileContains(path, s string) func() (bool, string) {
	return func() (bool, string) {
		b, err := os.ReadFile(path)
		if err != nil {
			return false, err.Error()
		}
		return strings.Contains(string(b), s), fmt.Sprintf("%s holds %q", path, b)
	}
}

// TestRunDaemonLogFileJSON: -G -g FILE --log-format=json writes the VRRP
// process's lines to FILE with _vrrp inserted, as keepalived names it, one
// JSON object per line, appending to what is there, mode 0600; nothing goes
// to stderr without -l.
func TestRunDaemonLogFileJSON(t *testing.T) {
	d := newDaemonRun(t)
	logFile := filepath.Join(d.dir, "keepalived.log")
	vrrpFile := filepath.Join(d.dir, "keepalived_vrrp.log")
	if err := os.WriteFile(vrrpFile, []byte("{\"msg\":\"an earlier run\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code := d.run(t, fileContains(vrrpFile, `"msg":"Startup complete"`), "-G", "--log-file="+logFile, "--log-format=json")
	if code != exitOK {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	b, err := os.ReadFile(vrrpFile)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var rec struct{ Time, Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		if len(msgs) > 0 {
			if _, err := time.Parse(time.RFC3339Nano, rec.Time); err != nil || rec.Level != "INFO" {
				t.Errorf("line %q: time %v, level %q", line, err, rec.Level)
			}
		}
		msgs = append(msgs, rec.Msg)
	}
	want := []string{"an earlier run", "Starting gokeepalived v" + programVersion + ", compatible with Keepalived v2.2.7",
		"Warning - keepalived has no configuration to run", "Startup complete", "Stopped gokeepalived v" + programVersion}
	if got := filterMsgs(msgs, want); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages in order:\n%s\nwant among them, in order:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	if fi, err := os.Stat(vrrpFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v, %v; want mode 0600", vrrpFile, fi.Mode(), err)
	}
	if _, err := os.Stat(logFile); !os.IsNotExist(err) {
		t.Errorf("%s exists (%v): only the _vrrp file should", logFile, err)
	}
	if out, _ := os.ReadFile(d.stderr.Name()); len(out) != 0 {
		t.Errorf("stderr without -l: %q", out)
	}
}

// filterMsgs keeps the messages of msgs that are in want, in msgs' order.
func filterMsgs(msgs, want []string) []string {
	var out []string
	for _, m := range msgs {
		for _, w := range want {
			if m == w {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// TestRunDaemonJournalConsole: under systemd with stderr connected to the
// journal (JOURNAL_STREAM names stderr's device and inode), -l -G lines
// carry a "<6>" priority and no time; the same run with another
// JOURNAL_STREAM writes keepalived's timed lines.
func TestRunDaemonJournalConsole(t *testing.T) {
	for _, journal := range []bool{true, false} {
		t.Run(fmt.Sprintf("journal=%v", journal), func(t *testing.T) {
			d := newDaemonRun(t)
			fi, err := d.stderr.Stat()
			if err != nil {
				t.Fatal(err)
			}
			st := fi.Sys().(*syscall.Stat_t)
			ino := st.Ino
			if !journal {
				ino++
			}
			d.env = []string{fmt.Sprintf("JOURNAL_STREAM=%d:%d", st.Dev, ino)}
			if code := d.run(t, fileContains(d.stderr.Name(), "Startup complete\n"), "-l", "-G"); code != exitOK {
				t.Errorf("exit %d after SIGTERM, want 0", code)
			}
			b, err := os.ReadFile(d.stderr.Name())
			if err != nil {
				t.Fatal(err)
			}
			prefix := regexp.MustCompile(`^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}: `)
			if journal {
				prefix = regexp.MustCompile(`^<6>`)
			}
			lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			for _, line := range lines {
				if !prefix.MatchString(line) {
					t.Errorf("line %q does not start with %v", line, prefix)
				}
			}
			if last := lines[len(lines)-1]; !strings.HasSuffix(last, "Stopped gokeepalived v"+programVersion) {
				t.Errorf("last line %q", last)
			}
		})
	}
}

// TestRunLogFlags: --log-format takes keepalived or json; -g takes its
// file name only attached (-gFILE, --log-file=FILE), as keepalived's
// optional argument, so "-g FILE" leaves FILE as a stray argument.
func TestRunLogFlags(t *testing.T) {
	code, _, errOut := runArgs(t, "--log-format=xml", "-t", "-f", "/dev/null")
	if code != exitUsage || !strings.Contains(errOut, `unknown log format "xml"`) {
		t.Errorf("--log-format=xml: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runArgs(t, "-g", "/var/log/ka.log", "-t", "-f", "/dev/null")
	if code != exitUsage || !strings.Contains(errOut, `unexpected argument "/var/log/ka.log"`) {
		t.Errorf("-g FILE: exit %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{{"-g/var/log/ka.log"}, {"--log-file=/var/log/ka.log"}, {"-g"}, {"--flush-log-file"}} {
		o, err := parseFlags(args, &strings.Builder{})
		if err != nil {
			t.Errorf("%v: %v", args, err)
			continue
		}
		want := "/var/log/ka.log"
		switch args[0] {
		case "-g":
			want = "/tmp/keepalived.log"
		case "--flush-log-file":
			want = ""
		}
		if o.logFile != want {
			t.Errorf("%v: log file %q, want %q", args, o.logFile, want)
		}
	}
	got := attachOptionalArgs([]string{"", "-g", "-gx.log", "-lg", "--", "-gy"}, map[byte]string{'g': "log-file"})
	if want := []string{"", "-g", "--log-file=x.log", "-lg", "--", "-gy"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("attachOptionalArgs: %q, want %q", got, want)
	}
}
