package dumps

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/user"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// ScriptState is the running state of one vrrp_script, for the data dump.
type ScriptState struct {
	Script *config.Script
	// Result is keepalived's rise/fall counter.
	Result int
	// Init is set until the script has a first result.
	Init bool
	// Good reports whether the script is considered successful.
	Good bool
	// Running reports whether a run is in progress.
	Running bool
}

// WriteData writes a data dump in the layout of keepalived 2.2.7's
// /tmp/keepalived.data (SIGUSR1), whose format keepalived does not
// guarantee (man keepalived.conf): the sections "Global definitions",
// "VRRP Topology", "VRRP Sync groups" and "VRRP Scripts", with the lines
// gokeepalived has values for. Left out: the settings of other subsystems
// (LVS, checkers, BFD, SNMP, DBus, nftables, netlink buffers), socket
// descriptors, the "VRRP Sockpool", "VRRP Track processes", "Interfaces"
// and static address/route/rule sections, and firewall flags.
func WriteData(w io.Writer, cfg *config.Config, insts []Instance, scripts []ScriptState) error {
	n := systemNames()
	bw := bufio.NewWriter(w)
	d := &dataWriter{w: bw, n: n}
	d.global(cfg, false)
	d.line("------< VRRP Topology >------")
	for i := range insts {
		d.instance(cfg, &insts[i])
	}
	if len(cfg.SyncGroups) > 0 {
		d.syncGroups(cfg, insts)
	}
	if len(scripts) > 0 {
		d.scripts(cfg, scripts)
	}
	return bw.Flush()
}

// WriteParentData writes the global section as keepalived's parent process
// writes it to /tmp/keepalived_parent.data on SIGUSR1.
func WriteParentData(w io.Writer, cfg *config.Config) error {
	bw := bufio.NewWriter(w)
	d := &dataWriter{w: bw, n: systemNames()}
	d.global(cfg, true)
	return bw.Flush()
}

// dataWriter writes the lines of a data dump.
type dataWriter struct {
	w *bufio.Writer
	n *names
}

func (d *dataWriter) line(s string) {
	d.w.WriteString(s)
	d.w.WriteByte('\n')
}

func (d *dataWriter) f(format string, args ...any) {
	fmt.Fprintf(d.w, format, args...)
	d.w.WriteByte('\n')
}

func (d *dataWriter) instance(cfg *config.Config, in *Instance) {
	c := in.Config
	d.f(" VRRP Instance = %s", c.Name)
	d.f("   VRRP Version = %d", c.Version)
	if in.SyncGroup != "" {
		d.f("   Sync group = %s", in.SyncGroup)
	}
	if c.Family == config.IPv6 {
		d.line("   Using Native IPv6")
	}
	d.f("   State = %s", in.State)
	if in.State == StateBackup {
		d.f("   Master router = %s", addrOr(in.MasterAddr, "(none)"))
		d.f("   Master priority = %d", in.MasterPriority)
		if c.Version == 3 {
			d.f("   Master advert int = %.2f sec", in.masterAdverInt().Seconds())
		}
	}
	d.flags(c, in)
	d.f("   Wantstate = %s", in.WantState)
	d.line("   Number of config faults = 0")
	d.f("   Number of interface and track script faults = %d", in.Faults)
	d.line("   Number of track scripts init = 0")
	d.f("   Last transition = %s", ctimeText(in.LastTransition))
	if in.ReadTimeout.IsZero() {
		d.line("   Read timeout = DISABLED")
	} else {
		d.f("   Read timeout = %s", ctimeText(in.ReadTimeout))
	}
	d.f("   Master down timer = %d usecs", masterDownMicros(in))
	d.iface(c, in)
	d.transport(cfg, c, in)
	d.garp(c)
	d.priority(c, in)
	d.addresses(in)
	d.unicast(c)
	d.routing(c)
	d.tracking(c)
	d.notify(cfg, c)
}

func (d *dataWriter) flags(c *config.Instance, in *Instance) {
	switch {
	case len(c.UnicastPeers) > 0:
		d.line("   Flags:")
		d.line("     Using unicast")
	case in.VMACName != "":
		d.line("   Flags:")
	default:
		d.line("   Flags: none")
	}
}

