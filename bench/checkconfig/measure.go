package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// sample is one run of a checker.
type sample struct {
	wall   time.Duration
	maxRSS int64 // KiB, from the child's rusage
	exit   int   // exit code, or -1 if killed by a signal
	stderr string
	capped bool // killed after running for the cap
}

// row summarises the runs of one checker.
type row struct {
	name    string
	samples []sample
}

// baselineName is the row measuring `ip netns exec NS /bin/true`, the cost
// every checker run includes.
const baselineName = "baseline (ip netns exec /bin/true)"

// measureAll runs the baseline and each checker runs times, interleaved so
// that drift in machine load spreads evenly, and returns one row each. A
// checker run longer than limit (0: no limit) is killed and recorded as
// capped.
func measureAll(ctx context.Context, l *lab, cs []checker, conf, dir string, runs int, limit time.Duration) ([]row, error) {
	rows := make([]row, len(cs)+1)
	rows[0].name = baselineName
	for i, c := range cs {
		rows[i+1].name = c.name
	}
	for range runs {
		s, err := measure(ctx, l, "/bin/true", nil, 0)
		if err != nil {
			return rows, err
		}
		rows[0].samples = append(rows[0].samples, s)
		for i, c := range cs {
			args := []string{"-t", "-f", conf}
			if c.extra != nil {
				args = append(args, c.extra(dir)...)
			}
			s, err := measure(ctx, l, c.path, args, limit)
			if err != nil {
				return rows, fmt.Errorf("%s: %w", c.name, err)
			}
			rows[i+1].samples = append(rows[i+1].samples, s)
		}
	}
	return rows, nil
}

// measure runs path with args inside the lab's namespace and returns its wall
// time, peak RSS and exit code. A non-zero exit is a result, not an error;
// so is a run killed after limit (0: no limit), which is marked capped.
func measure(ctx context.Context, l *lab, path string, args []string, limit time.Duration) (sample, error) {
	runCtx, cancel := ctx, context.CancelFunc(func() {})
	if limit > 0 {
		runCtx, cancel = context.WithTimeout(ctx, limit)
	}
	defer cancel()
	var stderr bytes.Buffer
	cmd := l.host.Command(runCtx, path, args...)
	cmd.Stdout = io.Discard
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ctx.Err() != nil {
		return sample{}, fmt.Errorf("interrupted: %w", ctx.Err())
	}
	capped := runCtx.Err() != nil
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return sample{}, fmt.Errorf("run %s: %w", path, err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, errors.New("no rusage for child")
	}
	return sample{wall: wall, maxRSS: ru.Maxrss, exit: cmd.ProcessState.ExitCode(), stderr: stderr.String(), capped: capped}, nil
}

// median returns the median of xs (the mean of the middle two for an even
// count).
func median[T int64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// printTable writes the median wall time, min/max, median peak RSS, exit
// codes and stderr size of each row.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "program\truns\tmedian wall\tmin\tmax\tmedian peak RSS\texit codes\tstderr lines\t")
	for _, r := range rows {
		if len(r.samples) == 0 {
			continue
		}
		var walls []time.Duration
		var rss []int64
		var codes []string
		for _, s := range r.samples {
			walls = append(walls, s.wall)
			rss = append(rss, s.maxRSS)
			if s.capped {
				codes = append(codes, "killed at the cap")
				continue
			}
			codes = append(codes, fmt.Sprint(s.exit))
		}
		slices.Sort(walls)
		slices.Sort(codes)
		first := r.samples[0].stderr
		fmt.Fprintf(tw, "%s\t%d\t%v\t%v\t%v\t%.1f MiB\t%s\t%d\t\n", r.name, len(r.samples),
			median(walls).Round(time.Millisecond), walls[0].Round(time.Millisecond),
			walls[len(walls)-1].Round(time.Millisecond), float64(median(rss))/1024,
			strings.Join(slices.Compact(codes), ","), strings.Count(first, "\n"))
	}
	tw.Flush()
}

// printStderr writes the standard error of each row's first run.
func printStderr(w io.Writer, rows []row) {
	for _, r := range rows {
		if len(r.samples) > 0 {
			fmt.Fprintf(w, "\n--- %s: stderr of the first run (exit %d):\n%s", r.name, r.samples[0].exit, r.samples[0].stderr)
		}
	}
}
