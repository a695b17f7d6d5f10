package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// signumCases are command lines with --signum and what keepalived 2.2.7
// does with them (reference §5.5; measured with Debian's keepalived):
// the number and a newline on stdout and exit 0 for the six names,
// case-sensitive; "Unknown sigfunc NAME" on stderr and exit 1 otherwise
// (TDUMP too: Debian's keepalived is built without THREAD_DUMP, and man8's
// TDATA does not exist); --signum acts before the other options.
func signumCases() []signumCase {
	return []signumCase{
		{[]string{"--signum=STOP"}, "15\n", "", 0},
		{[]string{"--signum=RELOAD"}, "1\n", "", 0},
		{[]string{"--signum=DATA"}, "10\n", "", 0},
		{[]string{"--signum=STATS"}, "12\n", "", 0},
		{[]string{"--signum=STATS_CLEAR"}, "63\n", "", 0},
		{[]string{"--signum=JSON"}, "36\n", "", 0},
		{[]string{"--signum", "JSON"}, "36\n", "", 0},
		{[]string{"--signum=TDUMP"}, "", "Unknown sigfunc TDUMP\n", 1},
		{[]string{"--signum=TDATA"}, "", "Unknown sigfunc TDATA\n", 1},
		{[]string{"--signum=json"}, "", "Unknown sigfunc json\n", 1},
		{[]string{"--signum=Stop"}, "", "Unknown sigfunc Stop\n", 1},
		{[]string{"--signum=15"}, "", "Unknown sigfunc 15\n", 1},
		{[]string{"--signum=JSON "}, "", "Unknown sigfunc JSON \n", 1},
		{[]string{"--signum="}, "", "Missing parameter for option --signum\n", 1},
		{[]string{"--signum=JSON", "-t"}, "36\n", "", 0},
		{[]string{"-t", "--signum=STATS"}, "12\n", "", 0},
		{[]string{"-f", "/nonexistent/keepalived.conf", "--signum=DATA"}, "10\n", "", 0},
		{[]string{"--signum=JSON", "-h"}, "36\n", "", 0},
		{[]string{"--signum=JSON", "-v"}, "36\n", "", 0},
		{[]string{"--signum=FOO", "-v"}, "", "Unknown sigfunc FOO\n", 1},
		{[]string{"-n", "-l", "-D", "-P", "--signum=STOP"}, "15\n", "", 0},
	}
}

// signumCase is a command line and its output and exit code.
type signumCase struct {
	args         []string
	stdout, errs string
	code         int
}

// TestSignum checks gokeepalived's --signum against the table.
//
// Where gokeepalived differs, because its flag parser reads the whole
// command line before acting (so not in the table): keepalived acts on
// options in order, so -h or -v before --signum win there and --signum
// wins here, of two --signum the first wins there and the last here, and
// an unknown option after --signum is ignored there and a usage error (64)
// here; --signum without a value gives keepalived's "Missing parameter for
// option --" and exit 1 there, a usage error here; keepalived accepts
// abbreviations (--sig=JSON), the flag parser here does not.
func TestSignum(t *testing.T) {
	for _, tc := range signumCases() {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code || stdout.String() != tc.stdout || stderr.String() != tc.errs {
			t.Errorf("gokeepalived %s: exit %d, stdout %q, stderr %q; want %d, %q, %q",
				strings.Join(tc.args, " "), code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.errs)
		}
	}
}

// TestSignumMatchesKeepalived runs the table's command lines through the
// installed keepalived, when there is one, and requires what the table
// says, so that the table stays keepalived's.
func TestSignumMatchesKeepalived(t *testing.T) {
	path, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("keepalived is not installed")
	}
	for _, tc := range signumCases() {
		cmd := exec.Command(path, tc.args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("keepalived %v: %v", tc.args, err)
		}
		if code != tc.code || stdout.String() != tc.stdout || stderr.String() != tc.errs {
			t.Errorf("keepalived %s: exit %d, stdout %q, stderr %q; the table says %d, %q, %q",
				strings.Join(tc.args, " "), code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.errs)
		}
	}
}
