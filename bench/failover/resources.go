package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/bench/internal/procstat"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// Sizing of the resource lab.
const (
	perIface     = 250  // instances (distinct VRIDs) per interface
	maxInstances = 2500 // ten interfaces
	// settle is waited after all VIPs are up and before the window opens,
	// so that the second burst of gratuitous ARPs (vrrp_garp_master_delay,
	// 5 s by default) falls outside it.
	settle = 6 * time.Second
)

// vipBase returns the /24 (as its first three octets) that the VIPs and
// the address of interface k come from.
func vipBase(k int) string {
	return [...]string{"192.0.2", "198.51.100", "203.0.113"}[k%3]
}

// resLab is a host namespace with interfaces eth0..ethN-1 whose veth peers
// live in a second namespace.
type resLab struct {
	host, peers *nstest.Netns
}

// ifaceCount returns how many interfaces n instances use.
func ifaceCount(n int) int { return (n + perIface - 1) / perIface }

// hostAddr returns the address of interface k: .251 upwards in its /24, so
// that it never collides with a VIP (.1 to .250).
func hostAddr(k int) string {
	return fmt.Sprintf("%s.%d/24", vipBase(k), 251+k/3)
}

// newResLab creates the namespaces and the interfaces for n instances. On
// error it removes what it made.
func newResLab(parent context.Context, n int) (l *resLab, err error) {
	l = &resLab{}
	defer func() {
		if err == nil {
			err = interrupted(parent)
		}
		if err != nil {
			err = errors.Join(err, l.Close())
		}
	}()
	ctx, cancel := setupContext(parent)
	defer cancel()
	if l.host, err = nstest.Create(ctx, "rshost"); err != nil {
		return l, fmt.Errorf("create namespace: %w", err)
	}
	if l.peers, err = nstest.Create(ctx, "rspeer"); err != nil {
		return l, fmt.Errorf("create namespace: %w", err)
	}
	for k := range ifaceCount(n) {
		if err = l.host.AddVeth(ctx, fmt.Sprintf("eth%d", k), l.peers, fmt.Sprintf("p%d", k)); err != nil {
			return l, err
		}
		if err = l.host.AddAddr(ctx, fmt.Sprintf("eth%d", k), hostAddr(k)); err != nil {
			return l, err
		}
	}
	return l, nil
}

// Close kills the processes in the lab and deletes its namespaces.
func (l *resLab) Close() error {
	var errs []error
	for _, ns := range []*nstest.Netns{l.host, l.peers} {
		if ns != nil {
			errs = append(errs, ns.Close())
		}
	}
	return errors.Join(errs...)
}

// resConf returns a configuration of n MASTER instances, VRRPv2, advert_int
// 1, one /32 VIP each. Instance i is on interface i/250 with VRID i%250+1
// and VIP .VRID in that interface's /24. Beyond 750 instances the three
// documentation /24s are exhausted, so interface 3 reuses interface 0's
// addresses (on a different interface).
func resConf(n int) string {
	var b strings.Builder
	b.WriteString("global_defs {\n    router_id bench_res\n}\n")
	for i := range n {
		k, vrid := i/perIface, i%perIface+1
		fmt.Fprintf(&b, `
vrrp_instance VI_%d {
    state MASTER
    interface eth%d
    virtual_router_id %d
    priority 150
    advert_int 1
    virtual_ipaddress {
        %s.%d/32 dev eth%d
    }
}
`, i, k, vrid, vipBase(k), vrid, k)
	}
	return b.String()
}

// resRow is one resource measurement.
type resRow struct {
	prog       string
	instances  int
	toMaster   time.Duration // start to all VIPs present
	startupCPU time.Duration // CPU used until then
	windowCPU  time.Duration // CPU used during the window (utime+stime)
	windowRun  time.Duration // on-CPU time of the live threads during the window (schedstat)
	window     time.Duration
	txPerSec   float64 // packets sent per second on the lab's interfaces in the window
	rssKiB     int64   // VmRSS at the end of the window, summed
	hwmKiB     int64   // VmHWM at the end of the window, summed
	procs      int
}

// measureResources measures every size and program o.resRuns times.
func measureResources(ctx context.Context, o options, progs []program, dir string, out io.Writer) ([]resRow, error) {
	var rows []resRow
	for _, n := range o.sizes {
		for range o.resRuns {
			for _, p := range progs {
				r, err := resourceOnce(ctx, p, n, o.window, dir)
				if err != nil {
					return rows, fmt.Errorf("%s, %d instances: %w", p.name, n, err)
				}
				rows = append(rows, r)
				if o.verbose {
					fmt.Fprintf(out, "  %-12s %4d instances: all MASTER after %s, CPU %s in %v, RSS %d KiB\n",
						p.name, n, ms(r.toMaster), ms(r.windowCPU), r.window, r.rssKiB)
				}
			}
		}
	}
	return rows, nil
}

