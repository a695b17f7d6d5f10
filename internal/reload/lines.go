package reload

import (
	"fmt"
	"strings"
)

// Lines describes the plan for people, one line per change: each instance
// that starts, restarts (with why), is updated in place or stops, then
// the global, sync group, script and static changes. An instance kept as
// it runs gets no line; a plan that changes nothing gives one line saying
// so.
func (c *Changes) Lines() []string {
	var out []string
	kept := 0
	for _, st := range c.Instances {
		switch st.Action {
		case Keep:
			kept++
		case Update:
			out = append(out, fmt.Sprintf("update  %s (keeps its state)", st.Name))
		case Restart:
			out = append(out, fmt.Sprintf("restart %s (%s)", st.Name, st.Why))
		case Start:
			out = append(out, "start   "+st.Name)
		case Stop:
			out = append(out, "stop    "+st.Name)
		}
	}
	if c.Global {
		out = append(out, "global  global_defs changed")
	}
	if len(c.SyncGroups) > 0 {
		out = append(out, "sync    "+strings.Join(c.SyncGroups, ", "))
	}
	if len(c.Scripts) > 0 {
		out = append(out, "scripts "+strings.Join(c.Scripts, ", "))
	}
	if c.Static {
		out = append(out, "static  static addresses, routes or rules changed")
	}
	if len(out) == 0 {
		return []string{fmt.Sprintf("nothing would change (%d instances kept)", kept)}
	}
	if kept > 0 {
		out = append(out, fmt.Sprintf("keep    %d other instances", kept))
	}
	return out
}

// Restarts names the instances the plan restarts or stops: those whose
// state the reload does not keep.
func (c *Changes) Restarts() []string {
	var out []string
	for _, st := range c.Instances {
		if st.Action == Restart || st.Action == Stop {
			out = append(out, st.Name)
		}
	}
	return out
}
