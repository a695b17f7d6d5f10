package exportertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// Probe is what the exporter learns from the keepalived command at
// start-up.
type Probe struct {
	// VersionOutput is `keepalived -v`'s stderr; Version its version, nil
	// if it did not parse (the exporter then assumes the newest).
	VersionOutput string
	Version       []int
	// JSON is whether `keepalived --version` contains "--enable-json"; the
	// exporter's --ka.json mode exits at start without it.
	JSON bool
	// Signals are the dump signals by --signum name: DATA, STATS and, if
	// JSON, JSON.
	Signals map[string]syscall.Signal
}

// goVersionRE is the version syntax of hashicorp/go-version, which the
// exporter parses -v's version word with.
var goVersionRE = regexp.MustCompile(`^v?([0-9]+(?:\.[0-9]+)*)(?:-[0-9A-Za-z\-~.]+)?(?:\+[0-9A-Za-z\-~.]+)?$`)

// ParseVersion parses a `keepalived -v` output as the exporter does
// (internal/types/utils/version.go, ParseVersion): the first line, which
// must end in a newline, split at single spaces; the second word without
// its first character is the version.
func ParseVersion(out string) ([]int, error) {
	line, _, ok := strings.Cut(out, "\n")
	if !ok {
		return nil, fmt.Errorf("version output %q has no newline", out)
	}
	words := strings.Split(line, " ")
	if len(words) < 2 || words[1] == "" {
		return nil, fmt.Errorf("version line %q: fewer than two words", line)
	}
	v, err := VersionWord(words[1][1:])
	if err != nil {
		return nil, fmt.Errorf("version line %q: %w", line, err)
	}
	return v, nil
}

// VersionWord parses a version word as hashicorp/go-version does, into
// its numbers.
func VersionWord(word string) ([]int, error) {
	m := goVersionRE.FindStringSubmatch(word)
	if m == nil {
		return nil, fmt.Errorf("%q is not a version", word)
	}
	var v []int
	for _, f := range strings.Split(m[1], ".") {
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, err
		}
		v = append(v, n)
	}
	return v, nil
}

// AtLeast compares versions as go-version does, missing parts being zeros;
// a nil version is the newest, as the exporter takes it.
func AtLeast(v []int, min ...int) bool {
	if v == nil {
		return true
	}
	for i := 0; i < max(len(v), len(min)); i++ {
		a, b := 0, 0
		if i < len(v) {
			a = v[i]
		}
		if i < len(min) {
			b = min[i]
		}
		if a != b {
			return a > b
		}
	}
	return true
}

// RunProbe runs the keepalived command as the exporter's host collector
// does at start-up, with path as PATH: `bash -c "keepalived -v"` (stderr),
// `keepalived --version` (stdout and stderr), and, from 1.3.8 on,
// `bash -c "keepalived --signum=NAME"` for DATA, STATS and, with jsonMode,
// JSON, whose stdout must decode as a JSON number. Below 1.3.8 it takes
// SIGUSR1 and SIGUSR2, and has no JSON signal. A command that fails, or a
// signal number that does not decode, is an error: the exporter exits.
func RunProbe(ctx context.Context, path string, jsonMode bool) (Probe, error) {
	var p Probe
	env := append(os.Environ(), "PATH="+path)
	stdout, stderr, err := runEnv(ctx, env, "bash", "-c", "keepalived -v")
	if err != nil {
		return p, fmt.Errorf("keepalived -v: %w: %s%s", err, stdout, stderr)
	}
	p.VersionOutput = stderr
	p.Version, _ = ParseVersion(stderr)
	bin, err := lookPath("keepalived", path)
	if err != nil {
		return p, err
	}
	stdout, stderr, err = runEnv(ctx, env, bin, "--version")
	if err != nil {
		return p, fmt.Errorf("keepalived --version: %w", err)
	}
	p.JSON = strings.Contains(stdout+stderr, "--enable-json")
	names := []string{"DATA", "STATS"}
	if jsonMode {
		if !p.JSON {
			return p, errors.New("keepalived does not support JSON signal: no --enable-json in keepalived --version")
		}
		names = append(names, "JSON")
	}
	p.Signals = map[string]syscall.Signal{}
	for _, name := range names {
		if !AtLeast(p.Version, 1, 3, 8) {
			defaults := map[string]syscall.Signal{"DATA": syscall.SIGUSR1, "STATS": syscall.SIGUSR2}
			sig, ok := defaults[name]
			if !ok {
				return p, fmt.Errorf("version %v has no %s signal", p.Version, name)
			}
			p.Signals[name] = sig
			continue
		}
		stdout, stderr, err := runEnv(ctx, env, "bash", "-c", "keepalived --signum="+name)
		if err != nil {
			return p, fmt.Errorf("keepalived --signum=%s: %w: %s%s", name, err, stdout, stderr)
		}
		var n int64
		if err := json.Unmarshal([]byte(stdout), &n); err != nil {
			return p, fmt.Errorf("keepalived --signum=%s: %q: %w", name, stdout, err)
		}
		p.Signals[name] = syscall.Signal(n)
	}
	return p, nil
}

// runEnv runs a command with env and returns its stdout and stderr.
func runEnv(ctx context.Context, env []string, name string, args ...string) (string, string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	return o.String(), e.String(), err
}

// lookPath finds an executable name in the directories of path.
func lookPath(name, path string) (string, error) {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH %s", name, path)
}
