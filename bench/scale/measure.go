package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// settle is waited after start before the window: past the second burst of
// gratuitous ARPs (garp_master_delay, 5 s).
const settle = 6 * time.Second

// row is one case measured with one program.
type row struct {
	c              scaleCase
	prog           string
	toBackup       time.Duration // start until all of B's instances are BACKUP
	toVIPs         time.Duration // start until all VIPs are on A
	changes        int           // B's transitions in the window
	maxVIPsB       int           // most VIPs B held at a poll in the window
	endVIPsB       int           // VIPs B held at the end of the window
	txPerSec       float64       // packets A sent per second in the window
	cpuA, cpuB     float64       // % of one core in the window
	rssA, hwmA     int64         // KiB at the end of the window
	rssB, hwmB     int64
	takeover       time.Duration // SIGTERM of A until B holds every VIP
	stopB          time.Duration // SIGTERM of B until it exited
	skew, duePerSc float64
}

// daemon is one running daemon and its log.
type daemon struct {
	p *nstest.Process
}

// count counts the lines of the daemon's output that contain s.
func (d daemon) count(s string) int { return strings.Count(d.p.Output(), s) }

// runCase runs case c with program p in a fresh lab.
func runCase(ctx context.Context, c scaleCase, p program, o options, out string) (r row, err error) {
	r = row{c: c, prog: p.name, duePerSc: float64(c.n) / c.every.Seconds()}
	r.skew = (256.0 - 100) / 256 * c.every.Seconds() * 1000
	l, err := newLab(ctx, c.n)
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, l.Close()) }()
	dir, err := os.MkdirTemp(out, fmt.Sprintf("%s-%s-", c.name, p.name))
	if err != nil {
		return r, err
	}
	start := func(ns *nstest.Netns, host string, b bool) (daemon, error) {
		path := filepath.Join(dir, host+".conf")
		if err := os.WriteFile(path, []byte(conf(c, b)), 0o644); err != nil {
			return daemon{}, err
		}
		args := p.args(path)
		for i, a := range args {
			args[i] = strings.NewReplacer("{host}", host, "{dir}", dir).Replace(a)
		}
		proc, err := ns.StartProcess(p.path, args...)
		return daemon{proc}, err
	}
	t0 := time.Now()
	a, err := start(l.a, "A", false)
	if err != nil {
		return r, err
	}
	b, err := start(l.b, "B", true)
	if err != nil {
		return r, err
	}
	defer func() { // Keep the logs for a look afterwards.
		os.WriteFile(filepath.Join(dir, "A.log"), []byte(a.p.Output()), 0o644)
		os.WriteFile(filepath.Join(dir, "B.log"), []byte(b.p.Output()), 0o644)
	}()
	procs := []*nstest.Process{a.p, b.p}
	limit := 30*time.Second + time.Duration(c.n)*10*time.Millisecond
	backup := false
	err = wait(ctx, limit, 20*time.Millisecond, procs, func() (bool, string, error) {
		if !backup && b.count("Entering BACKUP STATE") >= c.n {
			backup, r.toBackup = true, time.Since(t0)
		}
		n, err := vips(ctx, l.a)
		if err == nil && n == c.n && r.toVIPs == 0 {
			r.toVIPs = time.Since(t0)
		}
		return backup && r.toVIPs > 0, fmt.Sprintf("%d VIPs on A, B BACKUP: %v", n, backup), err
	})
	if err != nil {
		return r, err
	}
	if err := pause(ctx, settle, procs); err != nil {
		return r, err
	}
	if err := window(ctx, &r, l, a, b, o.window); err != nil {
		return r, err
	}
	return r, stopBoth(ctx, &r, l, a, b)
}

// window measures the steady window.
func window(ctx context.Context, r *row, l *lab, a, b daemon, w time.Duration) error {
	ua0, err1 := measure(a.p.Pid)
	ub0, err2 := measure(b.p.Pid)
	tx0, err3 := txPackets(ctx, l.a)
	if err := errors.Join(err1, err2, err3); err != nil {
		return err
	}
	ch0 := b.count("Entering ")
	t0 := time.Now()
	err := wait(ctx, w+time.Minute, 200*time.Millisecond, []*nstest.Process{a.p, b.p}, func() (bool, string, error) {
		n, err := vips(ctx, l.b)
		r.maxVIPsB = max(r.maxVIPsB, n)
		return time.Since(t0) >= w, "", err
	})
	if err != nil {
		return err
	}
	el := time.Since(t0)
	ua1, err1 := measure(a.p.Pid)
	ub1, err2 := measure(b.p.Pid)
	tx1, err3 := txPackets(ctx, l.a)
	n, err4 := vips(ctx, l.b)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	r.changes = b.count("Entering ") - ch0
	r.endVIPsB = n
	r.txPerSec = float64(tx1-tx0) / el.Seconds()
	r.cpuA = 100 * (ua1.cpu - ua0.cpu).Seconds() / el.Seconds()
	r.cpuB = 100 * (ub1.cpu - ub0.cpu).Seconds() / el.Seconds()
	r.rssA, r.hwmA, r.rssB, r.hwmB = ua1.rssKiB, ua1.hwmKiB, ub1.rssKiB, ub1.hwmKiB
	return nil
}

