package confparse

import (
	"net/netip"
	"strings"
	"time"
)

// instFlags records, per instance, which keywords were given, for the
// defaults that are resolved once the whole file is read.
type instFlags struct {
	prioritySet, versionSet, strictSet, lpnaSet, hpsaSet, dtaSet, acceptSet bool
	checkUnicastSrcSet, smtpSet, notifyPrioSet                              bool
	// version2 is set when an IPv6 instance asked for version 2 and runs 3.
	version2                                                   bool
	unicastKeyword                                             keywordPos
	advertIntPos, preemptDelayPos, nopreemptPos, unicastTTLPos keywordPos
}

// keywordPos is the position of a keyword, once given. Most instances give
// none of the keywords whose positions instFlags keeps, and holding five
// Pos values per instance until the configuration is complete was a tenth
// of the peak memory of checking a large configuration.
type keywordPos struct{ p *Pos }

func (k *keywordPos) set(p Pos) { k.p = &p }

// pos returns the position, the zero Pos when none was set.
func (k keywordPos) pos() Pos {
	if k.p == nil {
		return Pos{}
	}
	return *k.p
}

// IsValid reports whether a valid position was set.
func (k keywordPos) IsValid() bool { return k.p != nil && k.p.IsValid() }

// cur returns the instance being lowered.
func (l *lowerer) cur() *Instance { return l.cfg.Instances[len(l.cfg.Instances)-1] }

func (l *lowerer) flags() *instFlags { return l.iflags[l.cur()] }

func (l *lowerer) lowerInstance(n *Node) {
	name, ok := l.blockName(n)
	if !ok {
		return
	}
	if !l.wantBlock(n) {
		return
	}
	if in, ok := l.names[name]; ok {
		l.errorf(n.Pos(), ClassGeneral, "vrrp instance %s already defined (first at %s) - this block is skipped", name, in.Pos)
		return
	}
	g := &l.cfg.Global
	in := &Instance{
		Name: name, Pos: n.Pos(), State: StateBackup, Priority: 100, AdvertInt: time.Second,
		UnicastTTL: -1, Accept: true,
		// Copied from global_defs when the instance starts (reference §1.10).
		GarpMasterDelay: g.GarpMasterDelay, GarpMasterRepeat: g.GarpMasterRepeat,
		GarpMasterRefresh: g.GarpMasterRefresh, GarpMasterRefreshRepeat: g.GarpMasterRefreshRepeat,
		GarpLowerPrioDelay: g.GarpLowerPrioDelay, GarpLowerPrioRepeat: g.GarpLowerPrioRepeat,
		GarpExtraIf: g.GarpExtraIf, GarpExtraIfAll: g.GarpExtraIfAll,
		SkipCheckAdvAddr: g.SkipCheckAdvAddr,
	}
	l.cfg.Instances = append(l.cfg.Instances, in)
	if l.names == nil {
		l.names = map[string]*Instance{}
	}
	l.names[name] = in
	if l.iflags == nil {
		l.iflags = map[*Instance]*instFlags{}
	}
	l.iflags[in] = &instFlags{}
	l.walk(n.Children, l.table("vrrp_instance", instanceTable), "vrrp_instance")
}

// blockName returns the name word of a named block.
func (l *lowerer) blockName(n *Node) (string, bool) {
	if len(n.Words) < 2 {
		l.errorf(n.Pos(), ClassMissingParameter, "%s needs a name", n.Keyword())
		if n.HasBlock {
			return "", false
		}
		return "", false
	}
	return n.Words[1].Text, true
}

// inst wraps a handler that works on the current instance.
func inst(f func(l *lowerer, in *Instance, n *Node)) handler {
	return func(l *lowerer, n *Node) { f(l, l.cur(), n) }
}

func instFlag(f func(in *Instance) *bool) handler {
	return inst(func(l *lowerer, in *Instance, n *Node) { l.noBlock(n); *f(in) = true })
}

func instBool(f func(in *Instance) *bool, set func(fl *instFlags) *bool) handler {
	return inst(func(l *lowerer, in *Instance, n *Node) {
		l.noBlock(n)
		if v, ok := l.boolArg(n, 1); ok {
			*f(in) = v
			if set != nil {
				*set(l.flags()) = true
			}
		}
	})
}

