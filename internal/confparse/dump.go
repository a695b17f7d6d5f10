package confparse

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// DumpHeader is the first line of every dump; its number changes when the
// format does.
const DumpHeader = "# gokeepalived normalised configuration, format 1"

// Dump writes cfg in gokeepalived's normalised form: keepalived syntax, one
// keyword per line, four-space indents, every value explicit (keepalived's
// defaults filled in), blocks in a fixed order (global_defs, top-level
// keywords, vrrp_script, track_file, vrrp_track_process, garp_group,
// static blocks, vrrp_instance, vrrp_sync_group), keywords inside a block in
// a fixed order. Blocks gokeepalived does not run are listed as comments.
// Reading a dump back gives the same dump.
func Dump(w io.Writer, cfg *Config) error {
	d := &dumper{}
	d.line(0, DumpHeader)
	d.global(&cfg.Global)
	d.top(&cfg.TopLevel)
	for _, s := range cfg.Scripts {
		d.script(s)
	}
	for _, f := range cfg.TrackFiles {
		d.trackFile(f)
	}
	for _, p := range cfg.TrackProcesses {
		d.trackProcess(p)
	}
	for _, g := range cfg.GarpGroups {
		d.garpGroup(g)
	}
	d.static(cfg)
	for _, in := range cfg.Instances {
		d.instance(in)
	}
	for _, g := range cfg.SyncGroups {
		d.syncGroup(g)
	}
	for _, b := range cfg.NotRun {
		d.line(0, "# not run by gokeepalived:")
		d.node(0, b.Node)
	}
	_, err := io.WriteString(w, d.b.String())
	return err
}

type dumper struct{ b strings.Builder }

func (d *dumper) line(depth int, s string) {
	d.b.WriteString(strings.Repeat("    ", depth))
	d.b.WriteString(s)
	d.b.WriteByte('\n')
}

// kv writes "keyword words..." with each word quoted as needed.
func (d *dumper) kv(depth int, kw string, words ...string) {
	parts := []string{kw}
	for _, w := range words {
		parts = append(parts, quoteWord(w))
	}
	d.line(depth, strings.Join(parts, " "))
}

func (d *dumper) open(depth int, head string) { d.line(depth, head+" {") }
func (d *dumper) close(depth int)             { d.line(depth, "}") }

// quoteWord double-quotes a word that would not read back as itself.
func quoteWord(w string) string { return config.QuoteWord(w) }

// node writes a statement as read, with its block.
func (d *dumper) node(depth int, n *Node) {
	words := make([]string, len(n.Words))
	for i, w := range n.Words {
		words[i] = quoteWord(w.Text)
	}
	head := strings.Join(words, " ")
	if !n.HasBlock {
		d.line(depth, head)
		return
	}
	d.open(depth, head)
	for _, c := range n.Children {
		d.node(depth+1, c)
	}
	d.close(depth)
}

