// Command scrape counts, for gokeepalived and Debian's keepalived in the same
// run, how often an exporter's scrape reports a dump older than the scrape:
// it does what mehdy/keepalived-exporter does (internal/exportertest: signal
// the pid in the pidfile, read /tmp/keepalived.{data,stats} or
// keepalived.json at once, try again only on a missing or unparsable file)
// against each daemon and prints a table of the stale scrapes beside the
// retries and failures.
//
// Each daemon runs exportertest.LabConfig (two instances, two vrrp_scripts)
// in a namespace of its own, with its own pidfiles and $TMPDIR, and is
// started, probed (-v, --version, --signum) and scraped through a command
// named keepalived: Debian's, or a link to gokeepalived as the
// gokeepalived-compat package installs it. Once a scrape shows the instances
// and scripts settled, each round does one text scrape and one JSON scrape,
// each after every dump asked for so far has been written. A scrape is stale
// when a file it took its values from was there before its first signal
// (told by inode); short when it parsed but reported fewer instances or
// scripts than configured.
//
// It must run as root. Namespaces and processes are removed on every exit
// path, SIGINT included. With the defaults it takes about 20 seconds.
// Usage:
//
//	go run ./bench/scrape -gokeepalived ./bin/gokeepalived
//	go run ./bench/scrape -rounds 100 -only gokeepalived
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
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/exportertest"
)

// Exit codes of this program.
const (
	exitOK    = 0
	exitError = 1 // setup failed or a daemon failed
	exitUsage = 2
)

// options holds the command-line flags.
type options struct {
	rounds       int
	interval     time.Duration
	keepalived   string
	gokeepalived string
	only         string // "", "keepalived" or "gokeepalived"
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(exitOK)
		}
		fmt.Fprintf(os.Stderr, "scrape: %v\n", err)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, o, os.Stdout)
	stop()
	os.Exit(code)
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("scrape", flag.ContinueOnError)
	fs.IntVar(&o.rounds, "rounds", 20, "rounds per daemon, each one text scrape and one JSON scrape")
	fs.DurationVar(&o.interval, "interval", 1100*time.Millisecond, "the scrape interval: from a scrape's dumps to the daemon's next scrape in the same mode")
	fs.StringVar(&o.keepalived, "keepalived", "keepalived", "path of keepalived")
	fs.StringVar(&o.gokeepalived, "gokeepalived", "./bin/gokeepalived", "path of gokeepalived")
	fs.StringVar(&o.only, "only", "", "run only this program: keepalived or gokeepalived")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.rounds < 1:
		return o, errors.New("-rounds must be positive")
	case o.interval < 0:
		return o, errors.New("-interval must not be negative")
	case o.only != "" && o.only != "keepalived" && o.only != "gokeepalived":
		return o, fmt.Errorf("-only %q: want keepalived or gokeepalived", o.only)
	}
	return o, nil
}

// row is one line of the table.
type row struct {
	daemon string
	mode   exportertest.Mode
	tally  exportertest.Tally
}

func run(ctx context.Context, o options, out io.Writer) int {
	if os.Geteuid() != 0 {
		fmt.Fprintf(os.Stderr, "scrape: needs root for network namespaces (euid %d)\n", os.Geteuid())
		return exitError
	}
	dir, err := os.MkdirTemp("", "bench-scrape-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "scrape: %v\n", err)
		return exitError
	}
	defer os.RemoveAll(dir)
	daemons, err := commands(o, dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "scrape: %v\n", err)
		return exitError
	}
	fmt.Fprintf(out, "== stale scrapes: mehdy/keepalived-exporter's scrape, %d rounds of one text and one JSON scrape per daemon, interleaved, every %v\n",
		o.rounds, o.interval)
	start := time.Now()
	ms, probes, err := measure(ctx, daemons, dir, o.rounds, o.interval)
	if err != nil {
		fmt.Fprintf(os.Stderr, "scrape: %v\n", err)
		return exitError
	}
	var rows []row
	values := map[string]string{}
	for i, d := range daemons {
		fmt.Fprintf(out, "%s: keepalived -v version %v, --enable-json %v, signals %v\n", d.Name, probes[i].Version, probes[i].JSON, probes[i].Signals)
		for _, mode := range []exportertest.Mode{exportertest.Text, exportertest.JSON} {
			rows = append(rows, row{d.Name, mode, *ms[i].Tallies[mode]})
			if rs := ms[i].Results[mode]; len(rs) > 0 {
				values[d.Name+" "+mode.String()] = exportertest.Values(rs[len(rs)-1])
			}
		}
	}
	printTable(out, rows)
	if len(daemons) == 2 {
		for _, mode := range []string{"text", "json"} {
			same := values["keepalived "+mode] == values["gokeepalived "+mode]
			fmt.Fprintf(out, "%s: the last scrapes' values are the same for both daemons: %v\n", mode, same)
			if !same {
				fmt.Fprintf(out, "keepalived:\n%sgokeepalived:\n%s", values["keepalived "+mode], values["gokeepalived "+mode])
			}
		}
	}
	fmt.Fprintf(out, "total time %v\n", time.Since(start).Round(time.Second))
	return exitOK
}

