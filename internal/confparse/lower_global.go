package confparse

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// defaultGlobal returns keepalived 2.2.7's global defaults (reference §2).
func defaultGlobal() Global {
	return Global{
		Version:                 2,
		GarpMasterDelay:         5 * time.Second,
		GarpMasterRepeat:        5,
		GarpMasterRefreshRepeat: 1,
		GarpLowerPrioDelay:      -1,
		GarpLowerPrioRepeat:     -1,
		DownTimerAdverts:        3,
		McastGroup4:             netip.MustParseAddr("224.0.0.18"),
		McastGroup6:             netip.MustParseAddr("ff02::12"),
		SMTPConnectTimeout:      30 * time.Second,
		DefaultInterface:        "eth0",
		MinAutoPriorityDelay:    time.Second,
		VRRPRlimitRTTime:        10000,
		VMACPrefix:              "vrrp",
		StartupScriptTimeout:    10 * time.Second,
		ShutdownScriptTimeout:   10 * time.Second,
	}
}

// maxSeconds bounds whole-second timers, as keepalived's TIMER_MAX does.
const maxSeconds = 1<<31 - 1

func seconds(v int) time.Duration { return time.Duration(v) * time.Second }

// globalTable is the table of global_defs keywords.
func globalTable() table {
	g := func(f func(g *Global) *bool) handler {
		return flagKw(func(l *lowerer) *bool { return f(&l.cfg.Global) })
	}
	t := table{
		"router_id":                        globalString(func(g *Global) *string { return &g.RouterID }),
		"vrrp_strict":                      g(func(g *Global) *bool { return &g.Strict }),
		"vrrp_skip_check_adv_addr":         g(func(g *Global) *bool { return &g.SkipCheckAdvAddr }),
		"vrrp_check_unicast_src":           g(func(g *Global) *bool { return &g.CheckUnicastSrc }),
		"enable_script_security":           g(func(g *Global) *bool { return &g.EnableScriptSecurity }),
		"vrrp_no_swap":                     g(func(g *Global) *bool { return &g.VRRPNoSwap }),
		"no_email_faults":                  g(func(g *Global) *bool { return &g.NoEmailFaults }),
		"log_unknown_vrids":                g(func(g *Global) *bool { return &g.LogUnknownVRIDs }),
		"data_use_instance":                g(func(g *Global) *bool { return &g.DataUseInstance }),
		"fifo_write_vrrp_states_on_reload": g(func(g *Global) *bool { return &g.FifoWriteStatesOnReload }),
		"vrrp_garp_interval":               globalDecimal(func(g *Global) *time.Duration { return &g.GarpInterval }, time.Microsecond, maxSeconds*time.Second),
		"vrrp_gna_interval":                globalDecimal(func(g *Global) *time.Duration { return &g.GnaInterval }, time.Microsecond, maxSeconds*time.Second),
		"vrrp_startup_delay":               globalDecimal(func(g *Global) *time.Duration { return &g.VRRPStartupDelay }, time.Millisecond, maxSeconds*time.Second),
		"vrrp_version":                     globalInt(func(g *Global) *int { return &g.Version }, 2, 3),
		"vrrp_garp_master_delay":           globalSeconds(func(g *Global) *time.Duration { return &g.GarpMasterDelay }),
		"vrrp_garp_master_refresh":         globalSeconds(func(g *Global) *time.Duration { return &g.GarpMasterRefresh }),
		"vrrp_garp_lower_prio_delay":       globalSeconds(func(g *Global) *time.Duration { return &g.GarpLowerPrioDelay }),
		"vrrp_garp_master_repeat":          globalInt(func(g *Global) *int { return &g.GarpMasterRepeat }, 1, maxSeconds),
		"vrrp_garp_master_refresh_repeat":  globalInt(func(g *Global) *int { return &g.GarpMasterRefreshRepeat }, 1, maxSeconds),
		"vrrp_garp_lower_prio_repeat":      globalInt(func(g *Global) *int { return &g.GarpLowerPrioRepeat }, 0, maxSeconds),
		"vrrp_down_timer_adverts":          globalInt(func(g *Global) *int { return &g.DownTimerAdverts }, 1, 100),
		"vrrp_priority":                    globalInt(func(g *Global) *int { return &g.VRRPPriority }, -20, 19),
		"vrrp_rt_priority":                 globalInt(func(g *Global) *int { return &g.VRRPRTPriority }, 1, 99),
		"vrrp_rlimit_rttime":               globalInt(func(g *Global) *int { return &g.VRRPRlimitRTTime }, 2, maxSeconds),
		"vrrp_rlimit_rtime":                globalInt(func(g *Global) *int { return &g.VRRPRlimitRTTime }, 2, maxSeconds),
		"vrrp_lower_prio_no_advert":        globalBool(func(g *Global) *bool { return &g.LowerPrioNoAdvert }),
		"vrrp_higher_prio_send_advert":     globalBool(func(g *Global) *bool { return &g.HigherPrioSendAdvert }),
		"vrrp_min_garp":                    globalBool(func(g *Global) *bool { return &g.MinGarp }),
		"vrrp_notify_priority_changes":     globalBool(func(g *Global) *bool { return &g.NotifyPriorityChanges }),
		"vrrp_mcast_group4":                (*lowerer).lowerMcastGroup4,
		"vrrp_mcast_group6":                (*lowerer).lowerMcastGroup6,
		"vrrp_garp_extra_if":               (*lowerer).lowerGarpExtraIf,
		"vrrp_vmac_garp_intvl":             (*lowerer).lowerGarpExtraIf,
		"script_user":                      (*lowerer).lowerScriptUser,
		"vrrp_notify_fifo":                 func(l *lowerer, n *Node) { l.lowerFifo(n, &l.cfg.Global.VRRPNotifyFifo) },
		"notify_fifo":                      func(l *lowerer, n *Node) { l.lowerFifo(n, &l.cfg.Global.NotifyFifo) },
		"vrrp_notify_fifo_script":          func(l *lowerer, n *Node) { l.lowerFifoScript(n, &l.cfg.Global.VRRPNotifyFifo) },
		"notify_fifo_script":               func(l *lowerer, n *Node) { l.lowerFifoScript(n, &l.cfg.Global.NotifyFifo) },
		"notification_email":               (*lowerer).lowerNotificationEmail,
		"notification_email_from":          func(l *lowerer, n *Node) { l.stringArg(n, &l.cfg.Global.NotificationEmailFrom) },
		"smtp_server":                      (*lowerer).lowerSMTPServer,
		"smtp_helo_name": func(l *lowerer, n *Node) {
			if len(n.Words) > 1 { // keepalived takes it with no value
				l.stringArg(n, &l.cfg.Global.SMTPHeloName)
			}
		},
		"smtp_connect_timeout":    globalSeconds(func(g *Global) *time.Duration { return &g.SMTPConnectTimeout }),
		"smtp_alert":              globalOptBool(func(g *Global) **bool { return &g.SMTPAlert }),
		"smtp_alert_vrrp":         globalOptBool(func(g *Global) **bool { return &g.SMTPAlertVRRP }),
		"default_interface":       func(l *lowerer, n *Node) { l.stringArg(n, &l.cfg.Global.DefaultInterface) },
		"dynamic_interfaces":      (*lowerer).lowerDynamicInterfaces,
		"max_auto_priority":       (*lowerer).lowerMaxAutoPriority,
		"min_auto_priority_delay": globalMicros(func(g *Global) *time.Duration { return &g.MinAutoPriorityDelay }, 1, 10000000),
		"vmac_prefix":             func(l *lowerer, n *Node) { l.stringArg(n, &l.cfg.Global.VMACPrefix) },
		"vmac_addr_prefix":        func(l *lowerer, n *Node) { l.stringArg(n, &l.cfg.Global.VMACAddrPrefix) },
		"startup_script":          func(l *lowerer, n *Node) { l.cfg.Global.StartupScript = l.command(n) },
		"shutdown_script":         func(l *lowerer, n *Node) { l.cfg.Global.ShutdownScript = l.command(n) },
		"startup_script_timeout":  globalSecondsRange(func(g *Global) *time.Duration { return &g.StartupScriptTimeout }, 1, 1000),
		"shutdown_script_timeout": globalSecondsRange(func(g *Global) *time.Duration { return &g.ShutdownScriptTimeout }, 1, 1000),
		"random_seed":             (*lowerer).lowerRandomSeed,
		"include_check":           (*lowerer).lowerIncludeCheck,
		"vrrp_cpu_affinity":       (*lowerer).lowerOtherGlobal,
	}
	for _, kw := range otherGlobalKeywords {
		if _, ok := t[kw]; !ok {
			t[kw] = (*lowerer).lowerOtherGlobal
		}
	}
	return t
}

