package confparse

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// complete applies the checks and defaults keepalived applies once the
// whole configuration is read (vrrp_complete_instance and friends).
func (l *lowerer) complete() {
	// keepalived checks the scripts first (check_vrrp_script_security),
	// so the instance checks never see a script it removed.
	l.checkScripts()
	for _, in := range l.cfg.Instances {
		l.completeInstance(in)
	}
	defer func() { l.iflags = nil }()
	l.completeSyncGroups()
	l.checkDuplicateVRIDs()
	l.checkLVS()
}

func (l *lowerer) completeInstance(in *Instance) {
	fl := l.iflags[in]
	g := &l.cfg.Global
	if in.VRID == 0 {
		l.cannotRun(in.Pos, ClassGeneral, "(%s) the virtual router id must be set", in.Name)
	}
	l.completeTransport(in, fl)
	l.completeFamily(in, fl)
	if !fl.strictSet {
		in.Strict = g.Strict
	}
	l.completeAdvertInt(in, fl)
	l.completePriority(in, fl)
	l.completeAuth(in)
	if !fl.lpnaSet {
		in.LowerPrioNoAdvert = g.LowerPrioNoAdvert
	}
	if !fl.hpsaSet {
		in.HigherPrioSendAdvert = g.HigherPrioSendAdvert
	}
	if !fl.dtaSet {
		in.DownTimerAdverts = g.DownTimerAdverts
	}
	if !fl.checkUnicastSrcSet && g.CheckUnicastSrc {
		in.CheckUnicastSrc = true
	}
	if !fl.smtpSet {
		in.SMTPAlert = boolOr(g.SMTPAlertVRRP, boolOr(g.SMTPAlert, false))
	}
	if !fl.notifyPrioSet {
		in.NotifyPriorityChanges = g.NotifyPriorityChanges
	}
	l.completeGarp(in)
	if in.Strict {
		l.completeStrict(in, fl)
	}
	if len(in.VIPs) == 0 {
		if in.Version == 3 || in.Strict {
			l.cannotRun(in.Pos, ClassGeneral, "(%s) No VIP specified; at least one is required", in.Name)
		} else {
			l.errorf(in.Pos, ClassGeneral, "(%s) No VIP specified; at least one is sensible", in.Name)
		}
	}
	for _, a := range append(append([]*Address{}, in.VIPs...), in.EVIPs...) {
		if a.Dev == "" {
			a.Dev = in.Interface
		}
	}
	l.completeTracking(in)
}

func boolOr(p *bool, def bool) bool {
	if p == nil {
		return def
	}
	return *p
}

func (l *lowerer) completeTransport(in *Instance, fl *instFlags) {
	if len(in.UnicastPeers) == 0 {
		if fl.unicastTTLPos.IsValid() {
			l.errorf(fl.unicastTTLPos.pos(), ClassGeneral, "(%s): Cannot use unicast_ttl without unicast peers - resetting", in.Name)
			in.UnicastTTL = -1
		}
		if fl.unicastKeyword.IsValid() && !in.UnicastFaultNoPeer {
			l.errorf(fl.unicastKeyword.pos(), ClassDeprecated, "(%s) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.", in.Name)
		}
	}
	if in.Interface == "" {
		if in.UnicastSrcIP.IsValid() && len(in.UnicastPeers) > 0 {
			if name, ok := l.env.InterfaceWithAddr(in.UnicastSrcIP); ok {
				in.Interface = name
				return
			}
		}
		l.cannotRun(in.Pos, ClassGeneral, "(%s) Unknown interface!", in.Name)
	}
}

// completeFamily sets the instance's address family from its first VIP
// and drops VIPs of the other family, as keepalived does.
func (l *lowerer) completeFamily(in *Instance, fl *instFlags) {
	switch {
	case len(in.VIPs) > 0:
		in.Family = familyOf(in.VIPs[0].Prefix.Addr())
	case len(in.UnicastPeers) > 0:
		in.Family = familyOf(in.UnicastPeers[0].Addr)
	case in.UnicastSrcIP.IsValid():
		in.Family = familyOf(in.UnicastSrcIP)
	case in.NativeIPv6:
		in.Family = IPv6
	default:
		in.Family = IPv4
	}
	kept := in.VIPs[:0]
	for _, a := range in.VIPs {
		if familyOf(a.Prefix.Addr()) != in.Family {
			l.errorf(a.Pos, ClassGeneral, "(%s): address family must match VRRP instance [%s] - ignoring", in.Name, a.Prefix)
			continue
		}
		kept = append(kept, a)
	}
	in.VIPs = kept
	peers := in.UnicastPeers[:0]
	for _, p := range in.UnicastPeers {
		if familyOf(p.Addr) != in.Family {
			l.errorf(p.Pos, ClassGeneral, "(%s): unicast peer %s is not of the instance's address family - ignoring", in.Name, p.Addr)
			continue
		}
		peers = append(peers, p)
	}
	in.UnicastPeers = peers
	want := l.cfg.Global.Version
	if fl.versionSet {
		want = in.Version
	}
	if in.Family == IPv6 {
		if fl.versionSet && in.Version == 2 {
			fl.version2 = true
			l.warnf(in.Pos, "(%s) vrrp_version 2 conflicts with IPv6, which needs version 3; using 3", in.Name)
		}
		want = 3
	}
	in.Version = want
}

