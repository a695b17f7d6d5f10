package track

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// errNotRegular is initFile's error for an existing path that is not a
// regular file.
var errNotRegular = errors.New("not a regular file")

// initFile carries out a track_file's "init_file [VALUE] [overwrite]" as
// keepalived does when it reads its configuration (src
// trackers/track_file.c track_file_end_handler): when the file does not
// exist, or with overwrite unless it exists and is not a regular file or
// this is a reload, the file gets "VALUE\n". Like keepalived's fopen_safe,
// it writes a temporary file (mode 0600, as keepalived's) beside it and
// renames it over the path, so a reader never sees it half written and a
// symbolic link at the path is replaced, not followed. Failures are logged
// with keepalived's lines.
func initFile(f *config.TrackFile, reload bool, log *slog.Logger) {
	if !f.InitFile {
		return
	}
	// A stat that fails for any reason means "write", as in keepalived.
	st, err := os.Stat(f.Path)
	if err == nil && !f.InitOverwrite {
		return
	}
	if err == nil && !st.Mode().IsRegular() {
		log.Info(fmt.Sprintf("Cannot initialise track file %s - it is not a regular file", f.Name),
			"err", fmt.Errorf("init_file %s: %w", f.Path, errNotRegular))
		return
	}
	if err == nil && reload {
		return
	}
	if err := writeValue(f.Path, f.InitValue); err != nil {
		log.Info(fmt.Sprintf("Unable to initialise track file %s", f.Name), "err", err)
	}
}

// writeValue replaces path with a file holding "v\n".
func writeValue(path string, v int) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("init_file: %w", err)
	}
	_, werr := tmp.WriteString(strconv.Itoa(v) + "\n")
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("init_file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("init_file: %w", err)
	}
	return nil
}
