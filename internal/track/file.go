package track

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// FileUpdate is a tracked file's value, sent when a FileTracker starts and
// whenever the value changes.
type FileUpdate struct {
	Name  string // the track_file block's name
	Value int    // the file's value; 0 while the file is missing
	// Removed is set, with Value 0, in the start-up update of a file that
	// keepalived stops tracking at start because its directory does not
	// exist or its path cannot be resolved ("Track file directory for NAME
	// does not exist - removing", "track file NAME is not accessible -
	// ignoring"): instances must drop it as if it were not configured. No
	// later update comes for it.
	Removed bool
}

// watchMask is what keepalived watches a tracked file's directory for:
// a file written and closed, moved in or out, or deleted (src
// trackers/track_file.c init_track_files). IN_CREATE is left out, as in
// keepalived: a file created by open(2) is empty until written, and the
// IN_CLOSE_WRITE that follows gives its value.
const watchMask = unix.IN_CLOSE_WRITE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO

// FileTracker watches the files of track_file blocks. Its fields must not
// change once Run has been called; Run must be called once.
type FileTracker struct {
	// Reload is set for a tracker started by a configuration reload:
	// init_file's overwrite then leaves an existing file alone, as in
	// keepalived (a missing file is still created).
	Reload bool
	// InitOnly lists the track_file blocks that no instance or sync group
	// tracks: keepalived carries out their init_file and reads them no
	// further (src trackers/track_file.c init_track_files removes them).
	InitOnly []*config.TrackFile

	files []*config.TrackFile
	log   *slog.Logger
}

// NewFileTracker returns a tracker of files, the track_file blocks that
// at least one instance or sync group tracks (see InitOnly for the
// others). log may be nil.
func NewFileTracker(files []*config.TrackFile, log *slog.Logger) *FileTracker {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &FileTracker{files: files, log: log}
}

// watched is one tracked file while the tracker runs.
type watched struct {
	name    string
	path    string // resolved: symbolic links followed, as keepalived's realpath
	base    string // the file name inside its directory
	wd      int    // the directory's inotify watch, -1 if none
	value   int
	removed bool
}

// Run carries out each file's init_file (InitOnly's too), watches the
// tracked files' directories and reads each file, then sends one
// FileUpdate per tracked file, in the order given, and one more whenever a
// file's value changes: when it is written and closed or renamed into
// place (its new value is read), or deleted or renamed away (0). Sends block until received or ctx ends. Run returns
// nil when ctx ends; an error only when inotify cannot be used, after
// sending value 0 for every file (keepalived then reads none).
func (t *FileTracker) Run(ctx context.Context, out chan<- FileUpdate) error {
	for _, f := range append(t.InitOnly[:len(t.InitOnly):len(t.InitOnly)], t.files...) {
		initFile(f, t.Reload, t.log)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.log.Info("Unable to monitor track files")
		for _, f := range t.files {
			if !send(ctx, out, FileUpdate{Name: f.Name}) {
				return nil
			}
		}
		return fmt.Errorf("track files: inotify_init1: %w", err)
	}
	ino := os.NewFile(uintptr(fd), "inotify")
	defer ino.Close()
	ws := make([]*watched, len(t.files))
	for i, f := range t.files {
		ws[i] = t.watch(fd, f)
	}
	for _, w := range ws {
		if !send(ctx, out, FileUpdate{Name: w.name, Value: w.value, Removed: w.removed}) {
			return nil
		}
	}
	stop := context.AfterFunc(ctx, func() { ino.Close() })
	defer stop()
	return t.loop(ctx, ino, ws, out)
}

// watch resolves f's path as keepalived does, watches its directory and
// reads its value. The watch comes first, so a write between the two is
// not missed.
func (t *FileTracker) watch(fd int, f *config.TrackFile) *watched {
	w := &watched{name: f.Name, wd: -1}
	path, err := resolve(f.Path)
	switch {
	case errors.Is(err, errNoDir):
		t.log.Info(fmt.Sprintf("Track file directory for %s does not exist - removing", f.Name), "err", err)
		w.removed = true
		return w
	case err != nil:
		t.log.Info(fmt.Sprintf("track file %s is not accessible - ignoring", f.Name), "err", err)
		w.removed = true
		return w
	}
	w.path, w.base = path, filepath.Base(path)
	wd, err := unix.InotifyAddWatch(fd, filepath.Dir(path), watchMask)
	if err != nil {
		// keepalived ignores this error and never sees the file change.
		t.log.Warn(fmt.Sprintf("track file %s: cannot watch %s: %v", f.Name, filepath.Dir(path), err))
	}
	w.wd = wd
	t.read(w)
	return w
}

// read reads w's file into w.value and reports whether the value changed.
func (t *FileTracker) read(w *watched) bool {
	v, ok, msg := readValue(w.path)
	if !ok {
		t.log.Info(msg)
		return false
	}
	changed := v != w.value
	w.value = v
	return changed
}

// errNoDir is resolve's error when the file's directory does not exist.
var errNoDir = errors.New("directory does not exist")

// resolve returns the absolute path of p with symbolic links followed, as
// keepalived's realpath(3) at start (src trackers/track_file.c
// init_track_files). When p does not exist, its directory is resolved
// instead and must be a directory (else errNoDir); any other failure to
// resolve p is returned as is.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("track file %s: %w", p, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("track file: %w", err)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", fmt.Errorf("track file %s: %w: %w", p, errNoDir, err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "", fmt.Errorf("track file %s: %s: %w", p, dir, errNoDir)
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// send sends v on out unless ctx ends first, and reports whether it sent.
func send[T any](ctx context.Context, out chan<- T, v T) bool {
	select {
	case out <- v:
		return true
	case <-ctx.Done():
		return false
	}
}