// stopBoth ends A with SIGTERM, times B's takeover of every VIP, then ends
// B and times its exit.
func stopBoth(ctx context.Context, r *row, l *lab, a, b daemon) error {
	t0 := time.Now()
	if err := a.p.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	err := wait(ctx, time.Minute, 20*time.Millisecond, []*nstest.Process{b.p}, func() (bool, string, error) {
		n, err := vips(ctx, l.b)
		return n == r.c.n, fmt.Sprintf("%d of %d VIPs on B", n, r.c.n), err
	})
	if err != nil {
		return err
	}
	r.takeover = time.Since(t0)
	if _, err := a.p.Wait(time.Minute); err != nil && !isExit(err) {
		return err
	}
	t1 := time.Now()
	if err := b.p.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	if _, err := b.p.Wait(time.Minute); err != nil && !isExit(err) {
		return err
	}
	r.stopB = time.Since(t1)
	return nil
}

// isExit reports whether err is only a non-zero exit.
func isExit(err error) bool {
	var ee interface{ ExitCode() int }
	return errors.As(err, &ee)
}

// wait polls cond every every until it holds, failing after timeout, when
// ctx ends or when one of procs exits.
func wait(ctx context.Context, timeout, every time.Duration, procs []*nstest.Process, cond func() (bool, string, error)) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, what, err := cond()
		switch {
		case err != nil:
			return err
		case ok:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("timed out after %v: %s", timeout, what)
		}
		last = what
		for _, p := range procs {
			select {
			case <-p.Exited():
				return fmt.Errorf("%s exited (%s)\n%s", p.Name, last, tail(p.Output()))
			default:
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// pause waits d, failing early if a process exits.
func pause(ctx context.Context, d time.Duration, procs []*nstest.Process) error {
	end := time.Now().Add(d)
	return wait(ctx, d+time.Minute, 100*time.Millisecond, procs, func() (bool, string, error) { return !time.Now().Before(end), "", nil })
}

// tail returns the last lines of a log.
func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// tsvHeader names the TSV's columns.
const tsvHeader = "case\tprogram\tinstances\tto_backup_s\tto_vips_s\tbackup_changes\tbackup_vips_max\tbackup_vips_end\t" +
	"adverts_per_s\tadverts_due_per_s\tcpu_a_pct\tcpu_b_pct\trss_a_kib\thwm_a_kib\trss_b_kib\thwm_b_kib\ttakeover_ms\tskew_ms\tstop_b_ms"

// tsv returns the row as a TSV line.
func (r row) tsv() string {
	return fmt.Sprintf("%s\t%s\t%d\t%.3f\t%.3f\t%d\t%d\t%d\t%.0f\t%.0f\t%.1f\t%.1f\t%d\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f",
		r.c.name, r.prog, r.c.n, r.toBackup.Seconds(), r.toVIPs.Seconds(), r.changes, r.maxVIPsB, r.endVIPsB,
		r.txPerSec, r.duePerSc, r.cpuA, r.cpuB, r.rssA, r.hwmA, r.rssB, r.hwmB,
		ms(r.takeover), r.skew, ms(r.stopB))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// markdown renders the rows, each case's programs side by side.
func markdown(rows []row, w time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n| case | program | all BACKUP | all VIPs on A | B changes (%v) | VIPs on B max/end | adverts/s (%% of due) | CPU A / B | RSS A / peak | RSS B / peak | takeover (floor) | B stop |\n", w)
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %.2f s | %.2f s | %d | %d / %d | %.0f (%.1f %%) | %.1f %% / %.1f %% | %.1f / %.1f MB | %.1f / %.1f MB | %.0f ms (%.0f) | %.0f ms |\n",
			r.c.name, r.prog, r.toBackup.Seconds(), r.toVIPs.Seconds(), r.changes, r.maxVIPsB, r.endVIPsB,
			r.txPerSec, 100*r.txPerSec/r.duePerSc, r.cpuA, r.cpuB,
			mb(r.rssA), mb(r.hwmA), mb(r.rssB), mb(r.hwmB), ms(r.takeover), r.skew, ms(r.stopB))
	}
	return b.String()
}

func mb(kib int64) float64 { return float64(kib) * 1024 / 1e6 }
