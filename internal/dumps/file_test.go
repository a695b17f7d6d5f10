package dumps

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
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

// TestWriteFileCloseEvent checks the inotify events a dump makes in its
// directory, which VyOS's op mode waits on (vyos.utils.file,
// wait_for_file_write_complete: IN_CLOSE_WRITE named keepalived.json,
// after its signal): every write goes to the temporary file, the rename
// brings the whole file in, and only then is it closed, under its own name,
// as keepalived closes its dumps after renaming them in.
func TestWriteFileCloseEvent(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_MODIFY|unix.IN_MOVED_TO|unix.IN_CLOSE_WRITE|unix.IN_CREATE); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(JSONFile, writeString(strings.Repeat("x", 1<<17))); err != nil {
		t.Fatal(err)
	}
	var got []string
	buf := make([]byte, 64<<10)
	n, err := unix.Read(fd, buf) // the events are queued by the time WriteFile returns
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off+unix.SizeofInotifyEvent <= n; {
		mask := binary.NativeEndian.Uint32(buf[off+4:])
		nameLen := int(binary.NativeEndian.Uint32(buf[off+12:]))
		name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+nameLen]), "\x00")
		off += unix.SizeofInotifyEvent + nameLen
		kind := map[uint32]string{unix.IN_CREATE: "create", unix.IN_MODIFY: "modify", unix.IN_MOVED_TO: "moved_to", unix.IN_CLOSE_WRITE: "close_write"}[mask]
		if name != JSONFile {
			name = "temp"
		}
		if e := kind + " " + name; len(got) == 0 || got[len(got)-1] != e {
			got = append(got, e) // one "modify temp" for each run of writes
		}
	}
	want := "create temp, modify temp, moved_to keepalived.json, close_write keepalived.json"
	if strings.Join(got, ", ") != want {
		t.Errorf("events %q, want %q", strings.Join(got, ", "), want)
	}
	onlyFiles(t, dir, JSONFile)
}

// TestRemove removes a dump from $TMPDIR; a missing one is no error.
func TestRemove(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	if err := WriteFile(DataFile, writeString("x\n")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := Remove(DataFile); err != nil {
			t.Errorf("Remove, call %d: %v", i+1, err)
		}
	}
	onlyFiles(t, dir)
	t.Setenv("TMPDIR", filepath.Join(dir, "missing"))
	if err := Remove(DataFile); err != nil {
		t.Errorf("Remove in a missing directory: %v, want nil: there is nothing to remove", err)
	}
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
