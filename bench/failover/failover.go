package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// Priorities of the failover lab's master and backup.
const (
	prioMaster = 150
	prioBackup = 100
)

// maxAttempts bounds how often a failover run is retried when the backup
// took the VIP before the master was signalled (a lost advert under load).
const maxAttempts = 3

// errEarlyTakeover reports that the backup became master before the signal,
// which invalidates the run.
var errEarlyTakeover = errors.New("backup took the VIP before the master was signalled")

// foCase is one failover configuration.
type foCase struct {
	name       string
	version    int           // VRRP version
	advert     time.Duration // advert_int
	advertConf string        // advert_int as written in the configuration
}

// failoverCases returns the configurations measured.
func failoverCases() []foCase {
	return []foCase{
		{name: "VRRPv2 advert_int 1", version: 2, advert: time.Second, advertConf: "1"},
		{name: "VRRPv3 advert_int 0.05", version: 3, advert: 50 * time.Millisecond, advertConf: "0.05"},
	}
}

// skew returns Skew_Time for priority prio: (256-prio)/256 s for VRRPv2
// (RFC 3768 §6.1), (256-prio)×Master_Adver_Interval/256 for VRRPv3
// (RFC 5798 §6.1). With advert_int 1 the two agree.
func (c foCase) skew(prio int) time.Duration {
	return time.Duration(256-prio) * c.advert / 256
}

// mdi returns Master_Down_Interval for priority prio: 3 × the advert
// interval + Skew_Time.
func (c foCase) mdi(prio int) time.Duration { return 3*c.advert + c.skew(prio) }

// conf returns a configuration with one instance on eth0.
func (c foCase) conf(router, state string, prio int) string {
	version := ""
	if c.version == 3 {
		version = "    version 3\n"
	}
	return fmt.Sprintf(`global_defs {
    router_id %s
}

vrrp_instance VI_1 {
    state %s
    interface eth0
    virtual_router_id 51
    priority %d
    advert_int %s
%s    virtual_ipaddress {
        %s/24 dev eth0
    }
}
`, router, state, prio, c.advertConf, version, vipFo)
}

// foSample is one failover.
type foSample struct {
	killToVIP time.Duration // signal to RTM_NEWADDR of the VIP on the backup
	refToVIP  time.Duration // reference advert to the VIP; valid if hasRef
	killToRef time.Duration // signal to the reference advert; negative for SIGKILL
	hasRef    bool
}

// foResult collects the samples of one case, signal and program.
type foResult struct {
	c       foCase
	sig     syscall.Signal
	prog    program
	samples []foSample
	retries int // runs repeated after errEarlyTakeover
}

// measureFailovers runs every case, signal and program runs times,
// interleaved so that drift in machine load spreads evenly.
func measureFailovers(ctx context.Context, o options, progs []program, dir string, out io.Writer) ([]*foResult, error) {
	var results []*foResult
	for _, c := range failoverCases() {
		for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
			for _, p := range progs {
				results = append(results, &foResult{c: c, sig: sig, prog: p})
			}
		}
	}
	for run := range o.runs {
		// Results are ordered case, signal, program: run them in that order,
		// one run each per round.
		for i, r := range results {
			phase := r.c.advert * time.Duration(2*run+1) / time.Duration(2*o.runs)
			showLogs := o.verbose && run == 0 && i < len(progs) // first case and signal
			s, err := failoverWithRetries(ctx, r, phase, dir, showLogs, out)
			if err != nil {
				return results, fmt.Errorf("%s, %s, %s, run %d: %w", r.prog.name, r.c.name, sigName(r.sig), run+1, err)
			}
			r.samples = append(r.samples, s)
			if o.verbose {
				fmt.Fprintf(out, "  %-22s %-7s %-12s run %d: kill→VIP %s ms, %s→VIP %s\n", r.c.name, sigName(r.sig), r.prog.name,
					run+1, ms(s.killToVIP), refName(r.sig), refText(s))
			}
		}
	}
	return results, nil
}

// failoverWithRetries runs one failover, repeating it when the backup took
// over before the signal.
func failoverWithRetries(ctx context.Context, r *foResult, phase time.Duration, dir string, showLogs bool, out io.Writer) (foSample, error) {
	for attempt := 1; ; attempt++ {
		s, err := failoverOnce(ctx, r.prog, r.c, r.sig, phase, dir, showLogs, out)
		if !errors.Is(err, errEarlyTakeover) || attempt == maxAttempts {
			return s, err
		}
		r.retries++
		first, _, _ := strings.Cut(err.Error(), "\n") // Without the logs.
		fmt.Fprintf(out, "  (%s, %s, %s: %s; repeating the run)\n", r.prog.name, r.c.name, sigName(r.sig), first)
	}
}

