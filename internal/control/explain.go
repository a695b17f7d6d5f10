package control

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Explain says why the instance is or is not master, as a short chain of
// facts from its Report at now: its state, the priority it advertises and
// how tracking and demotion made it, the best advert heard, preemption,
// its sync group, and what would change the outcome.
func Explain(r Report, now time.Time) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	add("%s is %s%s", r.Name, r.State, since(r.Since, now))
	if r.Owner {
		add("priority 255: it owns the addresses, so it is master whenever its interface %s works", r.Interface)
	} else {
		add("base priority %d", r.BasePriority)
	}
	sum := r.BasePriority
	for _, t := range r.Tracks {
		line := trackFact(t)
		if t.Delta != 0 {
			sum += t.Delta
			line += fmt.Sprintf(": %+d", t.Delta)
		}
		add("%s", line)
	}
	if !r.Owner {
		tracked := min(max(sum, 1), 254)
		if r.Demoted {
			add("demoted%s: priority 1 instead of %d", until(r.DemotedUntil, now), tracked)
		}
		switch r.State {
		case "MASTER":
			add("effective priority %d, advertised", r.EffectivePriority)
		case "BACKUP":
			add("effective priority %d (what it would advertise as master)", r.EffectivePriority)
		default:
			add("effective priority %d", r.EffectivePriority)
		}
	}
	if r.Fault {
		add("FAULT: %s", r.FaultReason)
	}
	if r.SyncGroup != "" {
		add("sync group %s: %s", r.SyncGroup, members(r.SyncMembers))
	}
	switch r.State {
	case "MASTER":
		add("no advert from a better router since it became master: it holds %s", vipText(r))
	case "BACKUP":
		if r.Master != "" && r.MasterPriority > 0 {
			add("master %s advertises priority %d%s", r.Master, r.MasterPriority, ago(r.MasterHeard, now))
		} else {
			add("no master heard yet: it takes over when its master-down timer runs out")
		}
		if !r.Preempt {
			add("nopreempt: it does not take over from a working master, whatever the priorities")
		} else if r.PreemptDelay > 0 {
			if r.PreemptLeft > 0 {
				add("preempt_delay %v: %v left before it may take over from a lower priority master", r.PreemptDelay, r.PreemptLeft.Round(time.Millisecond))
			} else {
				add("preempt_delay %v", r.PreemptDelay)
			}
		}
	}
	out = append(out, verdict(r)...)
	return out
}

// verdict is the chain's conclusion and what would change it.
func verdict(r Report) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	failing := failingTracks(r)
	switch r.State {
	case "FAULT":
		add("=> not master: in FAULT (%s)", r.FaultReason)
		add("it leaves FAULT when %s", fixText(r))
	case "MASTER":
		if r.Owner {
			add("=> master: address owner")
			break
		}
		add("=> master: no router on the link advertises more than %d", r.EffectivePriority)
		add("it gives up the addresses on an advert above %d (or equal from a higher address), in FAULT, or when demoted", r.EffectivePriority)
	case "BACKUP":
		switch {
		case r.Master == "" || r.MasterPriority == 0:
			add("=> not master yet: waiting for its master-down timer")
		case r.Demoted:
			add("=> not master: demoted; `gokeepalived undemote %s` lets it compete with its own priority again", r.Name)
		case r.MasterPriority > r.EffectivePriority:
			add("=> not master: %s advertises %d, more than its %d", r.Master, r.MasterPriority, r.EffectivePriority)
		case r.MasterPriority == r.EffectivePriority:
			add("=> not master: %s advertises the same priority %d and wins on its higher address", r.Master, r.MasterPriority)
		case !r.Preempt:
			add("=> not master: nopreempt keeps it backup though its %d beats %d", r.EffectivePriority, r.MasterPriority)
		case r.PreemptLeft > 0:
			add("=> not master yet: its %d beats %d; preempt_delay runs", r.EffectivePriority, r.MasterPriority)
		default:
			add("=> taking over: its %d beats %d", r.EffectivePriority, r.MasterPriority)
		}
		if r.MasterPriority > 0 && !r.Demoted {
			need := r.MasterPriority + 1
			if need <= 254 {
				add("it would take over with priority %d or more (now %d)%s, or when %s stops advertising", need, r.EffectivePriority, preemptNote(r), r.Master)
			} else {
				add("it takes over when %s stops advertising", r.Master)
			}
		}
		if len(failing) > 0 {
			add("failing: %s", strings.Join(failing, ", "))
		}
	default:
		add("=> not master: %s", r.State)
	}
	return out
}

func preemptNote(r Report) string {
	if !r.Preempt {
		return " and without nopreempt"
	}
	return ""
}

// trackFact is one tracked object's state in words.
func trackFact(t TrackReport) string {
	var state string
	switch {
	case !t.Known:
		return fmt.Sprintf("track %s %s: no result yet", t.Kind, t.Name)
	case t.Kind == "file":
		state = fmt.Sprintf("value %d", t.Value)
	case t.Kind == "interface":
		state = map[bool]string{true: "up", false: "down"}[t.OK]
	case t.Kind == "process":
		state = map[bool]string{true: "running", false: "not running"}[t.OK]
	default:
		state = map[bool]string{true: "succeeds", false: "fails"}[t.OK]
	}
	s := fmt.Sprintf("track %s %s %s", t.Kind, t.Name, state)
	if t.Reverse {
		s += " (reverse)"
	}
	switch {
	case t.Faults:
		s += ": puts it in FAULT (weight 0)"
	case t.Weight == 0:
		s += " (weight 0: FAULT when failing)"
	}
	return s
}

// failingTracks names the tracked objects holding the instance back.
func failingTracks(r Report) []string {
	var out []string
	for _, t := range r.Tracks {
		if t.Failing() {
			out = append(out, t.Kind+" "+t.Name)
		}
	}
	return out
}

// fixText says what ends a FAULT.
func fixText(r Report) string {
	var fix []string
	for _, t := range r.Tracks {
		if t.Faults {
			fix = append(fix, t.Kind+" "+t.Name+" recovers")
		}
	}
	if len(fix) == 0 {
		return "its cause (" + r.FaultReason + ") clears"
	}
	return strings.Join(fix, " and ")
}

func vipText(r Report) string {
	if len(r.VIPs) == 0 {
		return "no addresses"
	}
	s := strings.Join(r.VIPs, ", ")
	if !r.VIPsHeld {
		s += " (not installed)"
	}
	return s
}

func members(m map[string]string) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + m[n]
	}
	return strings.Join(parts, ", ")
}

func since(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(" since %s (%s)", t.Format(time.RFC3339), now.Sub(t).Round(time.Second))
}

func until(t, now time.Time) string {
	if t.IsZero() {
		return " until undemoted"
	}
	return fmt.Sprintf(" until %s (%s left)", t.Format(time.RFC3339), t.Sub(now).Round(time.Second))
}

func ago(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(", heard %s ago", now.Sub(t).Round(time.Millisecond))
}