// resourceOnce runs prog with n instances in a fresh lab and measures it.
func resourceOnce(ctx context.Context, p program, n int, window time.Duration, dir string) (r resRow, err error) {
	r = resRow{prog: p.name, instances: n, window: window}
	lab, err := newResLab(ctx, n)
	if err != nil {
		return r, err
	}
	defer func() { err = errors.Join(err, lab.Close()) }()
	rd, err := runDir(dir, fmt.Sprintf("%s-res%d-", p.name, n))
	if err != nil {
		return r, err
	}
	start := time.Now()
	d, err := startDaemon(lab.host, p, filepath.Join(rd, "res.conf"), resConf(n))
	if err != nil {
		return r, err
	}
	procs := []*nstest.Process{d}
	err = waitUntil(ctx, 60*time.Second+time.Duration(n)*50*time.Millisecond, 100*time.Millisecond,
		fmt.Sprintf("%d VIPs", n), procs, func() (bool, string) {
			got, err := countVIPs(ctx, lab.host)
			if err != nil {
				return false, err.Error()
			}
			return got == n, fmt.Sprintf("%d of %d VIPs present", got, n)
		})
	if err != nil {
		return r, err
	}
	r.toMaster = time.Since(start)
	cpu0, _, err := usage(d.Pid)
	if err != nil {
		return r, err
	}
	r.startupCPU = cpu0.cpu
	if err := pause(ctx, settle, procs); err != nil {
		return r, err
	}
	u0, _, err := usage(d.Pid)
	if err != nil {
		return r, err
	}
	tx0, err := txPackets(ctx, lab.host)
	if err != nil {
		return r, err
	}
	t0 := time.Now()
	if err := pause(ctx, window, procs); err != nil {
		return r, err
	}
	u1, nprocs, err := usage(d.Pid)
	if err != nil {
		return r, err
	}
	tx1, err := txPackets(ctx, lab.host)
	if err != nil {
		return r, err
	}
	elapsed := time.Since(t0)
	r.windowCPU = u1.cpu - u0.cpu
	r.windowRun = u1.onCPU - u0.onCPU
	r.txPerSec = float64(tx1-tx0) / elapsed.Seconds()
	r.rssKiB, r.hwmKiB, r.procs = u1.rssKiB, u1.hwmKiB, nprocs
	if got, err := countVIPs(ctx, lab.host); err != nil || got != n {
		return r, fmt.Errorf("%d of %d VIPs present at the end of the window (%v)%s", got, n, err, logs(d))
	}
	return r, nil
}

// pause waits for d, failing early if ctx ends or a process exits.
func pause(ctx context.Context, d time.Duration, procs []*nstest.Process) error {
	deadline := time.Now().Add(d)
	return waitUntil(ctx, d+time.Minute, 100*time.Millisecond, "the end of the window", procs, func() (bool, string) {
		return !time.Now().Before(deadline), ""
	})
}

// countVIPs counts the /32 IPv4 addresses in ns (the host addresses are /24).
func countVIPs(ctx context.Context, ns *nstest.Netns) (int, error) {
	out, err := ns.IP(ctx, "-4", "-o", "addr", "show")
	if err != nil {
		return 0, err
	}
	return strings.Count(string(out), "/32 "), nil
}

// txPackets sums the packets sent on the interfaces of ns.
func txPackets(ctx context.Context, ns *nstest.Netns) (uint64, error) {
	out, err := ns.IP(ctx, "-j", "-s", "link", "show")
	if err != nil {
		return 0, err
	}
	var links []struct {
		Ifname  string `json:"ifname"`
		Stats64 struct {
			TX struct {
				Packets uint64 `json:"packets"`
			} `json:"tx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal(out, &links); err != nil {
		return 0, fmt.Errorf("parse ip -j -s link show: %w", err)
	}
	var sum uint64
	for _, l := range links {
		if strings.HasPrefix(l.Ifname, "eth") {
			sum += l.Stats64.TX.Packets
		}
	}
	return sum, nil
}

// procUsage is the CPU time and memory of a set of processes.
type procUsage struct {
	cpu            time.Duration // utime + stime
	onCPU          time.Duration // schedstat run time of the live threads
	rssKiB, hwmKiB int64
}

// usage sums the CPU time (utime+stime), VmRSS and VmHWM of pid and its
// descendants (keepalived's VRRP child), and returns how many processes it
// summed.
func usage(pid int) (procUsage, int, error) {
	pids, err := procstat.WithDescendants(pid)
	if err != nil {
		return procUsage{}, 0, err
	}
	var u procUsage
	for _, p := range pids {
		st, err := procstat.ReadStat(p)
		if err != nil {
			return u, 0, err
		}
		u.cpu += st.CPU
		run, err := threadRunTime(p)
		if err != nil {
			return u, 0, err
		}
		u.onCPU += run
		rss, hwm, err := procstat.ReadMemory(p)
		if err != nil {
			return u, 0, err
		}
		u.rssKiB += rss
		u.hwmKiB += hwm
	}
	return u, len(pids), nil
}

// threadRunTime sums the time the live threads of pid have spent on a CPU,
// the first field of /proc/PID/task/TID/schedstat, in nanoseconds. Unlike
// utime+stime it is not rounded to clock ticks, but it forgets threads that
// have exited.
func threadRunTime(pid int) (time.Duration, error) {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, fmt.Errorf("read tasks of pid %d: %w", pid, err)
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/schedstat", pid, t.Name()))
		if err != nil {
			continue // The thread has exited meanwhile.
		}
		f := strings.Fields(string(b))
		if len(f) < 1 {
			return 0, fmt.Errorf("parse schedstat of task %s of pid %d: %q", t.Name(), pid, b)
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse schedstat of task %s of pid %d: %w", t.Name(), pid, err)
		}
		sum += time.Duration(ns)
	}
	return sum, nil
}
