package confparse

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/configs")

const configDir = "../../testdata/configs"

// checkOutput renders what `gokeepalived -t -d` shows for a config: the
// diagnostics, the exit code and the dump.
func checkOutput(t *testing.T, path string) (string, *Config) {
	t.Helper()
	cfg, diags := Load(path, Options{
		Read: ReadOptions{ConfigID: "gk1"},
		Env:  newTestEnv("eth0", "eth1", "eth2"),
	})
	var b bytes.Buffer
	for _, d := range diags {
		b.WriteString(strings.ReplaceAll(d.String(), configDir+"/", "") + "\n")
	}
	b.WriteString("exit " + itoa(diags.ExitCode()))
	if diags.CannotRun() {
		b.WriteString(" (cannot run)")
	}
	b.WriteString("\n")
	if err := Dump(&b, cfg); err != nil {
		t.Fatal(err)
	}
	return b.String(), cfg
}

// TestGolden compares each testdata config's diagnostics and dump with its
// .golden file; go test -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	confs, err := filepath.Glob(filepath.Join(configDir, "*.conf"))
	if err != nil || len(confs) == 0 {
		t.Fatalf("no configs in %s: %v", configDir, err)
	}
	for _, conf := range confs {
		name := strings.TrimSuffix(filepath.Base(conf), ".conf")
		t.Run(name, func(t *testing.T) {
			got, _ := checkOutput(t, conf)
			golden := strings.TrimSuffix(conf, ".conf") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s:\n%s", conf, golden, lineDiff(string(want), got))
			}
		})
	}
}

// TestDumpReparses checks that every dump reads back to itself with no
// diagnostics of its own beyond those the original had to repeat.
func TestDumpReparses(t *testing.T) {
	confs, _ := filepath.Glob(filepath.Join(configDir, "*.conf"))
	for _, conf := range confs {
		t.Run(filepath.Base(conf), func(t *testing.T) {
			_, cfg := checkOutput(t, conf)
			first := dumpString(t, cfg)
			second := redump(t, first)
			if first != second {
				t.Errorf("dump does not read back to itself:\n%s", lineDiff(first, second))
			}
		})
	}
}

func dumpString(t testing.TB, cfg *Config) string {
	var b bytes.Buffer
	if err := Dump(&b, cfg); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// redump reads a dump from memory with every interface present and dumps
// it again.
func redump(t testing.TB, text string) string {
	cfg, _ := Load("/dump.conf", Options{
		Read: ReadOptions{FS: MemFS{"/dump.conf": text}, ConfigID: "gk1"},
		Env:  testEnv{allIfaces: true, users: map[string]bool{"root": true}},
	})
	return dumpString(t, cfg)
}

// lineDiff shows the first lines where two texts differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 20; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}