func (d *dataWriter) iface(c *config.Instance, in *Instance) {
	if in.VMACName == "" {
		d.f("   Interface = %s", orText(in.IfName, c.Interface))
	} else {
		xmit := c.VMAC != nil && c.VMAC.XmitBase
		d.f("   Use VMAC, i/f name %s, is_up = true, xmit_base = %t", in.VMACName, xmit)
		suffix := ""
		if xmit {
			suffix = ", xmit base i/f"
		}
		d.f("   Interface = %s, vmac on %s%s", in.VMACName, c.Interface, suffix)
	}
	if c.DontTrackPrimary {
		d.line("   VRRP interface tracking disabled")
	}
	if c.SkipCheckAdvAddr {
		d.line("   Skip checking advert IP addresses")
	}
	if c.Strict {
		d.line("   Enforcing strict VRRP compliance")
	}
}

func (d *dataWriter) transport(cfg *config.Config, c *config.Instance, in *Instance) {
	src, fromConfig := in.SrcIP, false
	for _, a := range []netip.Addr{c.UnicastSrcIP, c.McastSrcIP} {
		if a.IsValid() {
			src, fromConfig = a, true
		}
	}
	suffix := ""
	if fromConfig {
		suffix = " (from configuration)"
	}
	d.f("   Using src_ip = %s%s", addrOr(src, "(none)"), suffix)
	if len(c.UnicastPeers) > 0 {
		return
	}
	group := c.McastDstIP
	if !group.IsValid() {
		group = cfg.Global.McastGroup4
		if c.Family == config.IPv6 {
			group = cfg.Global.McastGroup6
		}
	}
	if c.Family == config.IPv6 {
		index := in.IfIndex
		if ifi, err := net.InterfaceByName(c.Interface); index == 0 && err == nil {
			index = ifi.Index
		}
		d.f("   Multicast address %s, ifindex %d", group, index)
	} else {
		d.f("   Multicast address %s", group)
	}
}

func (d *dataWriter) garp(c *config.Instance) {
	d.f("   Gratuitous ARP delay = %d", wholeSeconds(c.GarpMasterDelay))
	d.f("   Gratuitous ARP repeat = %d", c.GarpMasterRepeat)
	d.f("   Gratuitous ARP refresh = %d", wholeSeconds(c.GarpMasterRefresh))
	d.f("   Gratuitous ARP refresh repeat = %d", c.GarpMasterRefreshRepeat)
	d.f("   Gratuitous ARP lower priority delay = %d", wholeSeconds(c.GarpLowerPrioDelay))
	d.f("   Gratuitous ARP lower priority repeat = %d", c.GarpLowerPrioRepeat)
	d.f("   Down timer adverts = %d", c.DownTimerAdverts)
	d.f("   Send advert after receive lower priority advert = %t", !c.LowerPrioNoAdvert)
	d.f("   Send advert after receive higher priority advert = %t", c.HigherPrioSendAdvert)
}

func (d *dataWriter) priority(c *config.Instance, in *Instance) {
	d.f("   Virtual Router ID = %d", c.VRID)
	d.f("   Priority = %d", c.Priority)
	d.f("   Effective priority = %d", in.EffectivePriority)
	d.f("   Total priority = %d", in.EffectivePriority)
	if c.Version == 2 {
		d.f("   Advert interval = %d sec", wholeSeconds(c.AdvertInt))
	} else {
		d.f("   Advert interval = %d milli-sec", c.AdvertInt/time.Millisecond)
	}
	if in.State == StateBackup && c.Version == 3 {
		d.f("   Master advert interval = %d milli-sec", in.masterAdverInt()/time.Millisecond)
	}
	d.f("   Accept = %s", enabled(c.Accept))
	d.f("   Preempt = %s", enabled(!c.Nopreempt))
	if c.PreemptDelay > 0 {
		d.f("   Preempt delay = %s secs", gText(c.PreemptDelay))
	}
	d.f("   Promote_secondaries = %s", enabled(promoteSecondaries(c)))
	switch {
	case c.AuthType == config.AuthPass:
		d.line("   Authentication type = SIMPLE_PASSWORD")
		d.f("   Password = %s", c.AuthPass)
	case c.AuthType == config.AuthAH:
		d.line("   Authentication type = IPSEC_AH")
	case c.Version == 2:
		d.line("   Authentication type = none")
	}
}