// otherGlobalKeywords are the global_defs keywords of keepalived 2.2.7 that
// have no effect on the VRRP side; they are accepted and kept as Settings.
var otherGlobalKeywords = []string{
	"bfd_cpu_affinity", "bfd_no_swap", "bfd_priority", "bfd_process_name", "bfd_rlimit_rtime", "bfd_rlimit_rttime",
	"bfd_rt_priority", "checker_cpu_affinity", "checker_log_all_failures", "checker_no_swap", "checker_priority",
	"checker_process_name", "checker_rlimit_rtime", "checker_rlimit_rttime", "checker_rt_priority",
	"config_save_dir", "dbus_service_name", "disable_local_igmp", "enable_dbus", "enable_snmp_checker",
	"enable_snmp_keepalived", "enable_snmp_rfc", "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_vrrp",
	"enable_traps", "lvs_flush", "lvs_flush_on_stop", "lvs_flush_onstop", "lvs_netlink_cmd_rcv_bufs",
	"lvs_netlink_cmd_rcv_bufs_force", "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force",
	"lvs_notify_fifo", "lvs_notify_fifo_script", "lvs_process_name", "lvs_sync_daemon", "lvs_timeouts",
	"nftables", "nftables_counters", "nftables_ifindex", "nftables_ipvs", "nftables_ipvs_priority",
	"nftables_ipvs_start_fwmark", "nftables_priority", "no_checker_emails", "process_monitor_rcv_bufs",
	"process_monitor_rcv_bufs_force", "process_names", "process_name", "vrrp_process_name", "reload_check_config",
	"reload_file", "reload_repeat", "reload_time_file", "rs_init_notifies", "smtp_alert_checker",
	"tmp_config_directory", "umask", "vrrp_iptables", "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force",
	"vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force", "vrrp_rx_bufs_multiplier",
	"vrrp_rx_bufs_policy",
}

