package main

import (
	"time"

	"github.com/gokeepalived/gokeepalived/bench/internal/procstat"
)

// usage is what a daemon's processes used: CPU time (utime+stime) and
// memory (VmRSS, VmHWM), summed over the main process and its descendants
// (keepalived's VRRP child).
type usage struct {
	cpu            time.Duration
	rssKiB, hwmKiB int64
}

// measure returns the usage of pid and its descendants.
func measure(pid int) (usage, error) {
	pids, err := procstat.WithDescendants(pid)
	if err != nil {
		return usage{}, err
	}
	var u usage
	for _, p := range pids {
		st, err := procstat.ReadStat(p)
		if err != nil {
			return u, err
		}
		u.cpu += st.CPU
		rss, hwm, err := procstat.ReadMemory(p)
		if err != nil {
			return u, err
		}
		u.rssKiB += rss
		u.hwmKiB += hwm
	}
	return u, nil
}
