// Command failover measures, for gokeepalived and Debian's keepalived in the
// same run, how fast a backup takes over a virtual address when its master
// dies, and how much CPU and memory a daemon uses while running many
// instances.
//
// Failover: two hosts on a LAN (a bridge), one vrrp_instance, master
// priority 150, backup priority 100, one VIP; VRRPv2 with advert_int 1 and
// VRRPv3 with advert_int 0.05. The master is ended with SIGKILL (sent to its
// process group, so keepalived's VRRP child dies with its parent, as in a
// crash) or SIGTERM (sent to the main process, as a service manager does).
// The program records the time just before the signal, watches the backup's
// namespace with a netlink socket subscribed to address notifications
// (opened before the signal) and timestamps the RTM_NEWADDR of the VIP, and
// captures the adverts the backup receives with `tcpdump -tt
// --immediate-mode` in the backup's namespace. Each case is reported beside
// its RFC floor: after SIGKILL, Master_Down_Interval from the last advert the
// backup received; after SIGTERM, Skew_Time from the priority-0 advert. Run
// i of n signals the master (2i+1)/2n of an advert interval after one of
// its adverts, so that the signal is spread over the interval as a real
// failure would be. Every run uses fresh namespaces and daemons.
//
// Resources: one host running the master alone, with 1, 256 and 1000
// instances (at most 250 per interface, VRRPv2, advert_int 1, one VIP
// each). Once every VIP is present and 6 s more have passed (past the
// second burst of gratuitous ARPs), the CPU time used during a fixed window
// (utime+stime from /proc/PID/stat, and the finer schedstat run time of the
// threads) and the RSS at its end (VmRSS, VmHWM from /proc/PID/status) are
// summed over the daemon's processes (keepalived's parent and VRRP child).
//
// It must run as root. Everything runs in network namespaces it creates,
// with veth pairs made directly inside them and addresses from the
// documentation ranges; namespaces and processes are removed on every exit
// path, SIGINT included. With the defaults it takes about 6 minutes.
// Usage:
//
//	go run ./bench/failover -gokeepalived ./bin/gokeepalived
//	go run ./bench/failover -only keepalived -n 3 -v
//	go run ./bench/failover -skip failover -sizes 1,2000 -window 60s
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

// Exit codes of this program.
const (
	exitOK    = 0
	exitError = 1 // setup failed, a daemon failed or a measurement timed out
	exitUsage = 2
)

// options holds the command-line flags.
type options struct {
	runs         int
	resRuns      int
	window       time.Duration
	sizes        []int
	keepalived   string
	gokeepalived string
	only         string // "", "keepalived" or "gokeepalived"
	skip         string // "", "failover" or "resources"
	verbose      bool
}

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(exitOK)
		}
		fmt.Fprintf(os.Stderr, "failover: %v\n", err)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, opts, os.Stdout)
	stop()
	os.Exit(code)
}

// parseFlags parses args into options.
func parseFlags(args []string) (options, error) {
	o := options{sizes: []int{1, 256, 1000}}
	fs := flag.NewFlagSet("failover", flag.ContinueOnError)
	fs.IntVar(&o.runs, "n", 5, "failover runs per case, signal and program")
	fs.IntVar(&o.resRuns, "res-n", 1, "resource runs per size and program")
	fs.DurationVar(&o.window, "window", 20*time.Second, "resource measurement window, once all instances are MASTER")
	fs.Func("sizes", "comma-separated instance counts for the resource table (default 1,256,1000)", func(s string) error {
		sizes, err := parseSizes(s)
		o.sizes = sizes
		return err
	})
	fs.StringVar(&o.keepalived, "keepalived", "keepalived", "path of keepalived")
	fs.StringVar(&o.gokeepalived, "gokeepalived", "./bin/gokeepalived", "path of gokeepalived")
	fs.StringVar(&o.only, "only", "", "run only this program: keepalived or gokeepalived")
	fs.StringVar(&o.skip, "skip", "", "skip one part: failover or resources")
	fs.BoolVar(&o.verbose, "v", false, "print every run, and the daemons' logs of the first failover run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.runs < 1 || o.resRuns < 1:
		return o, errors.New("-n and -res-n must be positive")
	case o.window < time.Second:
		return o, errors.New("-window must be at least 1s")
	case o.only != "" && o.only != "keepalived" && o.only != "gokeepalived":
		return o, fmt.Errorf("-only %q: want keepalived or gokeepalived", o.only)
	case o.skip != "" && o.skip != "failover" && o.skip != "resources":
		return o, fmt.Errorf("-skip %q: want failover or resources", o.skip)
	}
	return o, nil
}

