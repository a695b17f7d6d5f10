package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat.
const clockTicks = 100

// usage is what a daemon's processes used: CPU time (utime+stime) and
// memory (VmRSS, VmHWM), summed over the main process and its descendants
// (keepalived's VRRP child).
type usage struct {
	cpu            time.Duration
	rssKiB, hwmKiB int64
}

// measure returns the usage of pid and its descendants.
func measure(pid int) (usage, error) {
	pids, err := withDescendants(pid)
	if err != nil {
		return usage{}, err
	}
	var u usage
	for _, p := range pids {
		_, ticks, err := readStat(p)
		if err != nil {
			return u, err
		}
		u.cpu += time.Duration(ticks) * time.Second / clockTicks
		rss, hwm, err := readStatus(p)
		if err != nil {
			return u, err
		}
		u.rssKiB += rss
		u.hwmKiB += hwm
	}
	return u, nil
}

// readStat returns the parent pid and utime+stime (clock ticks) of pid.
// The command name may hold spaces, so fields count from the last ')'.
func readStat(pid int) (ppid int, ticks int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(f))
	}
	// f[0] is field 3: ppid is field 4, utime 14, stime 15.
	ppid, e1 := strconv.Atoi(f[1])
	ut, e2 := strconv.ParseInt(f[11], 10, 64)
	st, e3 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(e1, e2, e3); err != nil {
		return 0, 0, fmt.Errorf("parse /proc/%d/stat: %w", pid, err)
	}
	return ppid, ut + st, nil
}

// readStatus returns VmRSS and VmHWM of pid in KiB.
func readStatus(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		f := strings.Fields(v)
		if (k != "VmRSS" && k != "VmHWM") || len(f) != 2 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s of pid %d: %w", k, pid, err)
		}
		if k == "VmRSS" {
			rss = n
		} else {
			hwm = n
		}
	}
	return rss, hwm, nil
}

// withDescendants returns pid and its descendants' pids.
func withDescendants(pid int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	children := map[int][]int{}
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, _, err := readStat(p); err == nil {
			children[ppid] = append(children[ppid], p)
		}
	}
	pids := []int{pid}
	for i := 0; i < len(pids); i++ {
		pids = append(pids, children[pids[i]]...)
	}
	return pids, nil
}