func (d *dataWriter) addresses(in *Instance) {
	c := in.Config
	if len(c.VIPs) > 0 {
		d.f("   Virtual IP (%d):", len(c.VIPs))
		for _, s := range addressLines(d.n, in, c.VIPs, in.VIPInstalled) {
			d.line("     " + s)
		}
	}
	if len(c.EVIPs) > 0 {
		d.line("   Virtual IP Excluded :")
		for _, s := range addressLines(d.n, in, c.EVIPs, in.EVIPInstalled) {
			d.line("     " + s)
		}
	}
}

func (d *dataWriter) unicast(c *config.Instance) {
	if len(c.UnicastPeers) == 0 {
		return
	}
	ttl := c.UnicastTTL
	if ttl < 0 {
		ttl = 255
	}
	d.f("   Unicast TTL = %d", ttl)
	d.f("   Check unicast src : %s", yesNo(c.CheckUnicastSrc))
	d.line("   Unicast Peer :")
	for _, p := range c.UnicastPeers {
		d.f("     %s min_ttl %d max_ttl %d", p.Addr, p.MinTTL, p.MaxTTL)
	}
	compat := "no"
	switch {
	case c.OldUnicastChecksumNever:
		compat = "never"
	case c.OldUnicastChecksum:
		compat = "yes"
	}
	d.f("   Unicast checksum compatibility = %s", compat)
}

func (d *dataWriter) routing(c *config.Instance) {
	if len(c.Routes) > 0 {
		d.line("   Virtual Routes :")
		for _, r := range c.Routes {
			d.line("     " + FormatRoute(r))
		}
	}
	if len(c.Rules) > 0 {
		d.line("   Virtual Rules :")
		for _, r := range c.Rules {
			d.line("     " + FormatRule(r))
		}
	}
}

func (d *dataWriter) tracking(c *config.Instance) {
	if len(c.TrackInterfaces) > 0 {
		d.line("   Tracked interfaces :")
		for _, t := range c.TrackInterfaces {
			d.f("     %s weight %d", t.Name, t.Weight)
		}
	}
	if len(c.TrackScripts) > 0 {
		d.line("   Tracked scripts :")
		for _, t := range c.TrackScripts {
			d.f("     %s weight %d", t.Name, t.Weight)
		}
	}
	if len(c.TrackProcesses) > 0 {
		d.line("   Tracked processes :")
		for _, t := range c.TrackProcesses {
			d.f("     %s, weight %d", t.Name, t.Weight)
		}
	}
}

func (d *dataWriter) notify(cfg *config.Config, c *config.Instance) {
	d.f("   Using smtp notification = %s", yesNo(c.SMTPAlert))
	deleted := "Fault"
	if c.NotifyDeletedSet {
		deleted = "Deleted"
	}
	d.f("   Notify deleted = %s", deleted)
	for _, s := range notifyScripts(c) {
		d.f("   %s state transition script = %s, uid:gid %s", s.data, CommandString(s.cmd), scriptIDs(cfg, s.cmd.User, s.cmd.Group))
	}
	d.f("   Notify priority changes = %t", c.NotifyPriorityChanges)
}

func (d *dataWriter) syncGroups(cfg *config.Config, insts []Instance) {
	d.line("------< VRRP Sync groups >------")
	for _, g := range cfg.SyncGroups {
		state, faults, inits := groupState(g, insts)
		d.f(" VRRP Sync Group = %s, %s", g.Name, state)
		d.f("   Num member fault %d, num member init %d", faults, inits)
		d.line("   VRRP member instances :")
		for _, m := range g.Members {
			d.line("     " + m)
		}
		d.f("   Using smtp notification = %s", yesNo(g.SMTPAlert))
	}
}