func instInt(f func(in *Instance) *int, lo, hi int) handler {
	return inst(func(l *lowerer, in *Instance, n *Node) {
		l.noBlock(n)
		if v, ok := l.intArg(n, 1, lo, hi); ok {
			*f(in) = v
		}
	})
}

func instSeconds(f func(in *Instance) *time.Duration) handler {
	return inst(func(l *lowerer, in *Instance, n *Node) {
		l.noBlock(n)
		if v, ok := l.intArg(n, 1, 0, maxSeconds); ok {
			*f(in) = seconds(v)
		}
	})
}

func instNotify(f func(in *Instance) **Command) handler {
	return inst(func(l *lowerer, in *Instance, n *Node) {
		dst := f(in)
		if *dst != nil {
			l.errorf(n.Pos(), ClassGeneral, "(%s) %s script already specified - ignoring this one", in.Name, n.Keyword())
			return
		}
		*dst = l.command(n)
	})
}

// instanceTable is the table of vrrp_instance keywords (keepalived 2.2.7).
func instanceTable() table {
	return table{
		"state":             inst((*lowerer).lowerState),
		"interface":         inst((*lowerer).lowerInterface),
		"virtual_router_id": inst((*lowerer).lowerVRID),
		"priority":          inst((*lowerer).lowerPriority),
		"advert_int":        inst((*lowerer).lowerAdvertInt),
		"version": inst(func(l *lowerer, in *Instance, n *Node) {
			l.noBlock(n)
			if v, ok := l.intArg(n, 1, 2, 3); ok {
				in.Version, l.flags().versionSet = v, true
			}
		}),
		"native_ipv6": instFlag(func(in *Instance) *bool { return &in.NativeIPv6 }),
		"nopreempt": inst(func(l *lowerer, in *Instance, n *Node) {
			l.noBlock(n)
			in.Nopreempt = true
			l.flags().nopreemptPos.set(n.Pos())
		}),
		"preempt":             inst(func(l *lowerer, in *Instance, n *Node) { l.noBlock(n); in.Nopreempt = false }),
		"preempt_delay":       inst((*lowerer).lowerPreemptDelay),
		"dont_track_primary":  instFlag(func(in *Instance) *bool { return &in.DontTrackPrimary }),
		"debug":               instInt(func(in *Instance) *int { return &in.Debug }, 0, 4),
		"strict_mode":         instBool(func(in *Instance) *bool { return &in.Strict }, func(f *instFlags) *bool { return &f.strictSet }),
		"skip_check_adv_addr": inst((*lowerer).lowerSkipCheckAdvAddr),
		"accept":              inst(func(l *lowerer, in *Instance, n *Node) { l.noBlock(n); in.Accept, l.flags().acceptSet = true, true }),
		"no_accept":           inst(func(l *lowerer, in *Instance, n *Node) { l.noBlock(n); in.Accept, l.flags().acceptSet = false, true }),
		"down_timer_adverts": inst(func(l *lowerer, in *Instance, n *Node) {
			l.noBlock(n)
			if v, ok := l.intArg(n, 1, 1, 100); ok {
				in.DownTimerAdverts, l.flags().dtaSet = v, true
			}
		}),
		"lower_prio_no_advert":    instBool(func(in *Instance) *bool { return &in.LowerPrioNoAdvert }, func(f *instFlags) *bool { return &f.lpnaSet }),
		"higher_prio_send_advert": instBool(func(in *Instance) *bool { return &in.HigherPrioSendAdvert }, func(f *instFlags) *bool { return &f.hpsaSet }),
		"promote_secondaries":     instFlag(func(in *Instance) *bool { return &in.PromoteSecondaries }),
		"smtp_alert":              instBool(func(in *Instance) *bool { return &in.SMTPAlert }, func(f *instFlags) *bool { return &f.smtpSet }),
		"notify_priority_changes": instBool(func(in *Instance) *bool { return &in.NotifyPriorityChanges }, func(f *instFlags) *bool { return &f.notifyPrioSet }),
		"kernel_rx_buf_size":      instInt(func(in *Instance) *int { return &in.KernelRxBufSize }, 0, 1<<31-1),
		"linkbeat_use_polling": inst(func(l *lowerer, in *Instance, n *Node) {
			l.noBlock(n)
			in.LinkbeatUsePolling = true
			l.errorf(n.Pos(), ClassDeprecated, "(%s) linkbeat_use_polling in a vrrp_instance is deprecated - use linkbeat_interfaces", in.Name)
		}),
		"lvs_sync_daemon_interface": inst(func(l *lowerer, in *Instance, n *Node) {
			l.stringArg(n, &in.LVSSyncDaemonInterface)
			l.errorf(n.Pos(), ClassDeprecated, "(%s) specifying lvs_sync_daemon_interface against a vrrp is deprecated - use global lvs_sync_daemon", in.Name)
		}),
		"unicast_src_ip": inst((*lowerer).lowerSrcIP),
		"mcast_src_ip":   inst((*lowerer).lowerSrcIP),
		"unicast_peer":   inst((*lowerer).lowerUnicastPeers),
		"mcast_dst_ip":   inst((*lowerer).lowerMcastDst),
		"unicast_ttl": inst(func(l *lowerer, in *Instance, n *Node) {
			l.unicastKeyword(n)
			l.flags().unicastTTLPos.set(n.Pos())
			instInt(func(in *Instance) *int { return &in.UnicastTTL }, 0, 255)(l, n)
		}),
		"check_unicast_src": inst(func(l *lowerer, in *Instance, n *Node) {
			l.noBlock(n)
			in.CheckUnicastSrc, l.flags().checkUnicastSrcSet = true, true
			l.unicastKeyword(n)
		}),
		"unicast_fault_no_peer": inst(func(l *lowerer, in *Instance, n *Node) {
			l.noBlock(n)
			in.UnicastFaultNoPeer = true
			l.unicastKeyword(n)
		}),
		"old_unicast_checksum":       inst((*lowerer).lowerOldUnicastChecksum),
		"track_src_ip":               instFlag(func(in *Instance) *bool { return &in.TrackSrcIP }),
		"vrf":                        inst(func(l *lowerer, in *Instance, n *Node) { l.stringArg(n, &in.VRF) }),
		"use_vmac":                   inst((*lowerer).lowerUseVMAC),
		"use_vmac_addr":              instFlag(func(in *Instance) *bool { return &vmacOf(in).UseVMACAddr }),
		"vmac_xmit_base":             instFlag(func(in *Instance) *bool { return &vmacOf(in).XmitBase }),
		"use_ipvlan":                 inst((*lowerer).lowerUseIPVLAN),
		"garp_master_delay":          instSeconds(func(in *Instance) *time.Duration { return &in.GarpMasterDelay }),
		"garp_master_refresh":        instSeconds(func(in *Instance) *time.Duration { return &in.GarpMasterRefresh }),
		"garp_lower_prio_delay":      instSeconds(func(in *Instance) *time.Duration { return &in.GarpLowerPrioDelay }),
		"garp_master_repeat":         instInt(func(in *Instance) *int { return &in.GarpMasterRepeat }, 1, maxSeconds),
		"garp_master_refresh_repeat": instInt(func(in *Instance) *int { return &in.GarpMasterRefreshRepeat }, 1, maxSeconds),
		"garp_lower_prio_repeat":     instInt(func(in *Instance) *int { return &in.GarpLowerPrioRepeat }, 0, maxSeconds),
		"garp_extra_if":              inst((*lowerer).lowerInstGarpExtraIf),
		"vmac_garp_intvl":            inst((*lowerer).lowerInstGarpExtraIf),
		"authentication":             inst((*lowerer).lowerAuthentication),
		"virtual_ipaddress":          inst(func(l *lowerer, in *Instance, n *Node) { in.VIPs = l.addressBlock(n, in.VIPs) }),
		"virtual_ipaddress_excluded": inst(func(l *lowerer, in *Instance, n *Node) { in.EVIPs = l.addressBlock(n, in.EVIPs) }),
		"virtual_routes":             inst((*lowerer).lowerVirtualRoutes),
		"virtual_rules":              inst((*lowerer).lowerVirtualRules),
		"track_interface": inst(func(l *lowerer, in *Instance, n *Node) {
			in.TrackInterfaces = l.trackInterfaces(n, in.TrackInterfaces, in)
		}),
		"track_script": inst(func(l *lowerer, in *Instance, n *Node) {
			in.TrackScripts = l.trackRefs(n, in.TrackScripts, trackScript, in.Name)
		}),
		"track_file": inst(func(l *lowerer, in *Instance, n *Node) {
			in.TrackFiles = l.trackRefs(n, in.TrackFiles, trackFile, in.Name)
		}),
		"track_process": inst(func(l *lowerer, in *Instance, n *Node) {
			in.TrackProcesses = l.trackRefs(n, in.TrackProcesses, trackProcess, in.Name)
		}),
		"track_bfd": inst(func(l *lowerer, in *Instance, n *Node) {
			in.TrackBFDs = l.trackRefs(n, in.TrackBFDs, trackBFD, in.Name)
		}),
		"notify_master":              instNotify(func(in *Instance) **Command { return &in.NotifyMaster }),
		"notify_backup":              instNotify(func(in *Instance) **Command { return &in.NotifyBackup }),
		"notify_fault":               instNotify(func(in *Instance) **Command { return &in.NotifyFault }),
		"notify_stop":                instNotify(func(in *Instance) **Command { return &in.NotifyStop }),
		"notify":                     instNotify(func(in *Instance) **Command { return &in.Notify }),
		"notify_master_rx_lower_pri": instNotify(func(in *Instance) **Command { return &in.NotifyMasterRxLowerPri }),
		"notify_deleted":             inst((*lowerer).lowerNotifyDeleted),
	}
}