// bareGlobalErrors are keepalived 2.2.7's errors for global_defs keywords
// of its other processes given no value (measured, as stopsBare).
var bareGlobalErrors = map[string]string{
	"bfd_cpu_affinity":              "No bfd cpu_id set specified",
	"bfd_priority":                  "No bfd process priority specified",
	"bfd_rt_priority":               "No bfd process real-time priority specified",
	"checker_cpu_affinity":          "No checker cpu_id set specified",
	"checker_priority":              "No checker process priority specified",
	"checker_rt_priority":           "No checker process real-time priority specified",
	"dbus_service_name":             "dbus_service_name missing - ignoring",
	"lvs_netlink_cmd_rcv_bufs":      "lvs_netlink_cmd_rcv_bufs size missing",
	"lvs_netlink_monitor_rcv_bufs":  "lvs_netlink_monitor_rcv_bufs size missing",
	"lvs_notify_fifo":               "No lvs_notify_fifo name specified",
	"lvs_notify_fifo_script":        "No lvs_notify_fifo_script specified",
	"lvs_sync_daemon":               "lvs_sync_daemon requires interface",
	"lvs_timeouts":                  "lvs_timeouts requires at least one option",
	"process_monitor_rcv_bufs":      "process_monitor_rcv_bufs size missing",
	"reload_time_file":              "reload_time_file invalid",
	"tmp_config_directory":          "tmp_config_directory missing directory name",
	"vrrp_cpu_affinity":             "No vrrp cpu_id set specified",
	"vrrp_iptables":                 "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option",
	"vrrp_netlink_cmd_rcv_bufs":     "vrrp_netlink_cmd_rcv_bufs size missing",
	"vrrp_netlink_monitor_rcv_bufs": "vrrp_netlink_monitor_rcv_bufs size missing",
	"vrrp_rx_bufs_multiplier":       "Invalid vrrp_rx_bufs_multiplier",
	"vrrp_rx_bufs_policy":           "vrrp_rx_bufs_policy missing",
}

func (l *lowerer) lowerGlobalDefs(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	l.walk(n.Children, l.table("global_defs", globalTable), "global_defs")
}

func globalString(f func(g *Global) *string) handler {
	return func(l *lowerer, n *Node) { l.stringArg(n, f(&l.cfg.Global)) }
}

