package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
)

// seedsDir holds the articles the project started from; CI has ../shared
// beside the repository.
const seedsDir = "../../../shared/seeds"

// seedConfig is one configuration taken from a seed article.
type seedConfig struct {
	name string
	text string
}

// seedConfigs extracts the configurations of the seed articles: every
// top-level block, balanced by braces. Each vrrp_instance makes one config,
// together with the vrrp_script blocks the article showed before it.
// Fragments that elide text ("[...]") are skipped.
func seedConfigs(t *testing.T) []seedConfig {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(seedsDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed articles in %s (CI puts ../shared beside the repository): %v", seedsDir, err)
	}
	var out []seedConfig
	for _, f := range files {
		blocks := seedBlocks(t, f)
		var scripts []string
		n := 0
		for _, b := range blocks {
			switch {
			case strings.Contains(b, "[...]"):
			case strings.HasPrefix(b, "vrrp_script"):
				scripts = append(scripts, b)
			case strings.HasPrefix(b, "vrrp_instance"):
				n++
				out = append(out, seedConfig{
					name: strings.TrimSuffix(filepath.Base(f), ".txt") + "-" + itoaTest(n),
					text: strings.Join(append(append([]string{}, scripts...), b), "\n"),
				})
			}
		}
	}
	return out
}

func itoaTest(n int) string { return string(rune('0' + n)) }

// seedBlocks returns the top-level keepalived blocks of an article.
func seedBlocks(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []string
	var cur []string
	depth := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if depth == 0 {
			if !startsBlock(trimmed) {
				continue
			}
			cur = nil
		}
		cur = append(cur, line)
		code, _, _ := strings.Cut(trimmed, "#")
		depth += strings.Count(code, "{") - strings.Count(code, "}")
		if depth <= 0 {
			depth = 0
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
		}
	}
	return blocks
}

func startsBlock(s string) bool {
	for _, kw := range []string{"vrrp_instance ", "vrrp_script ", "global_defs", "vrrp_sync_group "} {
		if strings.HasPrefix(s, kw) && strings.HasSuffix(s, "{") {
			return true
		}
	}
	return false
}

// TestSeedConfigsParse checks that the seed articles' configurations read
// with no syntax problem at all: no unknown keyword, no brace, quote or
// number error. (Whether they run depends on the machine: the parity test
// compares that with keepalived.)
func TestSeedConfigsParse(t *testing.T) {
	seeds := seedConfigs(t)
	if len(seeds) < 3 {
		t.Fatalf("found %d seed configs, want at least 3", len(seeds))
	}
	for _, s := range seeds {
		t.Run(s.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keepalived.conf")
			if err := os.WriteFile(path, []byte(s.text), 0o644); err != nil {
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