// failoverOnce builds a fresh lab, starts the master and then the backup,
// signals the master phase after one of its adverts and measures the
// takeover.
func failoverOnce(ctx context.Context, p program, c foCase, sig syscall.Signal, phase time.Duration, dir string, showLogs bool, out io.Writer) (s foSample, err error) {
	lab, err := newFailLab(ctx)
	if err != nil {
		return s, err
	}
	defer func() { err = errors.Join(err, lab.Close()) }()
	rd, err := runDir(dir, fmt.Sprintf("%s-v%d-", p.name, c.version))
	if err != nil {
		return s, err
	}
	capt, err := startCapture(ctx, lab.b, "eth0")
	if err != nil {
		return s, err
	}
	a, err := startDaemon(lab.a, p, filepath.Join(rd, "a.conf"), c.conf("bench_a", "MASTER", prioMaster))
	if err != nil {
		return s, err
	}
	err = waitUntil(ctx, 20*time.Second, 10*time.Millisecond, "the master to hold the VIP", []*nstest.Process{a},
		func() (bool, string) { return hasAddr(lab.a, "eth0", vipFo) })
	if err != nil {
		return s, err
	}
	w, err := watchAddrs(lab.b.Path())
	if err != nil {
		return s, err
	}
	defer w.Close()
	b, err := startDaemon(lab.b, p, filepath.Join(rd, "b.conf"), c.conf("bench_b", "BACKUP", prioBackup))
	if err != nil {
		return s, err
	}
	both := []*nstest.Process{a, b}
	if err := waitBackup(ctx, c, capt, both); err != nil {
		return s, err
	}
	if err := waitPhase(ctx, capt, phase); err != nil {
		return s, err
	}
	vip := netip.MustParseAddr(vipFo)
	if w.seen(vip) {
		return s, fmt.Errorf("%w%s", errEarlyTakeover, logs(both...))
	}

	t0 := time.Now()
	if sig == syscall.SIGKILL {
		// The whole process group, so that keepalived's VRRP child dies
		// with its parent as in a crash. The group id is a's pid, which
		// stays ours until a is reaped.
		err = syscall.Kill(-a.Pid, syscall.SIGKILL)
	} else {
		err = a.Signal(sig)
	}
	if err != nil {
		return s, fmt.Errorf("signal the master: %w", err)
	}
	tVIP, err := w.waitAdded(ctx, vip, c.mdi(prioBackup)+5*time.Second)
	if err != nil && ctx.Err() != nil {
		return s, fmt.Errorf("interrupted: %w", err)
	}
	if err != nil {
		return s, fmt.Errorf("backup takeover after %s: %w%s", sigName(sig), err, logs(both...))
	}
	if tVIP.Before(t0) {
		return s, fmt.Errorf("%w%s", errEarlyTakeover, logs(both...))
	}
	capt.stop()
	if showLogs {
		fmt.Fprintf(out, "  -- logs of the first %s %s %s run:%s\n", p.name, c.name, sigName(sig), logs(a, b))
	}
	return sampleFrom(t0, tVIP, sig, capt.adverts()), nil
}

// waitBackup waits until the backup has entered BACKUP and the capture has
// seen two more adverts from the master, so that the backup has learnt the
// master and its timer runs from the master's adverts.
func waitBackup(ctx context.Context, c foCase, capt *capture, both []*nstest.Process) error {
	b := both[1]
	err := waitUntil(ctx, 20*time.Second, 10*time.Millisecond, "the backup to enter BACKUP", both, func() (bool, string) {
		return strings.Contains(b.Output(), "Entering BACKUP STATE"), "no BACKUP line in the backup's log yet"
	})
	if err != nil {
		return err
	}
	n0 := capt.count(addrA)
	return waitUntil(ctx, 5*c.advert+5*time.Second, 5*time.Millisecond, "two adverts from the master after the backup started", both,
		func() (bool, string) {
			n := capt.count(addrA)
			return n >= n0+2, fmt.Sprintf("%d adverts from %s captured, want %d", n, addrA, n0+2)
		})
}

// waitPhase waits until phase has passed since the last advert from the
// master the capture holds. Spreading the phase over the runs spreads the
// signal over the advert interval, as a real failure would fall; without it
// the signal would always follow an advert by a few milliseconds.
func waitPhase(ctx context.Context, capt *capture, phase time.Duration) error {
	var last time.Time
	for _, a := range capt.adverts() {
		if a.src == addrA {
			last = a.at
		}
	}
	d := time.Until(last.Add(phase))
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d) // A chosen delay, not a wait for a condition.
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("before the signal: %w", ctx.Err())
	}
}

// sampleFrom computes a sample from the signal time, the VIP time and the
// adverts the backup received. The reference advert is, after SIGKILL, the
// last advert from the master; after SIGTERM, the master's first priority-0
// advert.
func sampleFrom(t0, tVIP time.Time, sig syscall.Signal, ads []advert) foSample {
	s := foSample{killToVIP: tVIP.Sub(t0)}
	var ref advert
	for _, a := range ads {
		if a.src != addrA || !a.at.Before(tVIP) {
			continue
		}
		if sig == syscall.SIGKILL && a.prio > 0 {
			ref, s.hasRef = a, true
		}
		if sig != syscall.SIGKILL && a.prio == 0 && !s.hasRef {
			ref, s.hasRef = a, true
		}
	}
	if s.hasRef {
		// ref.at has no monotonic reading, so these use the wall clock,
		// as tcpdump's kernel timestamps do.
		s.refToVIP = tVIP.Sub(ref.at)
		s.killToRef = ref.at.Sub(t0)
	}
	return s
}