func (l *lowerer) lowerState(in *Instance, n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	var s State
	switch t.Text {
	case "MASTER":
		s = StateMaster
	case "BACKUP":
		s = StateBackup
	default:
		d := l.errorf(t.Pos, ClassGeneral, "(%s) unknown state '%s', defaulting to BACKUP", in.Name, t.Text)
		if u := strings.ToUpper(t.Text); u == "MASTER" || u == "BACKUP" {
			d.Hint = "states are case-sensitive: write " + u
		}
		s = StateBackup
	}
	if in.StateSet && in.State == StateMaster && s == StateBackup {
		l.errorf(t.Pos, ClassGeneral, "(%s) state previously set as MASTER - ignoring BACKUP", in.Name)
		return
	}
	in.State, in.StateSet = s, true
}

func (l *lowerer) lowerInterface(in *Instance, n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	if t.Text == "lo" {
		l.errorf(t.Pos, ClassGeneral, "(%s) cannot use a loopback interface (lo) for vrrp - ignoring", in.Name)
		return
	}
	if len(t.Text) >= 16 {
		l.errorf(t.Pos, ClassGeneral, "(%s) interface name '%s' is too long (at most 15 characters) - ignoring", in.Name, t.Text)
		return
	}
	in.Interface = t.Text
	l.requireInterface(t, "vrrp_instance "+in.Name)
}