func familyOf(a netip.Addr) Family {
	if a.Is4() || a.Is4In6() {
		return IPv4
	}
	return IPv6
}

func (l *lowerer) completeAdvertInt(in *Instance, fl *instFlags) {
	pos := fl.advertIntPos.pos()
	if !pos.IsValid() {
		pos = in.Pos
	}
	if in.Version == 2 {
		if in.AdvertInt%time.Second != 0 {
			l.errorf(pos, ClassGeneral, "(%s) VRRPv2 advertisement interval %.6fs must be an integer. rounding", in.Name, in.AdvertInt.Seconds())
			in.AdvertInt = (in.AdvertInt + time.Second/2).Truncate(time.Second)
			if in.AdvertInt == 0 {
				in.AdvertInt = time.Second
			}
		}
		return
	}
	if in.AdvertInt > 4095*10*time.Millisecond {
		l.errorf(pos, ClassGeneral, "(%s) VRRPv3 advertisement interval %.2fs is out of range. Must be less than 40.96s. Setting to 40.95s", in.Name, in.AdvertInt.Seconds())
		in.AdvertInt = 4095 * 10 * time.Millisecond
	}
	in.AdvertInt = (in.AdvertInt + 5*time.Millisecond).Truncate(10 * time.Millisecond)
}

func (l *lowerer) completePriority(in *Instance, fl *instFlags) {
	if !fl.prioritySet && in.StateSet && in.State == StateMaster {
		in.Priority = 255
	}
	if !in.StateSet {
		in.State = StateBackup
		if in.Priority == 255 {
			in.State = StateMaster
		}
	}
	if in.Nopreempt {
		switch {
		case in.Priority == 255:
			l.errorf(fl.nopreemptPos.pos(), ClassGeneral, "(%s) nopreempt is incompatible with priority 255. resetting nopreempt", in.Name)
			in.Nopreempt = false
		case in.State == StateMaster:
			l.errorf(fl.nopreemptPos.pos(), ClassGeneral, "(%s) Warning - nopreempt will not work with initial state MASTER - clearing", in.Name)
			in.Nopreempt = false
		}
	}
	if in.PreemptDelay > 0 && in.Nopreempt {
		l.errorf(fl.preemptDelayPos.pos(), ClassGeneral, "(%s) preempt_delay is incompatible with nopreempt mode - resetting", in.Name)
		in.PreemptDelay = 0
	}
	if in.PreemptDelay > 0 && in.State == StateMaster {
		l.errorf(fl.preemptDelayPos.pos(), ClassGeneral, "(%s) Warning - preempt delay will not work with initial state MASTER - clearing", in.Name)
		in.PreemptDelay = 0
	}
}

func (l *lowerer) completeAuth(in *Instance) {
	if in.AuthType == AuthNone {
		return
	}
	clear := func(class Class, format string) {
		l.errorf(in.Pos, class, format, in.Name)
		in.AuthType, in.AuthPass = AuthNone, ""
	}
	switch {
	case in.Strict:
		clear(ClassGeneral, "(%s) Strict mode does not support authentication. Ignoring.")
	case in.Version == 3 && l.iflags[in].version2:
		// keepalived runs such an instance as VRRPv2 over IPv6, with its
		// authentication; gokeepalived runs VRRPv3 (README, differences),
		// so the authentication goes, but this is not keepalived's error.
		l.warnf(in.Pos, "(%s) authentication is ignored: this IPv6 instance runs VRRPv3, which has none", in.Name)
		in.AuthType, in.AuthPass = AuthNone, ""
	case in.Version == 3:
		clear(ClassGeneral, "(%s) VRRP version 3 does not support authentication. Ignoring.")
	case in.AuthPass == "":
		clear(ClassGeneral, "(%s) Authentication specified but no password given. Ignoring")
	case in.AuthType == AuthAH && in.State == StateMaster && in.Priority != 255:
		l.errorf(in.Pos, ClassGeneral, "(%s) Initial state master is incompatible with AH authentication - clearing", in.Name)
		in.State = StateBackup
	}
	if in.AuthType == AuthAH {
		l.unsupported(in.Pos, "(%s) authentication type AH is not supported by gokeepalived: use auth_type PASS, or no authentication (RFC 5798 removed it)", in.Name)
	}
}

// unsupported records what keepalived runs but gokeepalived refuses to run
// rather than run wrongly. It is decided here, once, so that -t, the
// daemon's start and a reload always agree: -t exits ExitCannotRun (where
// keepalived's -t would pass; README lists each case), and the daemon does
// not start.
func (l *lowerer) unsupported(pos Pos, format string, args ...any) {
	d := l.errorf(pos, ClassFatal, format, args...)
	d.CannotRun, d.Unsupported = true, true
}

