package confparse

import "slices"

// Keywords whose missing value stops keepalived 2.2.7: its handler reads
// the value without checking that there is one, and lib/parser.c's
// strvec_slot then logs "Configuration line starting `KW` is missing a
// parameter after keyword `KW` at word position 2" and the configuration
// is not read further; `keepalived -t` exits 2, and so does the daemon
// (its VRRP child exits with CONFIG). Other keywords given no value are
// ordinary errors (keepalived goes on reading and -t exits 5), some are
// flags. The lists are what keepalived 2.2.7 does, measured by running it
// on every keyword of every table below with no value
// (TestIntegrationBareKeywordParity runs that comparison in CI); the top
// level's block keywords stop keepalived even when a block follows.

// ExitMissingValue is keepalived's exit code, in -t and as a daemon, once
// it stopped on a missing value.
const ExitMissingValue = 2

// stopsBare lists, by scope (as walk names it), the keywords that stop
// keepalived when they have no value.
var stopsBare = map[string]map[string]bool{
	"the top level": set("child_wait_time", "track_file", "virtual_server", "virtual_server_group", "vrrp_script",
		"vrrp_track_file", "vrrp_track_process"),
	"garp_group": set(
		"garp_interval", "gna_interval", "interface",
	),
	"global_defs": set(
		"bfd_process_name", "bfd_rlimit_rtime", "bfd_rlimit_rttime", "checker_process_name",
		"checker_rlimit_rtime", "checker_rlimit_rttime", "config_save_dir", "lvs_process_name",
		"nftables_ipvs_priority", "nftables_ipvs_start_fwmark", "nftables_priority", "process_name", "random_seed",
		"smtp_connect_timeout", "smtp_server", "umask", "vmac_addr_prefix", "vmac_prefix",
		"vrrp_down_timer_adverts", "vrrp_garp_interval", "vrrp_garp_lower_prio_delay",
		"vrrp_garp_lower_prio_repeat", "vrrp_garp_master_delay", "vrrp_garp_master_refresh",
		"vrrp_garp_master_refresh_repeat", "vrrp_garp_master_repeat", "vrrp_gna_interval", "vrrp_mcast_group4",
		"vrrp_mcast_group6", "vrrp_process_name", "vrrp_rlimit_rtime", "vrrp_rlimit_rttime", "vrrp_startup_delay",
		"vrrp_version",
	),
	"vrrp_instance": set(
		"advert_int", "debug", "down_timer_adverts", "garp_lower_prio_delay", "garp_lower_prio_repeat",
		"garp_master_delay", "garp_master_refresh", "garp_master_refresh_repeat", "garp_master_repeat",
		"interface", "lvs_sync_daemon_interface", "mcast_dst_ip", "mcast_src_ip", "notify", "notify_backup",
		"notify_fault", "notify_master", "notify_master_rx_lower_pri", "notify_stop", "preempt_delay", "priority",
		"state", "unicast_src_ip", "unicast_ttl", "version", "virtual_router_id", "vrf",
	),
	"vrrp_script": set(
		"fall", "interval", "rise", "timeout", "user", "weight",
	),
	"vrrp_sync_group": set(
		"notify", "notify_backup", "notify_fault", "notify_master", "notify_stop",
	),
	"vrrp_track_process": set(
		"delay", "fork_delay", "process", "quorum", "quorum_max", "terminate_delay",
	),
	// The LVS side's blocks (lvs.go), measured the same way.
	"DNS_CHECK":  checkerStops("name", "type"),
	"FILE_CHECK": set("track_file"),
	"HTTP_GET":   checkerStops("nb_get_retry"),
	"host":       checkerStops(), // SMTP_CHECK's host blocks
	"MISC_CHECK": set("delay_before_retry", "delay_loop", "misc_timeout", "retry", "warmup"),
	"PING_CHECK": checkerStops(),
	"SMTP_CHECK": checkerStops(),
	"SSL_GET":    checkerStops("nb_get_retry"),
	"TCP_CHECK":  checkerStops(),
	"UDP_CHECK":  checkerStops("max_reply_length", "min_reply_length"),
	"real_server": set(
		"connect_timeout", "delay_before_retry", "delay_loop", "lthreshold", "lvs_method", "notify_down", "notify_up",
		"retry", "uthreshold", "warmup", "weight",
	),
	"url": set("digest", "path"),
	"virtual_server": set(
		"connect_timeout", "delay_before_retry", "delay_loop", "hysteresis", "ip_family", "lb_algo", "lb_kind",
		"lvs_method", "lvs_sched", "persistence_engine", "persistence_granularity", "protocol", "quorum",
		"quorum_down", "quorum_up", "real_server", "retry", "sorry_server", "warmup", "weight",
	),
}

// checkerStops is the stopping keywords of a checker with connection
// keywords: those of install_checker_common_keywords, and more.
func checkerStops(more ...string) map[string]bool {
	return set(append([]string{"bind_if", "bind_port", "bindto", "connect_ip", "connect_port", "connect_timeout",
		"delay_before_retry", "delay_loop", "fwmark", "retry", "warmup"}, more...)...)
}

func set(kws ...string) map[string]bool {
	m := make(map[string]bool, len(kws))
	for _, k := range kws {
		m[k] = true
	}
	return m
}

// stopsOnMissingValue reports, as keepalived does, a keyword of scope
// that stops keepalived for want of a value, and stops the lowering.
func (l *lowerer) stopsOnMissingValue(n *Node, scope string) bool {
	if len(n.Words) != 1 || !stopsBare[scope][n.Keyword()] || (n.HasBlock && scope != "the top level") {
		return false
	}
	d := l.errorf(n.Pos(), ClassMissingParameter,
		"Configuration line starting `%s` is missing a parameter after keyword `%s` at word position 2 - keepalived reads no further",
		n.Keyword(), n.Keyword())
	d.CannotRun, d.Stop = true, true
	l.stopped = true
	return true
}

// Keywords returns the keywords gokeepalived reads, by the block they
// belong to (global_defs, vrrp_instance, vrrp_script, track_file,
// vrrp_track_process, vrrp_sync_group, garp_group, and "the top level"),
// each list sorted.
func Keywords() map[string][]string {
	out := map[string][]string{}
	for scope, build := range map[string]func() table{
		"the top level": topTable, "global_defs": globalTable, "vrrp_instance": instanceTable,
		"vrrp_script": scriptTable, "track_file": trackFileTable, "vrrp_track_process": trackProcessTable,
		"vrrp_sync_group": syncGroupTable, "garp_group": garpGroupTable,
		"virtual_server": vsTable, "real_server": rsTable, "url": urlTable, "SSL": sslTable,
	} {
		for kw := range build() {
			out[scope] = append(out[scope], kw)
		}
		slices.Sort(out[scope])
	}
	for kind, build := range checkerTables() {
		for kw := range build() {
			out[kind] = append(out[kind], kw)
		}
		slices.Sort(out[kind])
	}
	return out
}