// requireInterface reports a named interface that does not exist: keepalived
// warns and then refuses to run unless dynamic_interfaces is set.
func (l *lowerer) requireInterface(t Token, what string) {
	if l.env.InterfaceExists(t.Text) {
		return
	}
	if l.cfg.Global.DynamicInterfaces {
		l.warnf(t.Pos, "interface %s for %s doesn't exist (allowed by dynamic_interfaces)", t.Text, what)
		return
	}
	d := l.errorf(t.Pos, ClassWarning, "interface %s for %s doesn't exist", t.Text, what)
	d.CannotRun = true
	d.Hint = "the daemon will not start; set dynamic_interfaces in global_defs to allow it"
}

func (l *lowerer) lowerVRID(in *Instance, n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	v, ok := l.parseInt(n.Keyword(), t, 1, 255)
	if !ok {
		l.diags[len(l.diags)-1].Msg = "(" + in.Name + "): VRID '" + t.Text + "' not valid - must be between 1 & 255"
		return
	}
	in.VRID = v
}

func (l *lowerer) lowerPriority(in *Instance, n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	v, ok := l.parseInt(n.Keyword(), t, 1, 255)
	if !ok {
		l.diags[len(l.diags)-1].Msg += " - priority must be between 1 & 255, using default 100"
		return
	}
	in.Priority, l.flags().prioritySet = v, true
}

func (l *lowerer) lowerAdvertInt(in *Instance, n *Node) {
	l.noBlock(n)
	if v, ok := l.durationArg(n, 1, 10*time.Millisecond, 255*time.Second); ok {
		in.AdvertInt = v
		l.flags().advertIntPos.set(n.Words[1].Pos)
	}
}