func (l *lowerer) completeGarp(in *Instance) {
	if in.GarpLowerPrioDelay < 0 {
		in.GarpLowerPrioDelay = in.GarpMasterDelay
	}
	if in.GarpLowerPrioRepeat < 0 {
		in.GarpLowerPrioRepeat = in.GarpMasterRepeat
		if in.Strict {
			in.GarpLowerPrioRepeat = 0
		}
	}
}

func (l *lowerer) completeStrict(in *Instance, fl *instFlags) {
	in.LowerPrioNoAdvert = true
	in.HigherPrioSendAdvert = false
	if !fl.acceptSet || in.Priority != 255 {
		in.Accept = in.Priority == 255
	}
	if in.PreemptDelay > 0 {
		l.errorf(fl.preemptDelayPos.pos(), ClassGeneral, "(%s) preempt_delay is incompatible with strict mode - clearing", in.Name)
		in.PreemptDelay = 0
	}
	if in.DownTimerAdverts != 3 {
		l.errorf(in.Pos, ClassGeneral, "(%s) down_timer_adverts must be 3 in strict mode - resetting", in.Name)
		in.DownTimerAdverts = 3
	}
}

// completeTracking applies the address-owner restriction on weighted
// tracking (reference §4.1).
func (l *lowerer) completeTracking(in *Instance) {
	if in.Priority != 255 {
		return
	}
	in.TrackScripts = l.dropWeighted(in.Name, in.TrackScripts, "address_owner")
}

func (l *lowerer) dropWeighted(owner string, refs []TrackRef, why string) []TrackRef {
	kept := refs[:0]
	for _, r := range refs {
		if s := l.scriptByName[r.Name]; r.Weight != 0 && s != nil && s.Command != nil && s.Command.Disabled {
			// keepalived removed it before this check: nothing to say.
			continue
		}
		if r.Weight != 0 {
			l.errorf(r.Pos, ClassGeneral, "(%s) ignoring tracked script %s with weights due to %s", owner, r.Name, why)
			continue
		}
		kept = append(kept, r)
	}
	return kept
}

func (l *lowerer) completeSyncGroups() {
	inGroup := map[string]string{}
	for _, g := range l.cfg.SyncGroups {
		var members []string
		for _, m := range g.Members {
			in := l.instance(m)
			if in == nil {
				l.errorf(g.Pos, ClassGeneral, "Virtual router %s specified in sync group %s doesn't exist - ignoring", m, g.Name)
				continue
			}
			if other, ok := inGroup[m]; ok {
				l.errorf(g.Pos, ClassGeneral, "Virtual router %s cannot exist in more than one sync group; it is in %s and %s - ignoring", m, other, g.Name)
				continue
			}
			inGroup[m] = g.Name
			members = append(members, m)
			if !g.TrackingWeight {
				in.TrackScripts = l.dropWeighted(in.Name, in.TrackScripts, "SYNC group")
			}
		}
		g.Members = members
		if !l.groupSMTPSet[g] {
			// As an instance's (src vrrp/vrrp.c, vrrp_complete_init).
			g.SMTPAlert = boolOr(l.cfg.Global.SMTPAlertVRRP, boolOr(l.cfg.Global.SMTPAlert, false))
		}
		switch len(members) {
		case 0:
			l.errorf(g.Pos, ClassGeneral, "Sync group %s has no virtual router(s) - removing", g.Name)
		case 1:
			l.errorf(g.Pos, ClassGeneral, "Sync group %s has only 1 virtual router(s) - this probably isn't what you want", g.Name)
		}
	}
}

func (l *lowerer) instance(name string) *Instance { return l.names[name] }

// checkDuplicateVRIDs reports multicast instances sharing a VRID on one
// interface and family, each later one against the first.
//
// The instances are sorted by interface, VRID, family and position in the
// file, not indexed in a map: this runs when the whole configuration is
// held, and a map of every instance was the largest part of the peak
// memory of checking a large configuration that was not the configuration.
func (l *lowerer) checkDuplicateVRIDs() {
	ins := l.cfg.Instances
	order := make([]int32, 0, len(ins))
	for i, in := range ins {
		if len(in.UnicastPeers) == 0 && in.VRID != 0 && in.Interface != "" {
			order = append(order, int32(i))
		}
	}
	sameVRID := func(a, b *Instance) int {
		return cmp.Or(strings.Compare(a.Interface, b.Interface), cmp.Compare(a.VRID, b.VRID), cmp.Compare(a.Family, b.Family))
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Or(sameVRID(ins[a], ins[b]), cmp.Compare(a, b)) })
	var dups [][2]int32 // a later instance and the first with its VRID
	first := int32(0)
	for j, i := range order {
		if j == 0 || sameVRID(ins[order[j-1]], ins[i]) != 0 {
			first = i
			continue
		}
		dups = append(dups, [2]int32{i, first})
	}
	slices.SortFunc(dups, func(a, b [2]int32) int { return cmp.Compare(a[0], b[0]) })
	for _, d := range dups {
		in, prev := ins[d[0]], ins[d[1]]
		v := 4
		if in.Family == IPv6 {
			v = 6
		}
		l.errorf(in.Pos, ClassGeneral, "%s and %s both use VRID %d with IPv%d on interface %s", prev.Name, in.Name, in.VRID, v, in.Interface)
	}
}