// run checks the tools, measures failover and resource use and prints the
// tables to out. It returns the exit code.
func run(ctx context.Context, o options, out io.Writer) int {
	if err := checkTools(o); err != nil {
		fmt.Fprintf(os.Stderr, "failover: %v\n", err)
		return exitError
	}
	progs, err := findPrograms(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "failover: %v\n", err)
		return exitError
	}
	dir, err := os.MkdirTemp("", "bench-failover-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "failover: %v\n", err)
		return exitError
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	if o.skip != "failover" {
		fmt.Fprintf(out, "== failover: %d runs per case, signal and program; VIP detected by netlink RTM_NEWADDR in the backup's namespace\n", o.runs)
		res, err := measureFailovers(ctx, o, progs, dir, out)
		printFailover(out, res)
		if err != nil {
			fmt.Fprintf(os.Stderr, "failover: %v\n", err)
			return exitError
		}
	}
	if o.skip != "resources" {
		fmt.Fprintf(out, "\n== resources: master alone, VRRPv2 advert_int 1, one /32 VIP per instance, %v window after all VIPs are up, %d run(s) each\n",
			o.window, o.resRuns)
		rows, err := measureResources(ctx, o, progs, dir, out)
		printResources(out, rows)
		if err != nil {
			fmt.Fprintf(os.Stderr, "failover: %v\n", err)
			return exitError
		}
	}
	fmt.Fprintf(out, "\ntotal time %v\n", time.Since(start).Round(time.Second))
	return exitOK
}

// checkTools fails clearly when the program is not root or a tool is missing.
func checkTools(o options) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("needs root for network namespaces (euid %d)", os.Geteuid())
	}
	tools := []string{"ip"}
	if o.skip != "failover" {
		tools = append(tools, "tcpdump")
	}
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			return fmt.Errorf("needs %s: %w", t, err)
		}
	}
	return nil
}

// program is a VRRP daemon under test.
type program struct {
	name string // "gokeepalived" or "keepalived"
	path string
}

// args returns the command line that runs the daemon in the foreground on
// conf, logging details to the console and not to syslog, with pidfiles of
// its own named after conf.
func (p program) args(conf string) []string {
	a := []string{"-n", "-l", "-D", "-G", "-f", conf, "-p", conf + ".pid", "-r", conf + ".vrrp.pid"}
	if p.name == "keepalived" {
		a = append(a, "-P", "-c", conf+".checkers.pid", "-b", conf+".bfd.pid")
	}
	return a
}

// findPrograms resolves the daemons to measure, failing clearly when one is
// missing.
func findPrograms(o options) ([]program, error) {
	var ps []program
	if o.only != "keepalived" {
		p, err := filepath.Abs(o.gokeepalived)
		if err == nil {
			_, err = os.Stat(p)
		}
		if err != nil {
			return nil, fmt.Errorf("gokeepalived binary not found (-gokeepalived %q; run make build, or use -only keepalived): %w", o.gokeepalived, err)
		}
		ps = append(ps, program{name: "gokeepalived", path: p})
	}
	if o.only != "gokeepalived" {
		p, err := exec.LookPath(o.keepalived)
		if err != nil {
			return nil, fmt.Errorf("keepalived not found (-keepalived %q; use -only gokeepalived to skip it): %w", o.keepalived, err)
		}
		ps = append(ps, program{name: "keepalived", path: p})
	}
	return ps, nil
}

// parseSizes parses a comma-separated list of positive instance counts.
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' }) {
		var n int
		if _, err := fmt.Sscanf(f, "%d", &n); err != nil || n < 1 || n > maxInstances {
			return nil, fmt.Errorf("instance count %q: want 1-%d", f, maxInstances)
		}
		sizes = append(sizes, n)
	}
	if len(sizes) == 0 {
		return nil, errors.New("no instance counts")
	}
	return sizes, nil
}