func (l *lowerer) lowerPreemptDelay(in *Instance, n *Node) {
	l.noBlock(n)
	if v, ok := l.durationArg(n, 1, 0, 1000*time.Second); ok {
		in.PreemptDelay = v
		l.flags().preemptDelayPos.set(n.Pos())
	}
}

func (l *lowerer) lowerSkipCheckAdvAddr(in *Instance, n *Node) {
	l.noBlock(n)
	// keepalived 2.2.7 turns the option on whatever value follows
	// (reference §3.1); gokeepalived does the same, and says so.
	if len(n.Words) > 1 {
		if v, ok := l.boolArg(n, 1); ok && !v {
			l.warnf(n.Words[1].Pos, "(%s) skip_check_adv_addr %s still turns the check off, as in keepalived 2.2.7; remove the line to keep checking", in.Name, n.Words[1].Text)
		}
	}
	in.SkipCheckAdvAddr = true
}

// addrArg parses an address argument, dropping a "/len" or "-range"
// suffix as keepalived does for source addresses and peers.
func (l *lowerer) addrArg(kw string, t Token) (netip.Addr, bool) {
	s := t.Text
	if i := strings.IndexAny(s, "/-"); i > 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		l.errorf(t.Pos, ClassGeneral, "%s: invalid IP address '%s'", kw, t.Text)
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

func (l *lowerer) lowerSrcIP(in *Instance, n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	a, ok := l.addrArg(n.Keyword(), t)
	if !ok {
		return
	}
	if n.Keyword() == "unicast_src_ip" {
		in.UnicastSrcIP = a
		l.unicastKeyword(n)
	} else {
		in.McastSrcIP = a
	}
}

// unicastKeyword remembers that a unicast-only keyword was used, for the
// "unicast keyword without peers" check.
func (l *lowerer) unicastKeyword(n *Node) {
	if !l.flags().unicastKeyword.IsValid() {
		l.flags().unicastKeyword.set(n.Pos())
	}
}

func (l *lowerer) lowerUnicastPeers(in *Instance, n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, c := range n.Children {
		l.noBlock(c)
		a, ok := l.addrArg("unicast_peer", c.Words[0])
		if !ok {
			continue
		}
		p := UnicastPeer{Addr: a, MinTTL: 0, MaxTTL: 255, Pos: c.Pos()}
		l.peerTTLs(in, c, &p)
		in.UnicastPeers = append(in.UnicastPeers, p)
	}
}

func (l *lowerer) peerTTLs(in *Instance, c *Node, p *UnicastPeer) {
	for i := 1; i < len(c.Words); i += 2 {
		kw := c.Words[i].Text
		if kw != "min_ttl" && kw != "max_ttl" {
			l.errorf(c.Words[i].Pos, ClassGeneral, "(%s) unknown unicast_peer option '%s'", in.Name, kw)
			return
		}
		if i+1 >= len(c.Words) {
			l.errorf(c.Words[i].Pos, ClassMissingParameter, "(%s) %s needs a value", in.Name, kw)
			return
		}
		v, ok := l.parseInt(kw, c.Words[i+1], 0, 255)
		if !ok {
			continue
		}
		if kw == "min_ttl" {
			p.MinTTL = v
		} else {
			p.MaxTTL = v
		}
		in.CheckUnicastSrc = true
	}
}

func (l *lowerer) lowerMcastDst(in *Instance, n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	a, err := netip.ParseAddr(t.Text)
	if err != nil || !a.IsMulticast() {
		l.errorf(t.Pos, ClassGeneral, "(%s) mcast_dst_ip '%s' is not a multicast address - ignoring", in.Name, t.Text)
		return
	}
	in.McastDstIP = a
}

func (l *lowerer) lowerOldUnicastChecksum(in *Instance, n *Node) {
	l.noBlock(n)
	if len(n.Words) > 1 {
		if n.Words[1].Text != "never" {
			l.errorf(n.Words[1].Pos, ClassGeneral, "(%s) unknown old_unicast_checksum option '%s'", in.Name, n.Words[1].Text)
			return
		}
		in.OldUnicastChecksumNever = true
		return
	}
	in.OldUnicastChecksum = true
}

func (l *lowerer) lowerUseVMAC(in *Instance, n *Node) {
	l.noBlock(n)
	v := vmacOf(in)
	v.UseVMAC = true
	for _, t := range n.Args() {
		if isMAC(t.Text) {
			v.Addr = t.Text
			continue
		}
		if v.Name != "" || len(t.Text) >= 16 {
			l.errorf(t.Pos, ClassGeneral, "(%s) invalid use_vmac argument '%s'", in.Name, t.Text)
			continue
		}
		v.Name = t.Text
	}
}

// isMAC reports whether s looks like a MAC address of 5 or 6 octets.
func isMAC(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) != 5 && len(parts) != 6 {
		return false
	}
	for _, p := range parts {
		if len(p) != 2 || strings.Trim(p, "0123456789abcdefABCDEF") != "" {
			return false
		}
	}
	return true
}

