package dumps

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// WriteJSON writes keepalived 2.2.7's JSON dump of insts (the content of
// /tmp/keepalived.json, reference §6): one line, an array with one
// {"data":{…},"stats":{…}} object per instance, keys in keepalived's order,
// '/' escaped as "\/", and a final newline. keepalived writes no file when
// there is no instance; callers should do the same.
func WriteJSON(w io.Writer, insts []Instance) error {
	return writeJSON(w, systemNames(), insts)
}

func writeJSON(w io.Writer, n *names, insts []Instance) error {
	bw := bufio.NewWriter(w)
	j := &jsonWriter{w: bw}
	j.begin('[')
	for i := range insts {
		j.begin('{')
		j.name("data")
		jsonData(j, n, &insts[i])
		j.name("stats")
		jsonStats(j, &insts[i].Stats)
		j.end('}')
	}
	j.end(']')
	bw.WriteString("\n")
	return bw.Flush()
}

func jsonData(j *jsonWriter, n *names, in *Instance) {
	c := in.Config
	j.begin('{')
	j.str("iname", c.Name)
	j.uint("dont_track_primary", b01(c.DontTrackPrimary))
	j.uint("skip_check_adv_addr", b01(c.SkipCheckAdvAddr))
	j.uint("strict_mode", b01(c.Strict))
	j.str("vmac_ifname", in.VMACName)
	if in.IfName != "" {
		j.str("ifp_ifname", in.IfName)
	}
	j.uint("master_priority", uint64(in.MasterPriority))
	j.raw("last_transition", epochText(in.LastTransition))
	j.raw("garp_delay", gText(c.GarpMasterDelay))
	j.uint("garp_refresh", wholeSeconds(c.GarpMasterRefresh))
	j.uint("garp_rep", uint64(c.GarpMasterRepeat))
	j.uint("garp_refresh_rep", uint64(c.GarpMasterRefreshRepeat))
	j.uint("garp_lower_prio_delay", wholeSeconds(c.GarpLowerPrioDelay))
	j.uint("garp_lower_prio_rep", uint64(c.GarpLowerPrioRepeat))
	j.uint("lower_prio_no_advert", b01(c.LowerPrioNoAdvert))
	j.uint("higher_prio_send_advert", b01(c.HigherPrioSendAdvert))
	j.uint("vrid", uint64(c.VRID))
	j.uint("base_priority", uint64(c.Priority))
	j.uint("effective_priority", uint64(in.EffectivePriority))
	j.bool("vipset", in.VIPSet)
	j.bool("promote_secondaries", promoteSecondaries(c))
	j.raw("adver_int", gText(c.AdvertInt))
	j.raw("master_adver_int", gText(in.masterAdverInt()))
	j.uint("accept", b01(c.Accept))
	j.bool("nopreempt", c.Nopreempt)
	j.uint("preempt_delay", wholeSeconds(c.PreemptDelay))
	j.uint("state", uint64(in.State))
	j.uint("wantstate", uint64(in.WantState))
	j.uint("version", uint64(c.Version))
	j.bool("smtp_alert", c.SMTPAlert)
	j.bool("notify_deleted", c.NotifyDeletedSet)
	for _, s := range notifyScripts(c) {
		j.str(s.json, CommandString(s.cmd))
	}
	j.strs("vips", addressLines(n, in, c.VIPs, in.VIPInstalled))
	j.strs("evips", addressLines(n, in, c.EVIPs, in.EVIPInstalled))
	j.strs("vroutes", mapLines(c.Routes, func(r *config.Route) string { return FormatRoute(r) }))
	j.strs("vrules", mapLines(c.Rules, func(r *config.Rule) string { return FormatRule(r) }))
	j.strs("track_ifp", mapLines(c.TrackInterfaces, func(t config.TrackRef) string { return t.Name }))
	j.strs("track_script", mapLines(in.trackScripts(), func(s *config.Script) string { return CommandString(s.Command) }))
	j.uint("auth_type", uint64(c.AuthType))
	if c.AuthType != config.AuthNone {
		j.str("auth_data", c.AuthPass)
	}
	j.end('}')
}

func jsonStats(j *jsonWriter, s *Stats) {
	j.begin('{')
	for _, f := range statFields(s) {
		j.uint(f.json, f.v)
	}
	j.end('}')
}

