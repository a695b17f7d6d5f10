package track

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/logging/logtest"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace writes content to a new file and renames it over path.
func replace(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	write(t, tmp, content)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// startFiles runs a FileTracker on files and returns its updates.
func startFiles(t *testing.T, files []*config.TrackFile) (<-chan FileUpdate, *logtest.Recorder) {
	t.Helper()
	log, rec := newLog()
	ch := make(chan FileUpdate)
	ft := NewFileTracker(files, log)
	runTracker(t, func(ctx context.Context) error { return ft.Run(ctx, ch) })
	return ch, rec
}

func expectFile(t *testing.T, ch <-chan FileUpdate, want FileUpdate) {
	t.Helper()
	if got := next(t, ch); got != want {
		t.Fatalf("update %+v; want %+v", got, want)
	}
}

// TestFileTrackerStart checks the start: init_file (src
// trackers/track_file.c track_file_end_handler), the first read, and the
// files keepalived drops (init_track_files), one update per file in order.
func TestFileTrackerStart(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	write(t, filepath.Join(dir, "five"), "5\n")
	write(t, filepath.Join(dir, "keep"), "9\n")
	write(t, filepath.Join(dir, "over"), "9\n")
	write(t, filepath.Join(other, "target"), "-3\n")
	if err := os.Symlink(filepath.Join(other, "target"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := []*config.TrackFile{
		{Name: "five", Path: filepath.Join(dir, "five")},
		{Name: "missing", Path: filepath.Join(dir, "missing")},
		{Name: "nodir", Path: filepath.Join(dir, "nodir", "f"), InitFile: true},
		{Name: "create", Path: filepath.Join(dir, "create"), InitFile: true, InitValue: 7},
		{Name: "keep", Path: filepath.Join(dir, "keep"), InitFile: true, InitValue: 2},
		{Name: "over", Path: filepath.Join(dir, "over"), InitFile: true, InitValue: -3, InitOverwrite: true},
		{Name: "notreg", Path: filepath.Join(dir, "adir"), InitFile: true, InitValue: 1, InitOverwrite: true},
		{Name: "link", Path: filepath.Join(dir, "link")},
		{Name: "notdir", Path: filepath.Join(dir, "five", "x")},
	}
	ch, rec := startFiles(t, files)
	for _, want := range []FileUpdate{
		{Name: "five", Value: 5},
		{Name: "missing"},
		{Name: "nodir", Removed: true},
		{Name: "create", Value: 7},
		{Name: "keep", Value: 9},
		{Name: "over", Value: -3},
		{Name: "notreg"},
		{Name: "link", Value: -3},
		{Name: "notdir", Removed: true},
	} {
		expectFile(t, ch, want)
	}
	if got := readFile(t, filepath.Join(dir, "create")); got != "7\n" {
		t.Errorf("init_file wrote %q; want %q", got, "7\n")
	}
	if got := readFile(t, filepath.Join(dir, "over")); got != "-3\n" {
		t.Errorf("init_file overwrite wrote %q; want %q", got, "-3\n")
	}
	for _, line := range []string{
		"Unable to initialise track file nodir",
		"Track file directory for nodir does not exist - removing",
		"Cannot initialise track file notreg - it is not a regular file",
		"track file notdir is not accessible - ignoring",
	} {
		if !rec.Has(line) {
			t.Errorf("no log line %q", line)
		}
	}
	// The symbolic link was resolved at start: its target's directory is
	// watched (keepalived's realpath).
	write(t, filepath.Join(other, "target"), "4")
	expectFile(t, ch, FileUpdate{Name: "link", Value: 4})
}

// TestFileTrackerChanges checks the changes keepalived reacts to (src
// trackers/track_file.c process_inotify): a write closed, a file renamed
// over, deleted or renamed away (0), garbage (0), and a number out of range
// (ignored). A value that does not change sends nothing.
func TestFileTrackerChanges(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	write(t, a, "1")
	ch, rec := startFiles(t, []*config.TrackFile{{Name: "a", Path: a}, {Name: "b", Path: b}})
	expectFile(t, ch, FileUpdate{Name: "a", Value: 1})
	expectFile(t, ch, FileUpdate{Name: "b"})

	write(t, a, "12\n")
	expectFile(t, ch, FileUpdate{Name: "a", Value: 12})

	// Replace by rename: write a temporary file, then move it over b.
	tmp := filepath.Join(dir, ".b.tmp")
	write(t, tmp, "0x20")
	if err := os.Rename(tmp, b); err != nil {
		t.Fatal(err)
	}
	expectFile(t, ch, FileUpdate{Name: "b", Value: 32})

	if err := os.Remove(a); err != nil {
		t.Fatal(err)
	}
	expectFile(t, ch, FileUpdate{Name: "a"})

	write(t, b, "garbage")
	expectFile(t, ch, FileUpdate{Name: "b"})

	write(t, b, "6")
	expectFile(t, ch, FileUpdate{Name: "b", Value: 6})
	// Writes that send nothing, then one that does: renamed into place, so
	// that the tracker never reads a file being rewritten (truncated, so 0).
	replace(t, b, "3000000000") // ignored: b stays 6
	invalid := "Invalid number 3000000000 read from " + b + " - ignoring"
	nstest.WaitFor(t, waitTimeout, 5*time.Millisecond, func() (bool, string) { return rec.Has(invalid), "no line " + invalid })
	replace(t, b, "6\n") // unchanged: nothing sent
	replace(t, b, "-8")
	expectFile(t, ch, FileUpdate{Name: "b", Value: -8})

	if err := os.Rename(b, filepath.Join(dir, "away")); err != nil {
		t.Fatal(err)
	}
	expectFile(t, ch, FileUpdate{Name: "b"})

	// A file that did not exist at start is read once it is written.
	write(t, a, "-2")
	expectFile(t, ch, FileUpdate{Name: "a", Value: -2})
}

// TestFileTrackerReload checks init_file on a reload: overwrite leaves an
// existing file alone; a missing file is still created, tracked or not.
func TestFileTrackerReload(t *testing.T) {
	dir := t.TempDir()
	over, missing := filepath.Join(dir, "over"), filepath.Join(dir, "missing")
	write(t, over, "9\n")
	ft := NewFileTracker([]*config.TrackFile{
		{Name: "over", Path: over, InitFile: true, InitValue: 1, InitOverwrite: true},
		{Name: "missing", Path: missing, InitFile: true, InitValue: 2, InitOverwrite: true},
	}, nil)
	ft.Reload = true
	untracked := filepath.Join(dir, "untracked")
	ft.InitOnly = []*config.TrackFile{{Name: "untracked", Path: untracked, InitFile: true, InitValue: 3}}
	ch := make(chan FileUpdate)
	runTracker(t, func(ctx context.Context) error { return ft.Run(ctx, ch) })
	expectFile(t, ch, FileUpdate{Name: "over", Value: 9})
	expectFile(t, ch, FileUpdate{Name: "missing", Value: 2})
	if got := readFile(t, untracked); got != "3\n" {
		t.Errorf("init_file of an untracked file wrote %q; want %q", got, "3\n")
	}
}

// TestFileTrackerSameFile checks two track_file blocks on one file: both
// are updated.
func TestFileTrackerSameFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "v")
	ch, _ := startFiles(t, []*config.TrackFile{{Name: "x", Path: p}, {Name: "y", Path: p}})
	expectFile(t, ch, FileUpdate{Name: "x"})
	expectFile(t, ch, FileUpdate{Name: "y"})
	write(t, p, "3")
	expectFile(t, ch, FileUpdate{Name: "x", Value: 3})
	expectFile(t, ch, FileUpdate{Name: "y", Value: 3})
}

// TestFileTrackerStop checks that Run returns nil, without sending, when
// ctx ends while nobody receives.
func TestFileTrackerStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ft := NewFileTracker([]*config.TrackFile{{Name: "x", Path: filepath.Join(t.TempDir(), "v")}}, nil)
	go func() { done <- ft.Run(ctx, make(chan FileUpdate)) }()
	cancel()
	if err := next(t, done); err != nil {
		t.Fatalf("Run: %v", err)
	}
}
