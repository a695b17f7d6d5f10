package control

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteStatus writes one line per instance: state, effective/base
// priority, the master heard, since when, the addresses held, what tracked
// objects fail, and a demotion.
func WriteStatus(w io.Writer, reps []Report, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tSTATE\tPRIO\tMASTER\tSINCE\tVIPS\tFAILING\tNOTE")
	for _, r := range reps {
		prio := fmt.Sprintf("%d/%d", r.EffectivePriority, r.BasePriority)
		master := r.Master
		if master == "" {
			master = "-"
		}
		sinceText := "-"
		if !r.Since.IsZero() {
			sinceText = now.Sub(r.Since).Round(time.Second).String()
		}
		vips := "-"
		if r.VIPsHeld && len(r.VIPs) > 0 {
			vips = strings.Join(r.VIPs, ",")
		}
		failing := strings.Join(failingTracks(r), ",")
		if failing == "" {
			failing = "-"
		}
		var note []string
		if r.Demoted {
			note = append(note, "demoted"+untilShort(r.DemotedUntil, now))
		}
		if r.Fault {
			note = append(note, "fault: "+r.FaultReason)
		}
		if r.SyncGroup != "" {
			note = append(note, "group "+r.SyncGroup)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.State, prio, master, sinceText, vips, failing, strings.Join(note, "; "))
	}
	return tw.Flush()
}

func untilShort(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " for " + t.Sub(now).Round(time.Second).String()
}
