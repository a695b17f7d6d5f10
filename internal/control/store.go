package control

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// DefaultStateDir is where the daemon keeps what survives a restart.
const DefaultStateDir = "/var/lib/gokeepalived"

// DemotionFile stores the demotions as JSON in Path: instance names and
// when each ends (zero: until undemoted). It implements the daemon's
// DemotionStore.
type DemotionFile struct{ Path string }

// demotionsDoc is the file's content.
type demotionsDoc struct {
	Demoted map[string]time.Time `json:"demoted"`
}

// Load reads the file; a missing file holds no demotions.
func (f DemotionFile) Load() (map[string]time.Time, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]time.Time{}, nil
	}
	if err != nil {
		return nil, err
	}
	var doc demotionsDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	if doc.Demoted == nil {
		doc.Demoted = map[string]time.Time{}
	}
	return doc.Demoted, nil
}

// Save replaces the file: written beside it, synced, renamed over it, so a
// crash leaves the old or the new one. No demotions remove it.
func (f DemotionFile) Save(m map[string]time.Time) error {
	if len(m) == 0 {
		err := os.Remove(f.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(demotionsDoc{Demoted: m}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".demotions-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}