// notifyScript is one notify keyword of an instance.
type notifyScript struct {
	json, data string // the JSON key and the data dump's name
	cmd        *config.Command
}

// notifyScripts lists an instance's configured notify scripts in the
// JSON dump's order.
func notifyScripts(c *config.Instance) []notifyScript {
	all := []notifyScript{
		{"script_backup", "Backup", c.NotifyBackup},
		{"script_master", "Master", c.NotifyMaster},
		{"script_fault", "Fault", c.NotifyFault},
		{"script_stop", "Stop", c.NotifyStop},
		{"script_deleted", "Deleted", c.NotifyDeleted},
		{"script", "Generic", c.Notify},
		{"script_master_rx_lower_pri", "Master rx lower pri", c.NotifyMasterRxLowerPri},
	}
	out := all[:0]
	for _, s := range all {
		if s.cmd.IsSet() {
			out = append(out, s)
		}
	}
	return out
}

// promoteSecondaries is the instance's promote_secondaries flag, which
// keepalived ignores (and clears) for an instance with a VMAC.
func promoteSecondaries(c *config.Instance) bool {
	return c.PromoteSecondaries && (c.VMAC == nil || !c.VMAC.UseVMAC)
}

func addressLines(n *names, in *Instance, addrs []*config.Address, installed []bool) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = formatAddress(n, a, in.addrDev(a), vipSet(installed, i, in.VIPSet))
	}
	return out
}

func mapLines[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func b01(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// wholeSeconds is a duration in whole seconds, truncated, as keepalived's
// integer division by TIMER_HZ.
func wholeSeconds(d time.Duration) uint64 {
	if d < 0 {
		return 0
	}
	return uint64(d / time.Second)
}

// gText prints a duration in seconds with C's "%g".
func gText(d time.Duration) string {
	return strconv.FormatFloat(float64(d/time.Microsecond)/1e6, 'g', 6, 64)
}

// epochText prints a time as keepalived's "%f" of seconds since the epoch
// (microsecond precision); the zero time is 0.000000.
func epochText(t time.Time) string {
	if t.IsZero() {
		return "0.000000"
	}
	v := float64(t.Unix()) + float64(t.Nanosecond()/1000)/1e6
	return strconv.FormatFloat(v, 'f', 6, 64)
}

// jsonWriter writes compact JSON as keepalived's json_writer does: it
// escapes '/' and C's control escapes and, as keepalived 2.2.7 does, turns
// a backslash into "\n"; other bytes are written as they are.
type jsonWriter struct {
	w   *bufio.Writer
	sep bool // a value precedes at this level: write a comma first
}

func (j *jsonWriter) begin(c byte) {
	j.comma()
	j.w.WriteByte(c)
	j.sep = false
}

func (j *jsonWriter) end(c byte) {
	j.w.WriteByte(c)
	j.sep = true
}

func (j *jsonWriter) comma() {
	if j.sep {
		j.w.WriteByte(',')
	}
}

func (j *jsonWriter) name(k string) {
	j.comma()
	j.quote(k)
	j.w.WriteByte(':')
	j.sep = false
}

func (j *jsonWriter) raw(k, v string) {
	j.name(k)
	j.w.WriteString(v)
	j.sep = true
}

func (j *jsonWriter) uint(k string, v uint64) { j.raw(k, strconv.FormatUint(v, 10)) }

func (j *jsonWriter) bool(k string, v bool) { j.raw(k, strconv.FormatBool(v)) }

func (j *jsonWriter) str(k, v string) {
	j.name(k)
	j.quote(v)
	j.sep = true
}

// strs writes an array of strings; an empty one is left out.
func (j *jsonWriter) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	j.name(k)
	j.begin('[')
	for _, v := range vs {
		j.comma()
		j.quote(v)
		j.sep = true
	}
	j.end(']')
}

var jsonEscapes = strings.NewReplacer("\t", `\t`, "\n", `\n`, "\r", `\r`, "\f", `\f`, "\b", `\b`,
	`\`, `\n`, `"`, `\"`, "/", `\/`)

func (j *jsonWriter) quote(s string) {
	j.w.WriteByte('"')
	jsonEscapes.WriteString(j.w, s)
	j.w.WriteByte('"')
}
