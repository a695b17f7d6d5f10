package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// sizeParams returns the configuration measured for a size: n instances,
// one vrrp_script per 10 of them, -per-iface instances per interface.
func (o options) sizeParams(n int) genParams {
	return genParams{Instances: n, Scripts: max(1, n/10), PerIface: o.gen.PerIface}
}

// runsFor returns the runs of each checker at n instances: -size-runs up to
// 10,000 instances, proportionally fewer above (at least one), so that the
// largest sizes, where keepalived takes longest, do not dominate the run.
func (o options) runsFor(n int) int {
	if n <= 10000 {
		return o.sizeRuns
	}
	return max(1, int(math.Round(float64(o.sizeRuns)*10000/float64(n))))
}

// sizeResult is what was measured at one size.
type sizeResult struct {
	gen  genParams
	rows []row // one per checker, baseline left out
}

// measureSizes measures the checkers at each of o.sizes, smallest first, and
// prints the sizes table.
func measureSizes(ctx context.Context, out io.Writer, l *lab, cs []checker, dir string, o options) error {
	fmt.Fprintf(out, "\nsizes: 1 vrrp_script per 10 instances, %d instances per interface, runs %s, cap %v per run\n",
		o.gen.PerIface, runsText(o), o.limit)
	var results []sizeResult
	for _, n := range o.sizes {
		g := o.sizeParams(n)
		conf := filepath.Join(dir, fmt.Sprintf("sizes-%d.conf", n))
		if err := writeConfigFile(conf, g); err != nil {
			return err
		}
		rows, err := measureAll(ctx, l, cs, conf, dir, o.runsFor(n), o.limit)
		os.Remove(conf)
		if err != nil {
			return err
		}
		results = append(results, sizeResult{gen: g, rows: rows[1:]})
		fmt.Fprintf(out, "  %d instances: %s\n", n, progressText(rows[1:], o.limit))
	}
	fmt.Fprintln(out)
	printSizes(out, results, o.limit)
	return nil
}

// runsText describes the runs per size.
func runsText(o options) string {
	var parts []string
	for _, n := range o.sizes {
		parts = append(parts, fmt.Sprintf("%d at %d", o.runsFor(n), n))
	}
	return strings.Join(parts, ", ")
}

// progressText is the line printed as each size is done.
func progressText(rows []row, limit time.Duration) string {
	var parts []string
	for _, r := range rows {
		s := summarise(r, limit)
		parts = append(parts, fmt.Sprintf("%s %s", r.name, s.wallText()))
	}
	return strings.Join(parts, ", ")
}

// summary is the medians of one checker's runs at one size.
type summary struct {
	wall   time.Duration
	rss    int64 // KiB
	exits  string
	capped int // runs killed at the cap
	runs   int
	limit  time.Duration // the cap
}

func summarise(r row, limit time.Duration) summary {
	var walls []time.Duration
	var rss []int64
	var codes []string
	s := summary{runs: len(r.samples), limit: limit}
	for _, x := range r.samples {
		walls = append(walls, x.wall)
		rss = append(rss, x.maxRSS)
		if x.capped {
			s.capped++
			codes = append(codes, "killed")
			continue
		}
		codes = append(codes, fmt.Sprint(x.exit))
	}
	slices.Sort(codes)
	s.wall, s.rss, s.exits = median(walls), median(rss), strings.Join(slices.Compact(codes), ",")
	return s
}

// over reports whether the median run hit the cap.
func (s summary) over() bool { return s.capped*2 > s.runs }

func (s summary) wallText() string {
	if s.over() {
		return "> " + durText(s.limit) + " (over the cap)"
	}
	return durText(s.wall)
}

func durText(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// rssText is the median peak RSS, unknown when the median run was killed.
func (s summary) rssText() string {
	if s.over() {
		return "-"
	}
	return fmt.Sprintf("%.1f MiB", float64(s.rss)/1024)
}

// perInstance is the median wall time divided by the instances, in µs.
func (s summary) perInstance(n int) string {
	if s.over() {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(s.wall.Microseconds())/float64(n))
}

// marginal is the wall time each instance added since the previous size,
// in µs: constant when the time grows linearly.
func marginal(cur, prev summary, n, prevN int) string {
	if cur.over() || prev.over() {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64((cur.wall-prev.wall).Microseconds())/float64(n-prevN))
}

// printSizes writes the sizes table in Markdown, one row per size and
// checker: median wall time, median peak RSS, exit codes, time per instance
// and the time each instance added since the previous size, and on
// gokeepalived's row its wall time and RSS over keepalived's.
func printSizes(w io.Writer, results []sizeResult, limit time.Duration) {
	fmt.Fprintln(w, "| instances | program | runs | wall (median) | peak RSS (median) | exit | µs per instance | marginal µs per instance | wall / keepalived | RSS / keepalived |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	var prev []summary
	prevN := 0
	for _, res := range results {
		n := res.gen.Instances
		cur := make([]summary, len(res.rows))
		var ka *summary
		for i, r := range res.rows {
			s := summarise(r, limit)
			cur[i] = s
			m := "-"
			if prev != nil {
				m = marginal(s, prev[i], n, prevN)
			}
			wr, rr := "", ""
			switch {
			case r.name == "keepalived":
				ka = &cur[i]
			case r.name == "gokeepalived" && ka != nil:
				wr, rr = ratios(s, *ka)
			}
			fmt.Fprintf(w, "| %d | %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", n, r.name, s.runs,
				s.wallText(), s.rssText(), s.exits, s.perInstance(n), m, wr, rr)
		}
		prev, prevN = cur, n
	}
}

// ratios returns gokeepalived's wall time and peak RSS over keepalived's.
func ratios(g, k summary) (wall, rss string) {
	switch {
	case g.over():
		wall = "-"
	case k.over():
		wall = fmt.Sprintf("< %.3f", g.wall.Seconds()/k.limit.Seconds())
	default:
		wall = fmt.Sprintf("%.3f", g.wall.Seconds()/k.wall.Seconds())
	}
	if g.over() || k.over() {
		return wall, "-"
	}
	return wall, fmt.Sprintf("%.2f", float64(g.rss)/float64(k.rss))
}
