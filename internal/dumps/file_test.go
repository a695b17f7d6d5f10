package dumps

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestDir follows keepalived: $TMPDIR only when absolute (reference §5.5).
func TestDir(t *testing.T) {
	for _, tc := range []struct{ env, want string }{
		{"/var/tmp/x", "/var/tmp/x"},
		{"relative/dir", "/tmp"},
		{"", "/tmp"},
	} {
		t.Setenv("TMPDIR", tc.env)
		if got := Dir(); got != tc.want {
			t.Errorf("TMPDIR=%q: Dir() = %q, want %q", tc.env, got, tc.want)
		}
	}
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// TestWriteFile writes into $TMPDIR with mode 0600, replacing a file of
// another mode, and leaves no temporary file behind.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	path := filepath.Join(dir, JSONFile)
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(JSONFile, writeString("[]\n")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "[]\n" {
		t.Fatalf("content %q, %v", got, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	onlyFiles(t, dir, JSONFile)
}

// TestWriteFileError keeps the old file and removes the temporary one when
// writing fails half-way.
func TestWriteFileError(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	if err := WriteFile(StatsFile, writeString("complete\n")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(StatsFile, func(w io.Writer) error {
		io.WriteString(w, strings.Repeat("half", 10000))
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), filepath.Join(dir, StatsFile)) {
		t.Errorf("error %v, want one wrapping boom and naming the file", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, StatsFile)); string(got) != "complete\n" {
		t.Errorf("file is %q after a failed write", got)
	}
	onlyFiles(t, dir, StatsFile)
}

// TestWriteFileMissingDir fails, as keepalived does, when $TMPDIR does not
// exist.
func TestWriteFileMissingDir(t *testing.T) {
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	if err := WriteFile(DataFile, writeString("x")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}

// TestWriteFileAtomic has a reader read the file while it is rewritten
// with two large contents: it must always see one of them whole.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	a, b := strings.Repeat("a", 1<<20), strings.Repeat("b", 1<<19)
	if err := WriteFile(JSONFile, writeString(a)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var bad string
	go func() { // ends when done is closed
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			got, err := os.ReadFile(filepath.Join(dir, JSONFile))
			if err != nil || (string(got) != a && string(got) != b) {
				bad = fmt.Sprintf("read %d bytes starting %q: %v", len(got), got[:min(20, len(got))], err)
				return
			}
		}
	}()
	for i := 0; i < 50; i++ {
		content := a
		if i%2 == 0 {
			content = b
		}
		if err := WriteFile(JSONFile, writeString(content)); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if bad != "" {
		t.Error(bad)
	}
	onlyFiles(t, dir, JSONFile)
}

// onlyFiles requires dir to hold exactly the named files.
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
