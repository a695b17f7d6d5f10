// Command scale measures gokeepalived and Debian's keepalived 2.2.7 side by
// side at scale, in the same run: two hosts in network namespaces, A (every
// instance at priority 200) and B (priority 100), joined by one bridged
// segment per 200 instances (VRIDs are per interface); every instance has
// its own VRID on its segment and one /32 VIP.
//
// For each case and program, in a fresh lab, A and B start together. It
// reports the time until all N instances of B have logged "Entering BACKUP
// STATE" and until all N VIPs are on A. After 6 s more (past the delayed
// gratuitous ARP burst), over a steady window (-window, default 30 s): B's
// state changes (its "Entering ... STATE" lines), the most VIPs B held at
// any poll (every 200 ms), the adverts A sent per second (tx_packets of its
// eth* interfaces) against the N/advert_int due, the CPU of each daemon
// (utime+stime of the process and its descendants, as % of one core), and
// RSS and peak RSS at the end of the window. Then SIGTERM to A's main
// process: the time until B holds all N VIPs (polled every 20 ms, beside the
// floor Skew_Time of priority 100); then SIGTERM to B: the time until it
// exited.
//
// Cases: v2 advert_int 1 at N = 1, 100, 1000, 4000 (v2-N), v3 advert_int
// 0.01 multicast at N = 100 and 1000 (v3-N), and v3 0.01 unicast at 1000
// (v3u-1000). It prints a Markdown table and writes it, with a TSV, to
// -out. It must run as root; every namespace and process is removed on
// every exit path, SIGINT included.
//
// Usage:
//
//	go run ./bench/scale -gokeepalived ./bin/gokeepalived
//	go run ./bench/scale -cases v2-1,v3-100 -window 10s -v
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
	"strings"
	"syscall"
	"time"
)

// scaleCase is one configuration measured.
type scaleCase struct {
	name    string
	n       int
	version int
	advert  string // advert_int as written
	every   time.Duration
	unicast bool
}

// allCases are the cases in the order they run.
func allCases() []scaleCase {
	var cs []scaleCase
	for _, n := range []int{1, 100, 1000, 4000} {
		cs = append(cs, scaleCase{name: fmt.Sprintf("v2-%d", n), n: n, version: 2, advert: "1", every: time.Second})
	}
	for _, n := range []int{100, 1000} {
		cs = append(cs, scaleCase{name: fmt.Sprintf("v3-%d", n), n: n, version: 3, advert: "0.01", every: 10 * time.Millisecond})
	}
	return append(cs, scaleCase{name: "v3u-1000", n: 1000, version: 3, advert: "0.01", every: 10 * time.Millisecond, unicast: true})
}

// program is a daemon under test.
type program struct {
	name, path string
	extra      []string
}

// args returns the daemon's command line for conf: foreground, console
// log without details, no syslog, pidfiles of its own.
func (p program) args(conf string) []string {
	a := []string{"-n", "-l", "-G", "-f", conf, "-p", conf + ".pid", "-r", conf + ".vrrp.pid"}
	if p.name == "keepalived" {
		return append(a, "-P", "-c", conf+".checkers.pid", "-b", conf+".bfd.pid")
	}
	return append(a, p.extra...)
}

type options struct {
	gokeepalived, keepalived, only, cases, out, goargs string
	window                                             time.Duration
	verbose                                            bool
}

func main() {
	var o options
	fs := flag.NewFlagSet("scale", flag.ContinueOnError)
	fs.StringVar(&o.gokeepalived, "gokeepalived", "./bin/gokeepalived", "path of gokeepalived")
	fs.StringVar(&o.keepalived, "keepalived", "keepalived", "path of keepalived")
	fs.StringVar(&o.only, "only", "", "run only this program: gokeepalived or keepalived")
	fs.StringVar(&o.cases, "cases", "", "comma-separated cases (default all): v2-1,v2-100,v2-1000,v2-4000,v3-100,v3-1000,v3u-1000")
	fs.StringVar(&o.out, "out", "", "directory for scale.md and scale.tsv (default: a new one under $TMPDIR)")
	fs.StringVar(&o.goargs, "goargs", "", "extra arguments for gokeepalived, split on spaces; {host} is A or B, {dir} the run directory")
	fs.DurationVar(&o.window, "window", 30*time.Second, "steady window")
	fs.BoolVar(&o.verbose, "v", false, "print progress")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "scale: %v\n", err)
		os.Exit(1)
	}
}

// run measures every case with every program and writes the report.
func run(ctx context.Context, o options, out io.Writer) error {
	if os.Geteuid() != 0 {
		return errors.New("needs root for network namespaces")
	}
	cases, err := pickCases(o.cases)
	if err != nil {
		return err
	}
	progs, err := findPrograms(o)
	if err != nil {
		return err
	}
	dir := o.out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "bench-scale-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var rows []row
	for _, c := range cases {
		for _, p := range progs {
			if o.verbose {
				fmt.Fprintf(out, "%s %s ...\n", c.name, p.name)
			}
			r, err := runCase(ctx, c, p, o, dir)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", c.name, p.name, err)
			}
			rows = append(rows, r)
			if o.verbose {
				fmt.Fprintln(out, "  "+r.tsv())
			}
		}
	}
	md := markdown(rows, o.window)
	fmt.Fprint(out, md)
	tsv := tsvHeader + "\n"
	for _, r := range rows {
		tsv += r.tsv() + "\n"
	}
	if err := errors.Join(os.WriteFile(filepath.Join(dir, "scale.md"), []byte(md), 0o644),
		os.WriteFile(filepath.Join(dir, "scale.tsv"), []byte(tsv), 0o644)); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nwritten to %s/scale.md and scale.tsv\n", dir)
	return nil
}

// pickCases returns the cases named in list, or all.
func pickCases(list string) ([]scaleCase, error) {
	all := allCases()
	if list == "" {
		return all, nil
	}
	var cs []scaleCase
	for _, name := range strings.Split(list, ",") {
		found := false
		for _, c := range all {
			if c.name == name {
				cs, found = append(cs, c), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown case %q", name)
		}
	}
	return cs, nil
}

// findPrograms resolves the daemons to measure.
func findPrograms(o options) ([]program, error) {
	var ps []program
	if o.only != "keepalived" {
		p, err := filepath.Abs(o.gokeepalived)
		if err == nil {
			_, err = os.Stat(p)
		}
		if err != nil {
			return nil, fmt.Errorf("gokeepalived not found (run make build): %w", err)
		}
		ps = append(ps, program{name: "gokeepalived", path: p, extra: strings.Fields(o.goargs)})
	}
	if o.only != "gokeepalived" {
		p, err := exec.LookPath(o.keepalived)
		if err != nil {
			return nil, fmt.Errorf("keepalived not found (apt-get install keepalived, or -only gokeepalived): %w", err)
		}
		ps = append(ps, program{name: "keepalived", path: p})
	}
	return ps, nil
}
