package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
)

// seedDir holds the project's own configurations of its first use cases
// (the two articles it started from): unicast with nopreempt, a tracked
// health check and a notify script, a weighted check on multicast.
const seedDir = "../../testdata/seedlike"

// seedConfig is one of them.
type seedConfig struct {
	name string
	path string
}

func seedConfigs(t *testing.T) []seedConfig {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(seedDir, "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no configurations in %s: %v", seedDir, err)
	}
	var out []seedConfig
	for _, f := range files {
		out = append(out, seedConfig{name: strings.TrimSuffix(filepath.Base(f), ".conf"), path: f})
	}
	return out
}

// TestSeedConfigsParse checks that the first use cases' configurations
// read with no syntax problem at all: no unknown keyword, no brace, quote
// or number error. (Whether they run depends on the machine: the parity
// test compares that with keepalived.)
func TestSeedConfigsParse(t *testing.T) {
	seeds := seedConfigs(t)
	if len(seeds) < 4 {
		t.Fatalf("found %d seed configs, want at least 4", len(seeds))
	}
	for _, s := range seeds {
		t.Run(s.name, func(t *testing.T) {
			text, err := os.ReadFile(s.path)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "keepalived.conf")
			if err := os.WriteFile(path, text, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := confparse.Load(path, confparse.Options{Read: confparse.ReadOptions{ConfigID: "gk1"}})
			for _, d := range diags {
				switch d.Class {
				case confparse.ClassUnknownKeyword, confparse.ClassUnexpectedBOB, confparse.ClassMissingBOB,
					confparse.ClassUnmatchedQuote, confparse.ClassMissingParameter, confparse.ClassInvalidNumber:
					t.Errorf("%s", d)
				}
			}
			if len(cfg.Instances) != 1 {
				t.Fatalf("got %d instances, want 1", len(cfg.Instances))
			}
			if in := cfg.Instances[0]; in.VRID == 0 || len(in.VIPs) != 1 || in.Interface != "eth0" {
				t.Errorf("instance %s: vrid %d, %d VIPs, interface %q", in.Name, in.VRID, len(in.VIPs), in.Interface)
			}
		})
	}
}
