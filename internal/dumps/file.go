package dumps

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The file names keepalived 2.2.7 writes in [Dir] (reference §5.5).
const (
	JSONFile       = "keepalived.json"
	StatsFile      = "keepalived.stats"
	DataFile       = "keepalived.data"
	ParentDataFile = "keepalived_parent.data"
)

// Dir is the directory the dumps go to: $TMPDIR when it is set and an
// absolute path, else /tmp, as keepalived chooses it.
func Dir() string {
	if d := os.Getenv("TMPDIR"); filepath.IsAbs(d) {
		return d
	}
	return "/tmp"
}

// WriteFile writes Dir()/name with write, mode 0600, through a temporary
// file in the same directory that is renamed over name once complete, so
// that a reader sees the old file, no file or the whole new one, never a
// part. The temporary file is closed after the rename, as keepalived closes
// its dump after renaming it in: tools that wait for inotify's
// IN_CLOSE_WRITE on the dump's own name (VyOS's op mode) see that event,
// and see it once the file is whole. Nothing is synced to disk: a dump is
// read at once and has no use after a crash. On error the temporary file
// is removed and no part of the new file is left under name.
func WriteFile(name string, write func(io.Writer) error) error {
	return writeFileIn(Dir(), name, write)
}

func writeFileIn(dir, name string, write func(io.Writer) error) (err error) {
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	renamed := false
	defer func() {
		if err != nil {
			f.Close()
			if renamed {
				os.Remove(path)
			} else {
				os.Remove(f.Name())
			}
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	renamed = true
	return f.Close()
}

// Remove removes Dir()/name; a missing file is no error. The daemon removes
// a dump's files as its signal arrives, so that a reader that reads right
// after the signal never takes the previous dump for the one it asked for.
func Remove(name string) error {
	err := os.Remove(filepath.Join(Dir(), name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
