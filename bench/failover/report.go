package main

import (
	"fmt"
	"io"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"
)

// ms renders d in milliseconds with one decimal.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

// sigName returns "SIGKILL" or "SIGTERM".
func sigName(sig syscall.Signal) string {
	if sig == syscall.SIGKILL {
		return "SIGKILL"
	}
	return "SIGTERM"
}

// refName names the reference advert of a signal.
func refName(sig syscall.Signal) string {
	if sig == syscall.SIGKILL {
		return "last advert"
	}
	return "prio-0 advert"
}

// refText renders a sample's reference-to-VIP time, or "-" when tcpdump
// did not see the reference advert.
func refText(s foSample) string {
	if !s.hasRef {
		return "-"
	}
	return ms(s.refToVIP) + " ms"
}

// floor returns the RFC's lower bound for the reference-to-VIP time: the
// backup's Master_Down_Interval after the master's last advert (SIGKILL), or
// its Skew_Time after the priority-0 advert (SIGTERM).
func floor(c foCase, sig syscall.Signal) (string, time.Duration) {
	if sig == syscall.SIGKILL {
		return "MDI", c.mdi(prioBackup)
	}
	return "Skew", c.skew(prioBackup)
}

// stats returns the median, minimum and maximum of ds.
func stats(ds []time.Duration) (med, lo, hi time.Duration) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	med = s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return med, s[0], s[len(s)-1]
}

// printFailover writes the failover table and its legend.
func printFailover(w io.Writer, results []*foResult) {
	if !slices.ContainsFunc(results, func(r *foResult) bool { return len(r.samples) > 0 }) {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\t\t\t\tkill→VIP (ms)\t\t\t\tref→VIP (ms)\t\t\tRFC floor\t\tmedian\tkill→ref\t\t")
	fmt.Fprintln(tw, "case\tsignal\tprogram\truns\tmedian\tmin\tmax\treference\tmedian\tmin\tmax\t\t(ms)\t−floor\tmedian\tretried\t")
	for _, r := range results {
		if len(r.samples) == 0 {
			continue
		}
		var kill, ref, killRef []time.Duration
		for _, s := range r.samples {
			kill = append(kill, s.killToVIP)
			if s.hasRef {
				ref = append(ref, s.refToVIP)
				killRef = append(killRef, s.killToRef)
			}
		}
		km, kl, kh := stats(kill)
		fname, f := floor(r.c, r.sig)
		refCols := "-\t-\t-\t"
		over, kr := "-", "-"
		if len(ref) > 0 {
			rm, rl, rh := stats(ref)
			refCols = fmt.Sprintf("%s\t%s\t%s\t", ms(rm), ms(rl), ms(rh))
			over = ms(rm - f)
			krm, _, _ := stats(killRef)
			kr = ms(krm)
		}
		refLabel := refName(r.sig)
		if len(ref) < len(r.samples) {
			refLabel += fmt.Sprintf(" (%d seen)", len(ref))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s%s\t%s\t%s\t%s\t%d\t\n",
			r.c.name, sigName(r.sig), r.prog.name, len(r.samples), ms(km), ms(kl), ms(kh),
			refLabel, refCols, fname, ms(f), over, kr, r.retries)
	}
	tw.Flush()
	fmt.Fprintln(w, `
kill→VIP: from just before the signal to the RTM_NEWADDR of the VIP read in the backup's namespace.
ref→VIP: from the reference advert (kernel receive time in the backup's namespace, tcpdump -tt) to the VIP:
  SIGKILL: the master's last advert; floor Master_Down_Interval = 3×advert_int + Skew_Time. Run i of n kills
           (2i+1)/2n of an interval after an advert, so kill→VIP spreads between MDI−advert_int and MDI.
  SIGTERM: the master's priority-0 advert; floor Skew_Time = (256−priority)×advert_int/256 (priority 100).
kill→ref: for SIGTERM the master's time from the signal to its priority-0 advert; for SIGKILL how long before
  the kill the last advert arrived (negative). retried: runs repeated because the backup took over before the signal.
SIGKILL goes to the master's process group (keepalived's parent and VRRP child die together, as in a crash);
SIGTERM goes to the main process, as a service manager sends it.`)
}

// printResources writes the resource table.
func printResources(w io.Writer, rows []resRow) {
	if len(rows) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "program\tinstances\tifaces\tall MASTER\tstartup CPU\tCPU in window\tCPU\ton-CPU\ttx pkts/s\tVmRSS\tVmHWM\tprocs\t")
	fmt.Fprintln(tw, "\t\t\tafter (s)\t(ms)\t(ms)\t(% of 1 core)\t(ms)\t\t(MiB)\t(MiB)\t\t")
	for _, r := range rows {
		pct := 100 * r.windowCPU.Seconds() / r.window.Seconds()
		run := "-" // A thread exited during the window: schedstat forgot it.
		if r.windowRun >= 0 {
			run = ms(r.windowRun)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%s\t%s\t%.2f\t%s\t%.0f\t%.1f\t%.1f\t%d\t\n",
			r.prog, r.instances, ifaceCount(r.instances), r.toMaster.Seconds(), ms(r.startupCPU), ms(r.windowCPU),
			pct, run, r.txPerSec, float64(r.rssKiB)/1024, float64(r.hwmKiB)/1024, r.procs)
	}
	tw.Flush()
	fmt.Fprintf(w, `
CPU: utime+stime from /proc/PID/stat (%d ticks/s), summed over the daemon's processes (keepalived: parent and
  VRRP child). startup CPU: until all VIPs were present. CPU in window: over the window, which opens %v
  after all VIPs are present (past the second GARP burst). on-CPU: the same window from
  /proc/PID/task/*/schedstat (nanoseconds, live threads only), finer than the 10 ms ticks of utime+stime.
VmRSS, VmHWM: from /proc/PID/status at the end of the window, summed likewise.
tx pkts/s: packets sent on the lab's interfaces during the window (adverts; nothing answers them).
all MASTER after: from starting the daemon to all VIPs present (polled every 100 ms).
`, 100, settle) // USER_HZ
}
