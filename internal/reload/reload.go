// Package reload decides what a reload changes. Plan compares the running
// configuration with a new one as typed values (never through their dumps)
// and says, for each vrrp_instance, whether it is kept as it is, updated in
// place, restarted or started, and which are stopped; and whether
// global_defs, the sync groups, the scripts and the static blocks changed.
// It is pure: the daemon carries the plan out (reference §5.7, done
// better: nothing that did not change is touched).
package reload

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Action is what a reload does to one vrrp_instance.
type Action int

// The actions.
const (
	// Keep leaves a running instance alone: nothing is sent or removed.
	Keep Action = iota
	// Update changes a running instance in place; it keeps its state.
	Update
	// Restart stops an instance quietly and starts it anew: what its
	// socket, VMAC or state machine's identity depend on changed.
	Restart
	// Start starts a new instance.
	Start
	// Stop runs a removed instance's stop sequence (notify_deleted).
	Stop
)

func (a Action) String() string {
	return [...]string{"keep", "update", "restart", "start", "stop"}[a]
}

// Step is the plan for one instance. Old and New are its effective
// configurations (Effective: its sync group's tracking merged in); Old is
// nil for Start, New nil for Stop.
type Step struct {
	Name     string
	Action   Action
	Why      string // for Restart: what changed
	Old, New *config.Instance
}

// Changes is a reload's plan.
type Changes struct {
	// Instances are in the new configuration's order, then the removed
	// ones in the old configuration's order.
	Instances []Step
	// Global is set when global_defs or the top-level keywords changed.
	Global bool
	// SyncGroups names the sync groups added, changed or removed.
	SyncGroups []string
	// Scripts names the vrrp_scripts added, changed or removed.
	Scripts []string
	// Static is set when static_ipaddress, static_routes or static_rules
	// changed.
	Static bool
}

// Plan compares old, the running configuration, with new.
func Plan(old, new *config.Config) *Changes {
	c := &Changes{}
	before := map[string]*config.Instance{}
	for _, in := range old.Instances {
		before[in.Name] = Effective(in, old)
	}
	seen := map[string]bool{}
	for _, in := range new.Instances {
		seen[in.Name] = true
		st := Step{Name: in.Name, New: Effective(in, new)}
		o, ok := before[in.Name]
		switch {
		case !ok:
			st.Action = Start
		case RestartReason(o, st.New) != "":
			st.Action, st.Old, st.Why = Restart, o, RestartReason(o, st.New)
		case Equal(o, st.New):
			st.Action, st.Old = Keep, o
		default:
			st.Action, st.Old = Update, o
		}
		c.Instances = append(c.Instances, st)
	}
	for _, in := range old.Instances {
		if !seen[in.Name] {
			c.Instances = append(c.Instances, Step{Name: in.Name, Action: Stop, Old: before[in.Name]})
		}
	}
	c.Global = !Equal(old.Global, new.Global) || !Equal(old.TopLevel, new.TopLevel)
	c.SyncGroups = changedNames(old.SyncGroups, new.SyncGroups, func(g *config.SyncGroup) string { return g.Name })
	c.Scripts = changedNames(old.Scripts, new.Scripts, func(s *config.Script) string { return s.Name })
	c.Static = !Equal(old.StaticAddresses, new.StaticAddresses) || !Equal(old.StaticRoutes, new.StaticRoutes) ||
		!Equal(old.StaticRules, new.StaticRules)
	return c
}

// Step returns the step of the named instance, if any.
func (c *Changes) Step(name string) (Step, bool) {
	for _, st := range c.Instances {
		if st.Name == name {
			return st, true
		}
	}
	return Step{}, false
}

