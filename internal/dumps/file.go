package dumps

import (
	"bufio"
	"fmt"
	"io"
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
// file in the same directory that is synced and then renamed over name, so
// that a reader sees the old file or the whole new one, never a part. On
// error the temporary file is removed and name is left as it was.
func WriteFile(name string, write func(io.Writer) error) error {
	return writeFileIn(Dir(), name, write)
}

func writeFileIn(dir, name string, write func(io.Writer) error) (err error) {
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
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
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return nil
}
