package confparse

// topTable is the table of keywords allowed outside any block.
func topTable() table {
	return table{
		"global_defs":              (*lowerer).lowerGlobalDefs,
		"vrrp_instance":            (*lowerer).lowerInstance,
		"vrrp_script":              (*lowerer).lowerScript,
		"vrrp_sync_group":          (*lowerer).lowerSyncGroup,
		"track_file":               (*lowerer).lowerTrackFile,
		"vrrp_track_file":          (*lowerer).lowerTrackFileDeprecated,
		"vrrp_track_process":       (*lowerer).lowerTrackProcess,
		"garp_group":               (*lowerer).lowerGarpGroup,
		"static_ipaddress":         func(l *lowerer, n *Node) { l.lowerStaticAddresses(n) },
		"static_routes":            func(l *lowerer, n *Node) { l.lowerStaticRoutes(n) },
		"static_rules":             func(l *lowerer, n *Node) { l.lowerStaticRules(n) },
		"linkbeat_interfaces":      (*lowerer).lowerLinkbeat,
		"interface_up_down_delays": (*lowerer).lowerAcceptedBlock,
		"track_group": func(l *lowerer, n *Node) {
			if len(n.Words) == 1 {
				l.errorf(n.Pos(), ClassGeneral, "track_group must have a name - skipping")
				return
			}
			l.lowerAcceptedBlock(n)
		},
		"virtual_server":       (*lowerer).lowerLVS,
		"virtual_server_group": (*lowerer).lowerLVS,
		"SSL":                  (*lowerer).lowerLVS,
		"bfd_instance":         (*lowerer).lowerNotRun,
		"net_namespace": func(l *lowerer, n *Node) {
			l.stringArg(n, &l.cfg.TopLevel.NetNamespace)
		},
		"net_namespace_ipvs": func(l *lowerer, n *Node) {
			l.stringArg(n, &l.cfg.TopLevel.NetNamespaceIPVS)
		},
		"namespace_with_ipsets": flagKw(func(l *lowerer) *bool { return &l.cfg.TopLevel.NamespaceWithIPSets }),
		"instance": func(l *lowerer, n *Node) {
			l.stringArg(n, &l.cfg.TopLevel.Instance)
		},
		"use_pid_dir":          flagKw(func(l *lowerer) *bool { return &l.cfg.TopLevel.UsePIDDir }),
		"linkbeat_use_polling": flagKw(func(l *lowerer) *bool { return &l.cfg.TopLevel.LinkbeatUsePolling }),
		"child_wait_time": func(l *lowerer, n *Node) {
			if v, ok := l.intArg(n, 1, 0, 1<<31-1); ok {
				l.cfg.TopLevel.ChildWaitTime = seconds(v)
			}
		},
	}
}

// scope is a kind of block with its table builder.
type scope struct {
	name  string
	build func() table
}

// scopes lists every kind of block, in the order in which a misplaced
// keyword's home is looked for.
func scopes() []scope {
	return []scope{
		{"global_defs", globalTable}, {"vrrp_instance", instanceTable}, {"the top level", topTable},
		{"vrrp_script", scriptTable}, {"vrrp_sync_group", syncGroupTable}, {"track_file", trackFileTable},
		{"vrrp_track_process", trackProcessTable}, {"garp_group", garpGroupTable},
	}
}

// elsewhere names the block a keyword belongs in, or "".
func (l *lowerer) elsewhere(kw string) string {
	for _, sc := range scopes() {
		if _, ok := l.table(sc.name, sc.build)[kw]; ok {
			return sc.name
		}
	}
	return ""
}

// stringArg stores the first argument of n in dst.
func (l *lowerer) stringArg(n *Node, dst *string) {
	l.noBlock(n)
	if t, ok := l.arg(n, 1); ok {
		*dst = t.Text
	}
}

// lowerNotRun records a block of a subsystem gokeepalived does not run.
func (l *lowerer) lowerNotRun(n *Node) {
	name := ""
	if len(n.Words) > 1 {
		name = n.Line.String()[len(n.Keyword())+1:]
	}
	l.cfg.NotRun = append(l.cfg.NotRun, NotRunBlock{Keyword: n.Keyword(), Name: name, Pos: n.Pos(), Node: n})
	l.warnf(n.Pos(), "%s block is read but not run: gokeepalived runs only the VRRP side (as keepalived -P)", n.Keyword())
}

// lowerAcceptedBlock accepts a VRRP-side block whose contents gokeepalived
// does not act on yet, recording it like a not-run block.
func (l *lowerer) lowerAcceptedBlock(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	l.lowerNotRun(n)
}

// lowerLinkbeat checks a linkbeat_interfaces block as keepalived's
// alloc_linkbeat_interface does: each entry names an interface that exists
// (or dynamic_interfaces is set), optionally followed by MII, ETHTOOL or
// IOCTL.
func (l *lowerer) lowerLinkbeat(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, e := range n.Children {
		name := e.Keyword()
		if !l.interfaceUsable(name) {
			l.errorf(e.Pos(), ClassFatal, "unknown interface %s specified for linkbeat interface", name)
			continue
		}
		if len(e.Words) > 1 {
			switch e.Words[1].Text {
			case "MII", "ETHTOOL", "IOCTL":
				if len(e.Words) == 2 {
					continue
				}
			}
			l.errorf(e.Words[1].Pos, ClassGeneral, "extra characters %s in linkbeat interface", e.Words[1].Text)
		}
	}
	l.lowerNotRun(n)
}