// changedNames lists, by name, the blocks added, changed or removed.
func changedNames[T any](old, new []T, name func(T) string) []string {
	before := map[string]T{}
	for _, o := range old {
		if _, ok := before[name(o)]; !ok {
			before[name(o)] = o
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range new {
		seen[name(n)] = true
		if o, ok := before[name(n)]; !ok || !Equal(o, n) {
			out = append(out, name(n))
		}
	}
	for _, o := range old {
		if !seen[name(o)] && !slices.Contains(out, name(o)) {
			out = append(out, name(o))
		}
	}
	return out
}

// RestartReason names what changed between a running instance's
// configuration a and b that the instance cannot take in place, or "".
func RestartReason(a, b *config.Instance) string {
	peers := func(ps []config.UnicastPeer) []netip.Addr {
		var out []netip.Addr
		for _, p := range ps {
			out = append(out, p.Addr)
		}
		return out
	}
	vmac := func(v *config.VMAC) config.VMAC {
		if v == nil {
			return config.VMAC{}
		}
		return *v
	}
	var why []string
	for _, c := range []struct {
		what    string
		changed bool
	}{
		{"interface", a.Interface != b.Interface},
		{"VRID", a.VRID != b.VRID},
		{"version", a.Version != b.Version},
		{"address family", a.Family != b.Family || a.NativeIPv6 != b.NativeIPv6},
		{"transport", a.UnicastSrcIP != b.UnicastSrcIP || a.McastSrcIP != b.McastSrcIP || a.McastDstIP != b.McastDstIP ||
			a.UnicastTTL != b.UnicastTTL || !slices.Equal(peers(a.UnicastPeers), peers(b.UnicastPeers)) ||
			a.OldUnicastChecksum != b.OldUnicastChecksum || a.OldUnicastChecksumNever != b.OldUnicastChecksumNever},
		{"VMAC", vmac(a.VMAC) != vmac(b.VMAC)},
		{"address ownership", (a.Priority == 255) != (b.Priority == 255)},
	} {
		if c.changed {
			why = append(why, c.what)
		}
	}
	return strings.Join(why, ", ")
}

// Effective returns ic with its sync group's tracked objects merged in, as
// the daemon runs it: keepalived forces a sync member's track_interface
// weights to 0 unless the group has track_weight (reference §4.1).
func Effective(ic *config.Instance, cfg *config.Config) *config.Instance {
	for _, g := range cfg.SyncGroups {
		if !slices.Contains(g.Members, ic.Name) || len(g.Members) < 2 {
			continue
		}
		c := *ic
		own := ic.TrackInterfaces
		if !g.TrackingWeight {
			own = nil
			for _, r := range ic.TrackInterfaces {
				r.Weight = 0
				own = append(own, r)
			}
		}
		c.TrackInterfaces = mergeRefs(own, g.TrackInterfaces, g.TrackingWeight)
		c.TrackScripts = mergeRefs(ic.TrackScripts, g.TrackScripts, g.TrackingWeight)
		c.TrackFiles = mergeRefs(ic.TrackFiles, g.TrackFiles, g.TrackingWeight)
		c.TrackProcesses = mergeRefs(ic.TrackProcesses, g.TrackProcesses, g.TrackingWeight)
		return &c
	}
	return ic
}

func mergeRefs(own, group []config.TrackRef, weights bool) []config.TrackRef {
	out := slices.Clone(own)
	for _, r := range group {
		if slices.ContainsFunc(out, func(o config.TrackRef) bool { return o.Name == r.Name }) {
			continue
		}
		if !weights {
			r.Weight = 0
		}
		out = append(out, r)
	}
	return out
}

// Equal reports whether two configuration values (instances, scripts,
// sync groups, global_defs, static blocks, or slices of them) configure the
// same behaviour: every exported field equal, where the configuration was
// written (positions) and parse-time scratch (unexported fields) aside. A
// nil and an empty slice are equal.
func Equal(a, b any) bool {
	return equal(reflect.ValueOf(a), reflect.ValueOf(b))
}

var (
	posType  = reflect.TypeFor[config.Pos]()
	lineType = reflect.TypeFor[config.Line]()
	nodeType = reflect.TypeFor[*config.Node]()
	confPkg  = posType.PkgPath()
)

func equal(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() {
		return false
	}
	if !a.IsValid() {
		return true
	}
	if a.Type() != b.Type() {
		return false
	}
	switch t := a.Type(); {
	case t == posType || t == lineType || t == nodeType:
		return true
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equal(a.Elem(), b.Elem())
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equal(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case t.Kind() == reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !equal(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case t.Kind() == reflect.Struct && t.PkgPath() == confPkg:
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			if !equal(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case t.Kind() == reflect.Func:
		return a.IsNil() && b.IsNil()
	default:
		// Values of other packages (netip, time) and basic kinds compare
		// whole.
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
}