// quoteCommand renders a command so that keepalived's two passes of the
// quote-and-escape tokeniser give back the same words: each word single-
// quoted when needed with bytes outside a safe set written as octal
// escapes, then the whole wrapped in double quotes with its backslashes
// doubled.
func quoteCommand(c *Command) string {
	inner := make([]string, len(c.Args))
	for i, a := range c.Args {
		inner[i] = quoteArg(a)
	}
	s := strings.Join(inner, " ")
	s = strings.ReplaceAll(s, `\`, `\\`)
	return `"` + s + `"`
}

func quoteArg(a string) string {
	plain := a != ""
	var b strings.Builder
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case c < ' ' || c >= 0x7f || c == '\'' || c == '"' || c == '\\' || c == '$':
			plain = false
			fmt.Fprintf(&b, `\%03o`, c)
		case c == ' ' || c == '\t' || c == '#' || c == '!' || c == '{' || c == '}' || c == '<':
			plain = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	if plain {
		return a
	}
	return "'" + b.String() + "'"
}

func (d *dumper) command(depth int, kw string, c *Command) {
	if !c.IsSet() {
		return
	}
	parts := []string{kw, quoteCommand(c)}
	if c.User != "" {
		parts = append(parts, quoteWord(c.User))
		if c.Group != "" {
			parts = append(parts, quoteWord(c.Group))
		}
	}
	d.line(depth, strings.Join(parts, " "))
}

func itoa(v int) string { return strconv.Itoa(v) }

func wholeSecs(t time.Duration) string { return strconv.FormatInt(int64(t/time.Second), 10) }

func (d *dumper) flag(depth int, kw string, on bool) {
	if on {
		d.line(depth, kw)
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func (d *dumper) global(g *Global) {
	d.open(0, "global_defs")
	if g.RouterID != "" {
		d.kv(1, "router_id", g.RouterID)
	}
	d.flag(1, "vrrp_strict", g.Strict)
	d.flag(1, "vrrp_skip_check_adv_addr", g.SkipCheckAdvAddr)
	d.flag(1, "vrrp_check_unicast_src", g.CheckUnicastSrc)
	d.flag(1, "enable_script_security", g.EnableScriptSecurity)
	if g.ScriptUser != "" {
		d.kv(1, "script_user", nonEmpty(g.ScriptUser, g.ScriptGroup)...)
	}
	if g.GarpInterval > 0 {
		d.kv(1, "vrrp_garp_interval", secs(g.GarpInterval))
	}
	if g.GnaInterval > 0 {
		d.kv(1, "vrrp_gna_interval", secs(g.GnaInterval))
	}
	d.kv(1, "vrrp_version", itoa(g.Version))
	d.kv(1, "vrrp_garp_master_delay", wholeSecs(g.GarpMasterDelay))
	d.kv(1, "vrrp_garp_master_repeat", itoa(g.GarpMasterRepeat))
	d.kv(1, "vrrp_garp_master_refresh", wholeSecs(g.GarpMasterRefresh))
	d.kv(1, "vrrp_garp_master_refresh_repeat", itoa(g.GarpMasterRefreshRepeat))
	if g.GarpLowerPrioDelay >= 0 {
		d.kv(1, "vrrp_garp_lower_prio_delay", wholeSecs(g.GarpLowerPrioDelay))
	}
	if g.GarpLowerPrioRepeat >= 0 {
		d.kv(1, "vrrp_garp_lower_prio_repeat", itoa(g.GarpLowerPrioRepeat))
	}
	d.kv(1, "vrrp_min_garp", onOff(g.MinGarp))
	if g.GarpExtraIf > 0 {
		d.kv(1, "vrrp_garp_extra_if", nonEmpty(map[bool]string{true: "all"}[g.GarpExtraIfAll], wholeSecs(g.GarpExtraIf))...)
	}
	d.kv(1, "vrrp_down_timer_adverts", itoa(g.DownTimerAdverts))
	d.kv(1, "vrrp_lower_prio_no_advert", onOff(g.LowerPrioNoAdvert))
	d.kv(1, "vrrp_higher_prio_send_advert", onOff(g.HigherPrioSendAdvert))
	d.kv(1, "vrrp_mcast_group4", g.McastGroup4.String())
	d.kv(1, "vrrp_mcast_group6", g.McastGroup6.String())
	d.kv(1, "vrrp_notify_priority_changes", onOff(g.NotifyPriorityChanges))
	d.flag(1, "fifo_write_vrrp_states_on_reload", g.FifoWriteStatesOnReload)
	d.fifo("notify_fifo", g.NotifyFifo)
	d.fifo("vrrp_notify_fifo", g.VRRPNotifyFifo)
	d.globalMail(g)
	d.kv(1, "default_interface", g.DefaultInterface)
	if g.DynamicInterfaces {
		d.kv(1, "dynamic_interfaces", nonEmpty(map[bool]string{true: "allow_if_changes"}[g.DynamicInterfacesChanges])...)
	}
	d.globalProcess(g)
	d.line(0, "}")
}

func (d *dumper) globalMail(g *Global) {
	if len(g.NotificationEmail) > 0 {
		d.open(1, "notification_email")
		for _, e := range g.NotificationEmail {
			d.kv(2, quoteWord(e))
		}
		d.close(1)
	}
	if g.NotificationEmailFrom != "" {
		d.kv(1, "notification_email_from", g.NotificationEmailFrom)
	}
	if g.SMTPServer != "" {
		d.kv(1, "smtp_server", strings.Fields(g.SMTPServer)...)
	}
	if g.SMTPHeloName != "" {
		d.kv(1, "smtp_helo_name", g.SMTPHeloName)
	}
	d.kv(1, "smtp_connect_timeout", wholeSecs(g.SMTPConnectTimeout))
	if g.SMTPAlert != nil {
		d.kv(1, "smtp_alert", onOff(*g.SMTPAlert))
	}
	if g.SMTPAlertVRRP != nil {
		d.kv(1, "smtp_alert_vrrp", onOff(*g.SMTPAlertVRRP))
	}
	d.flag(1, "no_email_faults", g.NoEmailFaults)
}

func (d *dumper) globalProcess(g *Global) {
	d.kv(1, "max_auto_priority", itoa(g.MaxAutoPriority))
	d.kv(1, "min_auto_priority_delay", strconv.FormatInt(int64(g.MinAutoPriorityDelay/time.Microsecond), 10))
	d.kv(1, "vrrp_priority", itoa(g.VRRPPriority))
	d.flag(1, "vrrp_no_swap", g.VRRPNoSwap)
	if g.VRRPRTPriority > 0 {
		d.kv(1, "vrrp_rt_priority", itoa(g.VRRPRTPriority))
	}
	d.kv(1, "vrrp_rlimit_rttime", itoa(g.VRRPRlimitRTTime))
	if g.VRRPStartupDelay > 0 {
		d.kv(1, "vrrp_startup_delay", secs(g.VRRPStartupDelay))
	}
	d.flag(1, "log_unknown_vrids", g.LogUnknownVRIDs)
	d.kv(1, "vmac_prefix", g.VMACPrefix)
	if g.VMACAddrPrefix != "" {
		d.kv(1, "vmac_addr_prefix", g.VMACAddrPrefix)
	}
	d.command(1, "startup_script", g.StartupScript)
	d.kv(1, "startup_script_timeout", wholeSecs(g.StartupScriptTimeout))
	d.command(1, "shutdown_script", g.ShutdownScript)
	d.kv(1, "shutdown_script_timeout", wholeSecs(g.ShutdownScriptTimeout))
	if g.RandomSeed != 0 {
		d.kv(1, "random_seed", strconv.FormatInt(g.RandomSeed, 10))
	}
	d.flag(1, "data_use_instance", g.DataUseInstance)
	for _, s := range g.Other {
		d.kv(1, s.Keyword, s.Args...)
	}
}

func nonEmpty(words ...string) []string {
	var out []string
	for _, w := range words {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

func (d *dumper) fifo(kw string, f *Fifo) {
	if f == nil {
		return
	}
	if f.Path != "" {
		d.kv(1, kw, nonEmpty(f.Path, f.User, f.Group)...)
	}
	d.command(1, kw+"_script", f.Script)
}

func (d *dumper) top(t *TopLevel) {
	if t.NetNamespace != "" {
		d.kv(0, "net_namespace", t.NetNamespace)
	}
	if t.NetNamespaceIPVS != "" {
		d.kv(0, "net_namespace_ipvs", t.NetNamespaceIPVS)
	}
	d.flag(0, "namespace_with_ipsets", t.NamespaceWithIPSets)
	if t.Instance != "" {
		d.kv(0, "instance", t.Instance)
	}
	d.flag(0, "use_pid_dir", t.UsePIDDir)
	d.flag(0, "linkbeat_use_polling", t.LinkbeatUsePolling)
	if t.ChildWaitTime > 0 {
		d.kv(0, "child_wait_time", wholeSecs(t.ChildWaitTime))
	}
}

func weightWords(w int, reverse bool) []string {
	out := []string{itoa(w)}
	if reverse {
		out = append(out, "reverse")
	}
	return out
}

func (d *dumper) script(s *Script) {
	d.open(0, "vrrp_script "+quoteWord(s.Name))
	d.command(1, "script", s.Command)
	d.kv(1, "interval", wholeSecs(s.Interval))
	d.kv(1, "timeout", wholeSecs(s.Timeout))
	d.kv(1, "weight", weightWords(s.Weight, s.Reverse)...)
	d.kv(1, "rise", itoa(s.Rise))
	d.kv(1, "fall", itoa(s.Fall))
	if s.User != "" {
		d.kv(1, "user", nonEmpty(s.User, s.Group)...)
	}
	d.flag(1, "init_fail", s.InitFail)
	d.close(0)
}

func (d *dumper) trackFile(f *TrackFile) {
	d.open(0, "track_file "+quoteWord(f.Name))
	d.kv(1, "file", f.Path)
	d.kv(1, "weight", weightWords(f.Weight, f.Reverse)...)
	if f.InitFile {
		w := []string{itoa(f.InitValue)}
		if f.InitOverwrite {
			w = append(w, "overwrite")
		}
		d.kv(1, "init_file", w...)
	}
	d.close(0)
}

func (d *dumper) trackProcess(p *TrackProcess) {
	d.open(0, "vrrp_track_process "+quoteWord(p.Name))
	d.kv(1, "process", append([]string{p.Process}, p.Params...)...)
	switch p.ParamMatch {
	case "":
	case "exact":
		d.kv(1, "param_match")
	default:
		d.kv(1, "param_match", p.ParamMatch)
	}
	d.kv(1, "weight", weightWords(p.Weight, p.Reverse)...)
	d.kv(1, "quorum", itoa(p.Quorum))
	if p.QuorumMax > 0 {
		d.kv(1, "quorum_max", itoa(p.QuorumMax))
	}
	d.kv(1, "delay", secs(p.Delay))
	d.kv(1, "fork_delay", secs(p.ForkDelay))
	d.kv(1, "terminate_delay", secs(p.TerminateDelay))
	d.flag(1, "full_command", p.FullCommand)
	d.close(0)
}

func (d *dumper) garpGroup(g *GarpGroup) {
	d.open(0, "garp_group")
	d.kv(1, "garp_interval", secs(g.GarpInterval))
	d.kv(1, "gna_interval", secs(g.GnaInterval))
	if len(g.Interfaces) > 0 {
		d.open(1, "interfaces")
		for _, i := range g.Interfaces {
			d.line(2, quoteWord(i))
		}
		d.close(1)
	}
	d.close(0)
}

func (d *dumper) static(cfg *Config) {
	lineBlock(d, 0, "static_ipaddress", cfg.StaticAddresses)
	lineBlock(d, 0, "static_routes", cfg.StaticRoutes)
	lineBlock(d, 0, "static_rules", cfg.StaticRules)
}

// lineBlock writes a block of one entry a line (addresses, routes, rules),
// or nothing when there is no entry.
func lineBlock[T fmt.Stringer](d *dumper, depth int, kw string, items []T) {
	if len(items) == 0 {
		return
	}
	d.open(depth, kw)
	for _, it := range items {
		d.line(depth+1, it.String())
	}
	d.close(depth)
}

func (d *dumper) syncGroup(g *SyncGroup) {
	d.open(0, "vrrp_sync_group "+quoteWord(g.Name))
	d.open(1, "group")
	for _, m := range g.Members {
		d.line(2, quoteWord(m))
	}
	d.close(1)
	d.tracks(g.TrackInterfaces, g.TrackScripts, g.TrackFiles, g.TrackProcesses, g.TrackBFDs)
	d.command(1, "notify_master", g.NotifyMaster)
	d.command(1, "notify_backup", g.NotifyBackup)
	d.command(1, "notify_fault", g.NotifyFault)
	d.command(1, "notify_stop", g.NotifyStop)
	d.command(1, "notify", g.Notify)
	d.kv(1, "smtp_alert", onOff(g.SMTPAlert))
	d.kv(1, "notify_priority_changes", onOff(g.NotifyPriorityChanges))
	d.flag(1, "sync_group_tracking_weight", g.TrackingWeight)
	d.close(0)
}

func (d *dumper) tracks(ifs, scripts, files, procs, bfds []TrackRef) {
	for _, t := range []struct {
		kw   string
		refs []TrackRef
	}{{"track_interface", ifs}, {"track_script", scripts}, {"track_file", files}, {"track_process", procs}, {"track_bfd", bfds}} {
		if len(t.refs) == 0 {
			continue
		}
		d.open(1, t.kw)
		for _, r := range t.refs {
			d.line(2, strings.Join(append([]string{quoteWord(r.Name), "weight"}, weightWords(r.Weight, r.Reverse)...), " "))
		}
		d.close(1)
	}
}
