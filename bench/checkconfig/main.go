// Command checkconfig measures how long keepalived and gokeepalived take, and
// how much memory they use, to check (`-t -f CONF`) a large generated
// configuration: by default 10,000 vrrp_instance blocks tracking 1,000
// vrrp_script blocks on 40 interfaces.
//
// With -sizes it then measures both programs again on configurations of
// each of the sizes given, one vrrp_script per 10 instances, interleaved
// in the same run, and prints a Markdown table of wall time, peak RSS, exit
// code and time per instance, and the ratio of the two programs. A run
// longer than -cap is killed and reported as over the cap.
//
// It must run as root: the interfaces the configuration names are created as
// veth pairs in a network namespace of its own, which is deleted on every
// exit path, SIGINT included. Usage:
//
//	go run ./bench/checkconfig -gokeepalived ./bin/gokeepalived
//	go run ./bench/checkconfig -gokeepalived ./bin/gokeepalived -sizes 1000,2500,5000,10000,20000,40000
//	go run ./bench/checkconfig -only keepalived -n 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Exit codes of this program.
const (
	exitOK    = 0
	exitError = 1 // setup failed or a checker could not be run
	exitUsage = 2
)

// options holds the command-line flags.
type options struct {
	gen          genParams
	runs         int
	keepalived   string
	gokeepalived string
	only         string // "", "keepalived" or "gokeepalived"
	writeConfig  string // if set, keep the generated configuration here
	verbose      bool
	sizes        []int         // -sizes: instance counts of the sizes table
	sizeRuns     int           // -size-runs: runs per size up to 10,000 instances
	limit        time.Duration // -cap: a run longer than this is killed
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(exitOK)
		}
		fmt.Fprintf(os.Stderr, "checkconfig: %v\n", err)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, opts, os.Stdout)
	stop()
	os.Exit(code)
}

// parseFlags parses args into options.
func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("checkconfig", flag.ContinueOnError)
	fs.IntVar(&o.gen.Instances, "instances", 10000, "number of vrrp_instance blocks")
	fs.IntVar(&o.gen.Scripts, "scripts", 1000, "number of vrrp_script blocks")
	fs.IntVar(&o.gen.PerIface, "per-iface", 250, "instances (distinct VRIDs) per interface, 1-255")
	fs.IntVar(&o.runs, "n", 5, "runs of each checker")
	fs.StringVar(&o.keepalived, "keepalived", "keepalived", "path of keepalived")
	fs.StringVar(&o.gokeepalived, "gokeepalived", "./gokeepalived", "path of gokeepalived")
	fs.StringVar(&o.only, "only", "", "run only this checker: keepalived or gokeepalived")
	fs.StringVar(&o.writeConfig, "write-config", "", "also write the generated configuration to this file")
	fs.BoolVar(&o.verbose, "v", false, "print the first run's stderr of each checker")
	sizes := fs.String("sizes", "", "also measure these instance counts (comma-separated, e.g. 1000,2500,5000,10000,20000,40000), 1 vrrp_script per 10 instances")
	fs.IntVar(&o.sizeRuns, "size-runs", 3, "runs of each checker per size up to 10,000 instances; fewer above (at least 1)")
	fs.DurationVar(&o.limit, "cap", 120*time.Second, "kill a checker run after this long and report it as over the cap (0: no cap)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.sizes, err = parseSizes(*sizes); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.gen.Instances < 1 || o.gen.Scripts < 1 || o.runs < 1 || o.sizeRuns < 1:
		return o, errors.New("-instances, -scripts, -n and -size-runs must be positive")
	case o.gen.PerIface < 1 || o.gen.PerIface > 255:
		return o, errors.New("-per-iface must be between 1 and 255")
	case o.only != "" && o.only != "keepalived" && o.only != "gokeepalived":
		return o, fmt.Errorf("-only %q: want keepalived or gokeepalived", o.only)
	}
	return o, nil
}

// parseSizes parses -sizes: positive instance counts, kept in increasing
// order without repeats.
func parseSizes(list string) ([]int, error) {
	if list == "" {
		return nil, nil
	}
	var sizes []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-sizes: %q is not a positive number of instances", f)
		}
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	return slices.Compact(sizes), nil
}