// groupState derives a sync group's state from its members': FAULT if one
// is in FAULT, else the first member's.
func groupState(g *config.SyncGroup, insts []Instance) (state State, faults, inits int) {
	state = StateInit
	first := true
	for _, m := range g.Members {
		for i := range insts {
			if insts[i].Config.Name != m {
				continue
			}
			s := insts[i].State
			switch {
			case s == StateFault:
				faults++
			case s == StateInit:
				inits++
			}
			if first || s == StateFault {
				state, first = s, false
			}
		}
	}
	return state, faults, inits
}

func (d *dataWriter) scripts(cfg *config.Config, scripts []ScriptState) {
	d.line("------< VRRP Scripts >------")
	for _, st := range scripts {
		s := st.Script
		d.f(" VRRP Script = %s", s.Name)
		d.f("   Command = %s", CommandString(s.Command))
		d.f("   Interval = %d sec", wholeSeconds(s.Interval))
		d.f("   Timeout = %d sec", wholeSeconds(scriptTimeout(s)))
		d.f("   Weight = %d", s.Weight)
		d.f("   Rise = %d", s.Rise)
		d.f("   Fall = %d", s.Fall)
		d.f("   Result = %d", st.Result)
		d.line("   Insecure = no")
		d.line("   Init state = unknown")
		d.f("   Status = %s", scriptStatus(st))
		d.f("   Script uid:gid = %s", scriptIDs(cfg, s.User, s.Group))
		d.line("   VRRP instances :")
		d.line("   Tracking instances :")
		for _, in := range cfg.Instances {
			for _, t := range in.TrackScripts {
				if t.Name == s.Name {
					d.f("     %s, weight %d", in.Name, t.Weight)
				}
			}
		}
		d.f("   State = %s", map[bool]string{false: "idle", true: "running"}[st.Running])
	}
}

// scriptTimeout is the timeout keepalived prints: 0 when none was
// configured, which the lowered configuration records as the interval.
func scriptTimeout(s *config.Script) time.Duration {
	if s.Timeout == s.Interval {
		return 0
	}
	return s.Timeout
}

func scriptStatus(st ScriptState) string {
	switch {
	case st.Init:
		return "INIT"
	case st.Good:
		return "GOOD"
	}
	return "BAD"
}

// masterDownMicros is keepalived's ms_down_timer: Down timer adverts
// master advert intervals plus the skew time for the effective priority.
func masterDownMicros(in *Instance) int64 {
	adv := int64(in.masterAdverInt() / time.Microsecond)
	skew := int64(256-in.EffectivePriority) * adv / 256
	if in.Config.Version == 2 {
		skew = int64(256-in.EffectivePriority) * 1000000 / 256
	}
	return int64(in.Config.DownTimerAdverts)*adv + skew
}

// ctimeText prints a time as keepalived's data dump does:
// "SECS.USECS (Sun Nov 22 07:29:58.276542 2026)", in local time.
func ctimeText(t time.Time) string {
	us := t.Nanosecond() / 1000
	return fmt.Sprintf("%d.%06d (%s.%06d %d)", t.Unix(), us, t.Format("Mon Jan _2 15:04:05"), us, t.Year())
}

// scriptIDs prints the uid:gid a script runs as: its own user and group,
// else global_defs' script_user, else root.
func scriptIDs(cfg *config.Config, usr, group string) string {
	if usr == "" {
		usr, group = cfg.Global.ScriptUser, cfg.Global.ScriptGroup
	}
	uid, gid := "0", "0"
	if usr != "" {
		if u, err := user.Lookup(usr); err == nil {
			uid, gid = u.Uid, u.Gid
		}
	}
	if group != "" {
		if g, err := user.LookupGroup(group); err == nil {
			gid = g.Gid
		}
	}
	return uid + ":" + gid
}

func addrOr(a netip.Addr, none string) string {
	if a.IsValid() {
		return a.String()
	}
	return none
}

func orText(s, dflt string) string {
	if s != "" {
		return s
	}
	return dflt
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
