package confparse

import (
	"fmt"
	"slices"
	"strings"
)

// DumpInstance returns one vrrp_instance block in Dump's normalised form.
// Two instances with the same text behave the same.
func DumpInstance(in *Instance) string {
	d := &dumper{}
	d.instance(in)
	return d.b.String()
}

// DumpScript returns one vrrp_script block in Dump's normalised form.
func DumpScript(s *Script) string {
	d := &dumper{}
	d.script(s)
	return d.b.String()
}

// DumpSyncGroup returns one vrrp_sync_group block in Dump's normalised form.
func DumpSyncGroup(g *SyncGroup) string {
	d := &dumper{}
	d.syncGroup(g)
	return d.b.String()
}

// DumpGlobal returns the global_defs block and the top-level keywords in
// Dump's normalised form.
func DumpGlobal(cfg *Config) string {
	d := &dumper{}
	d.global(&cfg.Global)
	d.top(&cfg.TopLevel)
	return d.b.String()
}

// Change is one difference between a running configuration and a new one,
// by block name: what a reload would do.
type Change struct {
	Op    byte   // '+' added, '-' removed, '~' changed
	Block string // e.g. "vrrp_instance VI_1"
	// Details lists, for a changed block, the lines removed ("- ...") and
	// added ("+ ...") in the normalised form; VIP lines come first.
	Details []string
}

// String renders the change as one line per block and one indented line
// per detail.
func (c Change) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%c %s", c.Op, c.Block)
	for _, d := range c.Details {
		b.WriteString("\n    " + d)
	}
	return b.String()
}

// Diff compares two configurations block by block, by name, in the new
// configuration's order (removed blocks last): instances, scripts, sync
// groups and global_defs.
func Diff(old, new *Config) []Change {
	var out []Change
	out = append(out, diffBlocks("vrrp_instance", old.Instances, new.Instances,
		func(in *Instance) string { return in.Name }, DumpInstance)...)
	out = append(out, diffBlocks("vrrp_script", old.Scripts, new.Scripts,
		func(s *Script) string { return s.Name }, DumpScript)...)
	out = append(out, diffBlocks("vrrp_sync_group", old.SyncGroups, new.SyncGroups,
		func(g *SyncGroup) string { return g.Name }, DumpSyncGroup)...)
	if a, b := DumpGlobal(old), DumpGlobal(new); a != b {
		out = append(out, Change{Op: '~', Block: "global_defs", Details: blockLineDiff(a, b)})
	}
	return out
}

func diffBlocks[T any](kind string, old, new []T, name func(T) string, dump func(T) string) []Change {
	var out []Change
	before := map[string]T{}
	for _, o := range old {
		before[name(o)] = o
	}
	seen := map[string]bool{}
	for _, n := range new {
		seen[name(n)] = true
		o, ok := before[name(n)]
		switch {
		case !ok:
			out = append(out, Change{Op: '+', Block: kind + " " + name(n)})
		default:
			if a, b := dump(o), dump(n); a != b {
				out = append(out, Change{Op: '~', Block: kind + " " + name(n), Details: blockLineDiff(a, b)})
			}
		}
	}
	for _, o := range old {
		if !seen[name(o)] {
			out = append(out, Change{Op: '-', Block: kind + " " + name(o)})
		}
	}
	return out
}

// blockLineDiff lists the lines only in a ("- line") and only in b ("+ line"),
// trimmed, as multisets: enough for blocks whose lines are one keyword each.
func blockLineDiff(a, b string) []string {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[strings.TrimSpace(l)]++
	}
	var added []string
	for _, l := range strings.Split(b, "\n") {
		l = strings.TrimSpace(l)
		if count[l] > 0 {
			count[l]--
			continue
		}
		added = append(added, "+ "+l)
	}
	var removed []string
	for _, l := range strings.Split(a, "\n") {
		l = strings.TrimSpace(l)
		if count[l] > 0 {
			count[l]--
			removed = append(removed, "- "+l)
		}
	}
	out := append(removed, added...)
	slices.SortStableFunc(out, func(x, y string) int {
		return strings.Compare(x[2:], y[2:])
	})
	return out
}
