package logging

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// streamEnv returns $JOURNAL_STREAM as systemd would set it for f.
func streamEnv(t *testing.T, f *os.File) string {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}

func TestIsJournalStream(t *testing.T) {
	dir := t.TempDir()
	stream, err := os.Create(filepath.Join(dir, "stream"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	other, err := os.Create(filepath.Join(dir, "other"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	env := streamEnv(t, stream)
	for _, tc := range []struct {
		name string
		w    io.Writer
		env  string
		want bool
	}{
		{"the stream", stream, env, true},
		{"stderr redirected elsewhere", other, env, false},
		{"no variable", stream, "", false},
		{"malformed", stream, "12-34", false},
		{"not a number", stream, "x:" + env, false},
		{"not a file", &bytes.Buffer{}, env, false},
	} {
		if got := IsJournalStream(tc.w, tc.env); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSyslogReachesJournal(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "log")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	if syslogReachesJournal(link) || syslogReachesJournal(filepath.Join(dir, "none")) {
		t.Error("a socket other than journald's taken for journald's")
	}
	if _, err := os.Stat(journalDevLog); err == nil && !syslogReachesJournal(journalDevLog) {
		t.Errorf("%s itself not recognised", journalDevLog)
	}
}