func globalInt(f func(g *Global) *int, lo, hi int) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		if v, ok := l.intArg(n, 1, lo, hi); ok {
			*f(&l.cfg.Global) = v
		}
	}
}

func globalDecimal(f func(g *Global) *time.Duration, lo, hi time.Duration) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		if v, ok := l.durationArg(n, 1, lo, hi); ok {
			*f(&l.cfg.Global) = v
		}
	}
}

func globalSeconds(f func(g *Global) *time.Duration) handler {
	return globalSecondsRange(f, 0, maxSeconds)
}

func globalSecondsRange(f func(g *Global) *time.Duration, lo, hi int) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		if v, ok := l.intArg(n, 1, lo, hi); ok {
			*f(&l.cfg.Global) = seconds(v)
		}
	}
}

func globalMicros(f func(g *Global) *time.Duration, lo, hi int) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		if v, ok := l.intArg(n, 1, lo, hi); ok {
			*f(&l.cfg.Global) = time.Duration(v) * time.Microsecond
		}
	}
}

func globalBool(f func(g *Global) *bool) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		if v, ok := l.boolArg(n, 1); ok {
			*f(&l.cfg.Global) = v
		}
	}
}

func globalOptBool(f func(g *Global) **bool) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		if v, ok := l.boolArg(n, 1); ok {
			*f(&l.cfg.Global) = &v
		}
	}
}

// lowerOtherGlobal keeps a global_defs keyword that has no VRRP effect.
func (l *lowerer) lowerOtherGlobal(n *Node) {
	if msg, ok := bareGlobalErrors[n.Keyword()]; ok && len(n.Words) == 1 && !n.HasBlock {
		l.errorf(n.Pos(), ClassGeneral, "%s", msg)
		return
	}
	s := Setting{Keyword: n.Keyword(), Pos: n.Pos()}
	for _, t := range n.Args() {
		s.Args = append(s.Args, t.Text)
	}
	for _, c := range n.Children {
		for _, t := range c.Words {
			s.Args = append(s.Args, t.Text)
		}
	}
	l.cfg.Global.Other = append(l.cfg.Global.Other, s)
}

func (l *lowerer) mcastArg(n *Node, want6 bool) (netip.Addr, bool) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(t.Text)
	if err != nil || !a.IsMulticast() || a.Is6() != want6 {
		l.errorf(t.Pos, ClassGeneral, "%s: '%s' is not an IPv%s multicast address - ignoring", n.Keyword(), t.Text, map[bool]string{false: "4", true: "6"}[want6])
		return netip.Addr{}, false
	}
	return a, true
}

func (l *lowerer) lowerMcastGroup4(n *Node) {
	if a, ok := l.mcastArg(n, false); ok {
		l.cfg.Global.McastGroup4 = a
	}
}

func (l *lowerer) lowerMcastGroup6(n *Node) {
	if a, ok := l.mcastArg(n, true); ok {
		if !a.IsLinkLocalMulticast() {
			l.warnf(n.Words[1].Pos, "vrrp_mcast_group6 %s is not a link-local (ff02::) group", a)
		}
		l.cfg.Global.McastGroup6 = a
	}
}

// garpExtraIf parses "[all] SECS" for vrrp_garp_extra_if and garp_extra_if.
func (l *lowerer) garpExtraIf(n *Node, lo int) (time.Duration, bool, bool) {
	l.noBlock(n)
	i, all := 1, false
	if len(n.Words) > 1 && n.Words[1].Text == "all" {
		i, all = 2, true
	}
	v, ok := l.intArg(n, i, lo, 86400)
	return seconds(v), all, ok
}

func (l *lowerer) lowerGarpExtraIf(n *Node) {
	if n.Keyword() == "vrrp_vmac_garp_intvl" {
		l.errorf(n.Pos(), ClassDeprecated, "vrrp_vmac_garp_intvl is deprecated - use vrrp_garp_extra_if")
	}
	if d, all, ok := l.garpExtraIf(n, 1); ok {
		l.cfg.Global.GarpExtraIf, l.cfg.Global.GarpExtraIfAll = d, all
	}
}

func (l *lowerer) lowerScriptUser(n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	l.cfg.Global.ScriptUser = t.Text
	if len(n.Words) > 2 {
		l.cfg.Global.ScriptGroup = n.Words[2].Text
	}
}