// commands makes, under dir, a directory per daemon holding its keepalived
// command: a link to Debian's keepalived, or gokeepalived beside a link
// keepalived -> gokeepalived, as the packages install them.
func commands(o options, dir string) ([]exportertest.Daemon, error) {
	var ds []exportertest.Daemon
	if o.only != "keepalived" {
		gk, err := filepath.Abs(o.gokeepalived)
		if err == nil {
			_, err = os.Stat(gk)
		}
		if err != nil {
			return nil, fmt.Errorf("gokeepalived binary not found (-gokeepalived %q; run make build, or use -only keepalived): %w", o.gokeepalived, err)
		}
		bin := filepath.Join(dir, "gokeepalived", "sbin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return nil, err
		}
		if err := errors.Join(os.Symlink(gk, filepath.Join(bin, "gokeepalived")),
			os.Symlink("gokeepalived", filepath.Join(bin, "keepalived"))); err != nil {
			return nil, err
		}
		ds = append(ds, exportertest.Daemon{Name: "gokeepalived", Bin: bin})
	}
	if o.only != "gokeepalived" {
		ka, err := exec.LookPath(o.keepalived)
		if err == nil {
			ka, err = filepath.Abs(ka)
		}
		if err != nil {
			return nil, fmt.Errorf("keepalived not found (-keepalived %q; use -only gokeepalived to skip it): %w", o.keepalived, err)
		}
		bin := filepath.Join(dir, "keepalived", "sbin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return nil, err
		}
		if err := os.Symlink(ka, filepath.Join(bin, "keepalived")); err != nil {
			return nil, err
		}
		ds = append(ds, exportertest.Daemon{Name: "keepalived", Bin: bin})
	}
	return ds, nil
}

// measure runs the daemons, each in its own namespace under dir, probes
// their commands and scrapes them.
func measure(ctx context.Context, daemons []exportertest.Daemon, dir string, rounds int, interval time.Duration) ([]*exportertest.Measurement, []exportertest.Probe, error) {
	setup, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var hosts []*exportertest.Host
	var probes []exportertest.Probe
	defer func() {
		for _, h := range hosts {
			h.Close()
		}
	}()
	for _, d := range daemons {
		hdir := filepath.Join(dir, d.Name)
		if err := os.MkdirAll(hdir, 0o755); err != nil {
			return nil, nil, err
		}
		h, err := exportertest.StartHost(setup, d, hdir)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		hosts = append(hosts, h)
		p, err := exportertest.RunProbe(ctx, h.Path(), true)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", d.Name, err)
		}
		probes = append(probes, p)
	}
	ms, err := exportertest.Measure(ctx, hosts, probes, rounds, interval)
	return ms, probes, err
}

func printTable(out io.Writer, rows []row) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "daemon\tmode\tscrapes\tstale\tshort\tfailed\tretried\tattempts\tmissing\tunparsable\tstale reads\tcoalesced")
	for _, r := range rows {
		t := r.tally
		reads := ""
		for _, f := range r.mode.Files() {
			if reads != "" {
				reads += " "
			}
			reads += fmt.Sprintf("%s:%d", filepath.Ext(f)[1:], t.StaleFiles[f])
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\n", r.daemon, r.mode, t.Scrapes, t.Stale, t.Short,
			t.Failed, t.Retried, t.Attempts, t.Missing, t.Unparsable, reads, t.Coalesced)
	}
	tw.Flush()
}