func (l *lowerer) lowerUseIPVLAN(in *Instance, n *Node) {
	l.noBlock(n)
	v := vmacOf(in)
	v.UseIPVLAN = true
	for _, t := range n.Args() {
		switch {
		case t.Text == "bridge" || t.Text == "private" || t.Text == "vepa":
			v.IPVLANMode = t.Text
		case strings.ContainsAny(t.Text, ".:") && v.IPVLANAddr == "":
			v.IPVLANAddr = t.Text
		case v.IPVLANName == "":
			v.IPVLANName = t.Text
		default:
			l.errorf(t.Pos, ClassGeneral, "(%s) invalid use_ipvlan argument '%s'", in.Name, t.Text)
		}
	}
}

func (l *lowerer) lowerInstGarpExtraIf(in *Instance, n *Node) {
	if n.Keyword() == "vmac_garp_intvl" {
		l.errorf(n.Pos(), ClassDeprecated, "(%s) vmac_garp_intvl is deprecated - use garp_extra_if", in.Name)
	}
	if d, all, ok := l.garpExtraIf(n, 0); ok {
		in.GarpExtraIf, in.GarpExtraIfAll = d, all
	}
}

func (l *lowerer) lowerAuthentication(in *Instance, n *Node) {
	if !l.wantBlock(n) {
		return
	}
	l.walk(n.Children, table{
		"auth_type": func(l *lowerer, c *Node) {
			l.noBlock(c)
			t, ok := l.arg(c, 1)
			if !ok {
				return
			}
			switch t.Text {
			case "PASS":
				in.AuthType = AuthPass
			case "AH":
				in.AuthType = AuthAH
			default:
				l.errorf(t.Pos, ClassGeneral, "(%s) unknown authentication type '%s'", in.Name, t.Text)
			}
		},
		"auth_pass": func(l *lowerer, c *Node) {
			l.noBlock(c)
			t, ok := l.arg(c, 1)
			if !ok {
				return
			}
			p := t.Text
			if len(p) > 8 {
				l.errorf(t.Pos, ClassGeneral, "(%s) Truncating auth_pass to 8 characters", in.Name)
				p = p[:8]
			}
			in.AuthPass = p
		},
	}, "authentication")
}

func (l *lowerer) lowerNotifyDeleted(in *Instance, n *Node) {
	in.NotifyDeletedSet = true
	if len(n.Words) > 1 {
		in.NotifyDeleted = l.command(n)
	} else {
		l.noBlock(n)
	}
}

// addressBlock lowers a virtual_ipaddress-style block.
func (l *lowerer) addressBlock(n *Node, dst []*Address) []*Address {
	if !l.wantBlock(n) {
		return dst
	}
	for _, c := range n.Children {
		if a := l.parseAddress(c, false); a != nil {
			dst = append(dst, a)
		}
	}
	return dst
}

func (l *lowerer) lowerVirtualRoutes(in *Instance, n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, c := range n.Children {
		if r := l.parseRoute(c, false); r != nil {
			in.Routes = append(in.Routes, r)
		}
	}
}

func (l *lowerer) lowerVirtualRules(in *Instance, n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, c := range n.Children {
		if r := l.parseRule(c, false); r != nil {
			in.Rules = append(in.Rules, r)
		}
	}
}

// vmac returns the instance's VMAC settings, creating them.
func vmacOf(in *Instance) *VMAC {
	if in.VMAC == nil {
		in.VMAC = &VMAC{}
	}
	return in.VMAC
}