// run generates the configuration, builds the namespace, measures the
// checkers and prints the table to out. It returns the exit code.
func run(ctx context.Context, o options, out io.Writer) int {
	checkers, err := findCheckers(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "checkconfig: %v\n", err)
		return exitError
	}
	dir, err := os.MkdirTemp("", "checkconfig-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "checkconfig: %v\n", err)
		return exitError
	}
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "keepalived.conf")
	if err := saveConfig(conf, o); err != nil {
		fmt.Fprintf(os.Stderr, "checkconfig: %v\n", err)
		return exitError
	}
	lab, err := newLab(ctx, o.ifaces())
	if err != nil {
		fmt.Fprintf(os.Stderr, "checkconfig: %v\n", err)
		return exitError
	}
	defer func() {
		if err := lab.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "checkconfig: cleanup: %v\n", err)
		}
	}()
	fmt.Fprintf(out, "config: %d vrrp_instance, %d vrrp_script, %d interfaces, %d runs each, namespace %s with %d interfaces\n\n",
		o.gen.Instances, o.gen.Scripts, o.gen.ifaces(), o.runs, lab.host.Name(), o.ifaces())
	rows, err := measureAll(ctx, lab, checkers, conf, dir, o.runs, o.limit)
	printTable(out, rows)
	if o.verbose {
		printStderr(out, rows[1:])
	}
	if err == nil && len(o.sizes) > 0 {
		err = measureSizes(ctx, out, lab, checkers, dir, o)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "checkconfig: %v\n", err)
		return exitError
	}
	return exitOK
}

// ifaces returns how many interfaces the lab needs: enough for the
// largest configuration measured.
func (o options) ifaces() int {
	n := o.gen.ifaces()
	for _, s := range o.sizes {
		n = max(n, o.sizeParams(s).ifaces())
	}
	return n
}

// saveConfig writes the generated configuration to path, and to
// o.writeConfig when set. The file is not executable: keepalived skips
// executable configuration files.
func saveConfig(path string, o options) error {
	paths := []string{path}
	if o.writeConfig != "" {
		paths = append(paths, o.writeConfig)
	}
	for _, p := range paths {
		if err := writeConfigFile(p, o.gen); err != nil {
			return err
		}
	}
	return nil
}

// writeConfigFile writes the configuration g to path, not executable.
func writeConfigFile(path string, g genParams) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("create config: %w", err)
	}
	err = writeConfig(f, g)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close config: %w", cerr)
	}
	return err
}

// checker is a program run as `PATH -t -f CONF [extra...]`.
type checker struct {
	name  string
	path  string
	extra func(dir string) []string // extra arguments, such as pidfiles
}

// findCheckers resolves the checkers to run, failing clearly when one is
// missing.
func findCheckers(o options) ([]checker, error) {
	var cs []checker
	if o.only != "gokeepalived" {
		p, err := exec.LookPath(o.keepalived)
		if err != nil {
			return nil, fmt.Errorf("keepalived not found (-keepalived %q; use -only gokeepalived to skip it): %w", o.keepalived, err)
		}
		cs = append(cs, checker{name: "keepalived", path: p, extra: keepalivedPidfiles})
	}
	if o.only != "keepalived" {
		p, err := filepath.Abs(o.gokeepalived)
		if err == nil {
			_, err = os.Stat(p)
		}
		if err != nil {
			return nil, fmt.Errorf("gokeepalived binary not found (-gokeepalived %q; build it, e.g. go build -o ./bin/gokeepalived ./cmd/gokeepalived, or use -only keepalived): %w", o.gokeepalived, err)
		}
		cs = append(cs, checker{name: "gokeepalived", path: p})
	}
	return cs, nil
}

// keepalivedPidfiles gives keepalived pidfiles of its own in dir, so that it
// never looks at those of a keepalived running on the machine.
func keepalivedPidfiles(dir string) []string {
	return []string{
		"-p", filepath.Join(dir, "keepalived.pid"),
		"-r", filepath.Join(dir, "vrrp.pid"),
		"-c", filepath.Join(dir, "checkers.pid"),
		"-b", filepath.Join(dir, "bfd.pid"),
	}
}
