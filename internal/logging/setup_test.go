package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"keepalived", "json"} {
		f, err := ParseFormat(s)
		if err != nil || f.String() != s {
			t.Errorf("ParseFormat(%q) = %v, %v", s, f, err)
		}
	}
	if _, err := ParseFormat("text"); err == nil {
		t.Error("ParseFormat(text) accepted")
	}
}

// ctimeLine matches one keepalived console line.
var ctimeLine = regexp.MustCompile(`^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}: `)

// TestNewFileAndConsole: -l -G -g FILE writes the same keepalived lines to
// the console and to FILE with _vrrp inserted; FILE itself is not created.
func TestNewFileAndConsole(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	log, closeLog := New(Options{Console: true, File: filepath.Join(dir, "keepalived.log"), Stderr: &stderr})
	log.With("instance", "VI_1").Info("(VI_1) Entering BACKUP STATE (init)", "from", "INIT", "to", "BACKUP")
	log.Debug("(VI_1) sent 0 priority")
	closeLog()
	file, err := os.ReadFile(filepath.Join(dir, "keepalived_vrrp.log"))
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"console": stderr.String(), "file": string(file)} {
		if !ctimeLine.MatchString(out) || !strings.HasSuffix(out, ": (VI_1) Entering BACKUP STATE (init)\n") || strings.Count(out, "\n") != 1 {
			t.Errorf("%s: %q, want the one keepalived line", name, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "keepalived.log")); !os.IsNotExist(err) {
		t.Errorf("the parent's file was created (%v)", err)
	}
}

func TestNewJSONFile(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	log, closeLog := New(Options{File: filepath.Join(dir, "ka.log"), Format: FormatJSON, Detail: true, Stderr: &stderr})
	log.With("instance", "VI_1", "vrid", 7).Debug("(VI_1) sent 0 priority")
	closeLog()
	file, err := os.ReadFile(filepath.Join(dir, "ka_vrrp.log"))
	if err != nil {
		t.Fatal(err)
	}
	got := decodeLines(t, string(file))
	if len(got) != 1 || got[0]["msg"] != "(VI_1) sent 0 priority" || got[0]["level"] != "DEBUG" || got[0]["vrid"] != float64(7) {
		t.Errorf("file %q", file)
	}
	if stderr.Len() != 0 {
		t.Errorf("console written without -l: %q", stderr.String())
	}
}

// TestNewFileUnopenable: keepalived logs its "Unable to open" line and runs
// on without the file.
func TestNewFileUnopenable(t *testing.T) {
	var stderr bytes.Buffer
	p := filepath.Join(t.TempDir(), "missing", "keepalived.log")
	log, closeLog := New(Options{Console: true, File: p, Stderr: &stderr})
	defer closeLog()
	log.Info("Startup complete")
	out := stderr.String()
	want := ": Unable to open '" + filepath.Join(filepath.Dir(p), "keepalived_vrrp.log") + "' - errno 2 (No such file or directory)\n"
	if !strings.Contains(out, want) || !strings.HasSuffix(out, ": Startup complete\n") {
		t.Errorf("console %q, want %q then the next line", out, want)
	}
}

// TestNewJournalConsole: with -l and stderr journald's stream, lines carry
// their priority and no time.
func TestNewJournalConsole(t *testing.T) {
	stream, err := os.Create(filepath.Join(t.TempDir(), "stream"))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	log, closeLog := New(Options{Console: true, Stderr: stream, JournalStream: streamEnv(t, stream)})
	log.Info("(VI_1) Entering MASTER STATE", "from", "BACKUP")
	log.Warn("Reloading is not supported yet - ignoring SIGHUP")
	closeLog()
	b, err := os.ReadFile(stream.Name())
	if err != nil {
		t.Fatal(err)
	}
	if want := "<6>(VI_1) Entering MASTER STATE\n<4>Reloading is not supported yet - ignoring SIGHUP\n"; string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
}

// TestConsoleDuplicates: the console is left out only when it would repeat
// syslog's lines in the journal.
func TestConsoleDuplicates(t *testing.T) {
	for _, tc := range []struct {
		journal, syslogOn, inJournal bool
		f                            Format
		want                         bool
	}{
		{true, true, true, FormatKeepalived, true},
		{true, true, true, FormatJSON, false},
		{false, true, true, FormatKeepalived, false},
		{true, false, true, FormatKeepalived, false},
		{true, true, false, FormatKeepalived, false},
	} {
		if got := consoleDuplicates(tc.journal, tc.syslogOn, tc.f, tc.inJournal); got != tc.want {
			t.Errorf("%+v: %v", tc, got)
		}
	}
}
