package exportertest

import (
	"fmt"
	"slices"
	"strings"
)

// Tally sums the scrapes of one daemon in one mode.
type Tally struct {
	// Scrapes counts the scrapes; Stale those that reported a dump from
	// before their first signal; Retried those that took more than one
	// attempt; Failed those with no attempt that succeeded (the exporter's
	// keepalived_up 0); Short those that reported fewer instances or
	// scripts than configured (a file read while being written that still
	// parsed).
	Scrapes, Stale, Retried, Failed, Short int
	// Attempts, Missing and Unparsable sum the scrapes' attempts.
	Attempts, Missing, Unparsable int
	// StaleFiles counts the stale reads of the scrapes' successful
	// attempts, by file.
	StaleFiles map[string]int
	// Coalesced counts the waits before a scrape that ended with dumps
	// still unwritten: signals the daemon folded together.
	Coalesced int
}

// Add counts r, a scrape of a daemon configured with the given numbers of
// instances and vrrp_scripts.
func (t *Tally) Add(r Result, mode Mode, instances, scripts int) {
	t.Scrapes++
	t.Attempts += r.Attempts
	t.Missing += r.Missing
	t.Unparsable += r.Unparsable
	if r.Attempts > 1 {
		t.Retried++
	}
	if r.Err != nil {
		t.Failed++
		return
	}
	if r.Stale() {
		t.Stale++
	}
	if len(r.VRRPs) < instances || mode == Text && len(r.Scripts) < scripts {
		t.Short++
	}
	for _, rd := range r.Reads {
		if rd.Stale {
			if t.StaleFiles == nil {
				t.StaleFiles = map[string]int{}
			}
			t.StaleFiles[rd.File]++
		}
	}
}

// String is a one-line summary.
func (t Tally) String() string {
	var files []string
	for f, n := range t.StaleFiles {
		files = append(files, fmt.Sprintf("%s %d", f, n))
	}
	slices.Sort(files)
	if len(files) == 0 {
		files = []string{"none"}
	}
	return fmt.Sprintf("%d scrapes: %d stale, %d short, %d failed, %d retried; %d attempts (%d missing, %d unparsable); stale reads: %s; %d coalesced",
		t.Scrapes, t.Stale, t.Short, t.Failed, t.Retried, t.Attempts, t.Missing, t.Unparsable, strings.Join(files, ", "), t.Coalesced)
}

// Values renders what a scrape reported that two daemons running the same
// configuration must agree on, one line per instance and script: every
// field the exporter takes except the advertisements sent, which grow with
// time, and the scripts' State (idle or running), which depends on whether
// a check was running at the dump.
func Values(r Result) string {
	var b strings.Builder
	for _, v := range r.VRRPs {
		s := v.Stats
		s.AdvertSent = 0
		fmt.Fprintf(&b, "%s state %s want %s intf %s vrid %d garp %d vips %q evips %q stats %+v\n",
			v.Name, stateName(v.State), stateName(v.WantState), v.Interface, v.VRID, v.GARPDelay, v.VIPs, v.ExcludedVIPs, s)
	}
	for _, s := range r.Scripts {
		fmt.Fprintf(&b, "script %s %s\n", s.Name, s.Status)
	}
	return b.String()
}