func (l *lowerer) lowerFifo(n *Node, dst **Fifo) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	f := *dst
	if f == nil {
		f = &Fifo{}
		*dst = f
	}
	f.Path, f.Pos = t.Text, t.Pos
	if len(n.Words) > 2 {
		f.User = n.Words[2].Text
	}
	if len(n.Words) > 3 {
		f.Group = n.Words[3].Text
	}
}

func (l *lowerer) lowerFifoScript(n *Node, dst **Fifo) {
	c := l.command(n)
	if c == nil {
		return
	}
	if *dst == nil {
		*dst = &Fifo{}
	}
	(*dst).Script = c
}

func (l *lowerer) lowerNotificationEmail(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	for _, c := range n.Children {
		for _, t := range c.Words {
			l.cfg.Global.NotificationEmail = append(l.cfg.Global.NotificationEmail, t.Text)
		}
	}
}

func (l *lowerer) lowerSMTPServer(n *Node) {
	l.noBlock(n)
	t, ok := l.arg(n, 1)
	if !ok {
		return
	}
	host, port := t.Text, "25"
	if len(n.Words) > 2 {
		port = n.Words[2].Text
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		l.errorf(n.Pos(), ClassGeneral, "Invalid smtp server %s %s", host, port).Hint = "the port must be 1-65535"
		return
	}
	l.cfg.Global.SMTPServer = host
	if len(n.Words) > 2 {
		l.cfg.Global.SMTPServer += " " + port
	}
	// As keepalived's smtpserver_handler: an address unless the text has
	// '-' or '/', else a name resolved now, once.
	if !strings.ContainsAny(host, "-/") {
		if a, _, ok := lvsSockaddr(host, ""); ok {
			l.cfg.Global.SMTPAddr = netip.AddrPortFrom(a, uint16(p))
			return
		}
	}
	addrs, err := l.lookupHost(host)
	if err != nil || len(addrs) == 0 {
		d := l.errorf(n.Pos(), ClassGeneral, "Invalid smtp server %s %s", host, port)
		d.Hint = "the name does not resolve"
		if err != nil {
			d.Hint += ": " + err.Error()
		}
		return
	}
	l.cfg.Global.SMTPAddr = netip.AddrPortFrom(addrs[0].Unmap(), uint16(p))
	l.warnf(n.Pos(), "smtp_server %s resolves to %s; like keepalived, gokeepalived resolves it once, when the configuration is read", host, addrs[0].Unmap())
}

// Resolver is implemented by an Environment that resolves host names
// itself (tests); other environments use the system's resolver.
type Resolver interface {
	LookupHost(name string) ([]netip.Addr, error)
}

// lookupHost resolves a host name as getaddrinfo would.
func (l *lowerer) lookupHost(name string) ([]netip.Addr, error) {
	if r, ok := l.env.(Resolver); ok {
		return r.LookupHost(name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupNetIP(ctx, "ip", name)
}

func (l *lowerer) lowerDynamicInterfaces(n *Node) {
	l.noBlock(n)
	l.cfg.Global.DynamicInterfaces = true
	if len(n.Words) > 1 {
		if n.Words[1].Text != "allow_if_changes" {
			l.errorf(n.Words[1].Pos, ClassGeneral, "unknown dynamic_interfaces option '%s'", n.Words[1].Text)
			return
		}
		l.cfg.Global.DynamicInterfacesChanges = true
	}
}

func (l *lowerer) lowerMaxAutoPriority(n *Node) {
	l.noBlock(n)
	if len(n.Words) < 2 {
		l.cfg.Global.MaxAutoPriority = 99
		return
	}
	if v, ok := l.intArg(n, 1, -1, 99); ok {
		l.cfg.Global.MaxAutoPriority = v
	}
}

func (l *lowerer) lowerRandomSeed(n *Node) {
	l.noBlock(n)
	if v, ok := l.intArg(n, 1, 0, 1<<31-1); ok {
		l.cfg.Global.RandomSeed = int64(v)
	}
}

// lowerIncludeCheck records include_check; the reader has already applied it.
func (l *lowerer) lowerIncludeCheck(n *Node) {
	l.noBlock(n)
	for _, t := range n.Args() {
		l.cfg.Global.IncludeCheck = append(l.cfg.Global.IncludeCheck, t.Text)
	}
}
