package metrics

import (
	"context"
	"net/netip"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// Source is what the metrics read of the daemon. *daemon.Status
// implements it; its methods must be safe for concurrent use.
type Source interface {
	// Observe returns the daemon's state and counters now.
	Observe() daemon.Observation
	// Alive reports whether the daemon's loops answer before ctx ends.
	Alive(ctx context.Context) error
	// Ready reports whether the configuration runs with every instance
	// out of INIT.
	Ready() error
}

var _ Source = (*daemon.Status)(nil)

// Build describes the running binary, for gokeepalived_build_info.
type Build struct {
	Version    string // gokeepalived's
	Revision   string // the VCS revision, "" if unknown
	GoVersion  string
	Keepalived string // the keepalived release it follows
}

// Labels of the per-instance metrics, as keepalived-exporter's.
var (
	instanceLabels = []string{"iname", "intf", "vrid"}
	vipLabels      = []string{"iname", "intf", "vrid", "ip_address"}
)

// statCounter is one of keepalived's statistics counters and its
// keepalived-exporter name.
type statCounter struct {
	name, help string
	get        func(*daemon.Stats) uint64
}

var statCounters = []statCounter{
	{"keepalived_advertisements_received_total", "Advertisements received.", func(s *daemon.Stats) uint64 { return s.AdvertRcvd }},
	{"keepalived_advertisements_sent_total", "Advertisements sent.", func(s *daemon.Stats) uint64 { return s.AdvertSent }},
	{"keepalived_become_master_total", "Times the instance became MASTER.", func(s *daemon.Stats) uint64 { return s.BecomeMaster }},
	{"keepalived_release_master_total", "Times the instance left MASTER.", func(s *daemon.Stats) uint64 { return s.ReleaseMaster }},
	{"keepalived_packet_length_errors_total", "Adverts with a bad length.", func(s *daemon.Stats) uint64 { return s.PacketLenErr }},
	{"keepalived_advertisements_interval_errors_total", "Adverts with another advert interval.", func(s *daemon.Stats) uint64 { return s.AdvertIntervalErr }},
	{"keepalived_ip_ttl_errors_total", "Adverts with a bad TTL or hop limit.", func(s *daemon.Stats) uint64 { return s.IPTTLErr }},
	{"keepalived_invalid_type_received_total", "Adverts of an invalid VRRP type.", func(s *daemon.Stats) uint64 { return s.InvalidTypeRcvd }},
	{"keepalived_address_list_errors_total", "Adverts whose addresses do not match.", func(s *daemon.Stats) uint64 { return s.AddrListErr }},
	{"keepalived_authentication_invalid_total", "Adverts with an invalid authentication type.", func(s *daemon.Stats) uint64 { return s.InvalidAuthType }},
	{"keepalived_authentication_mismatch_total", "Adverts with another authentication type.", func(s *daemon.Stats) uint64 { return s.AuthTypeMismatch }},
	{"keepalived_authentication_failure_total", "Adverts with a wrong password.", func(s *daemon.Stats) uint64 { return s.AuthFailure }},
	{"keepalived_priority_zero_received_total", "Priority 0 adverts received.", func(s *daemon.Stats) uint64 { return s.PriZeroRcvd }},
	{"keepalived_priority_zero_sent_total", "Priority 0 adverts sent.", func(s *daemon.Stats) uint64 { return s.PriZeroSent }},
}

// collector is the prometheus.Collector of the daemon's metrics. It is
// safe for concurrent use.
type collector struct {
	src     Source
	sockets func() socket.Stats
	now     func() time.Time
	build   Build

	up, vrrpState, excludedState, garpDelay *prometheus.Desc
	stats                                   []*prometheus.Desc
	scriptStatus, scriptState               *prometheus.Desc

	prio, basePrio, transitions, stateSeconds, masterInfo *prometheus.Desc
	otherMasters, otherMasterSeen, drops                  *prometheus.Desc
	lateness                                              *prometheus.Desc
	sockDrops, sockRcvbuf, sockAdverts                    *prometheus.Desc
	scriptDuration, scriptRuns                            *prometheus.Desc
	reloads, loaded, buildInfo                            *prometheus.Desc
}

func newCollector(src Source, sockets func() socket.Stats, now func() time.Time, b Build) *collector {
	d := prometheus.NewDesc
	c := &collector{src: src, sockets: sockets, now: now, build: b,
		up:            d("keepalived_up", "1 while the daemon runs its configuration (started, not stopping), else 0.", nil, nil),
		vrrpState:     d("keepalived_vrrp_state", "The instance's state, one series per VIP: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP.", vipLabels, nil),
		excludedState: d("keepalived_vrrp_excluded_state", "The instance's state, one series per excluded VIP (virtual_ipaddress_excluded).", vipLabels, nil),
		garpDelay:     d("keepalived_gratuitous_arp_delay_total", "garp_master_delay in seconds (a setting; keepalived-exporter's type and name).", instanceLabels, nil),
		scriptStatus:  d("keepalived_script_status", "A vrrp_script's state: 0 BAD, 1 GOOD; absent until its first result.", []string{"name"}, nil),
		scriptState:   d("keepalived_script_state", "A vrrp_script's run state: 0 idle, 1 running.", []string{"name"}, nil),

		prio:            d("gokeepalived_vrrp_priority", "The instance's effective priority: its base priority with tracking's changes, as advertised.", instanceLabels, nil),
		basePrio:        d("gokeepalived_vrrp_base_priority", "The instance's configured priority.", instanceLabels, nil),
		transitions:     d("gokeepalived_vrrp_state_transitions_total", "State changes by edge and reason (the reason up to its first colon).", append(instanceLabels[:3:3], "from", "to", "reason"), nil),
		stateSeconds:    d("gokeepalived_vrrp_state_seconds", "Time since the instance's last state change.", instanceLabels, nil),
		masterInfo:      d("gokeepalived_vrrp_master_info", "1, labelled with the address of the master last heard (the instance's own while MASTER).", append(instanceLabels[:3:3], "master"), nil),
		otherMasters:    d("gokeepalived_vrrp_other_master_adverts_total", "Adverts from another master received while MASTER: two masters at once for the VRID.", instanceLabels, nil),
		otherMasterSeen: d("gokeepalived_vrrp_other_master_last_seen_timestamp_seconds", "When the last advert from another master arrived while MASTER, labelled with its sender.", append(instanceLabels[:3:3], "address"), nil),
		drops:           d("gokeepalived_vrrp_adverts_dropped_total", "Received adverts dropped by the receive checks, by the check that failed; absent until the first drop.", append(instanceLabels[:3:3], "reason"), nil),
		lateness:        d("gokeepalived_vrrp_master_down_timer_lateness_seconds", "How late the master-down timer was served, over every instance.", nil, nil),
		sockDrops:       d("gokeepalived_socket_adverts_dropped_total", "Packets the VRRP sockets' readers dropped before any instance saw them, by reason.", []string{"reason"}, nil),
		sockRcvbuf:      d("gokeepalived_socket_receive_buffer_drops_total", "Adverts the kernel dropped because a VRRP receive socket's buffer was full (SO_RXQ_OVFL).", nil, nil),
		sockAdverts:     d("gokeepalived_socket_adverts_received_total", "Adverts the VRRP sockets' readers handed to an instance, by path: queue (to its goroutine) or fast_path (noted as a refresh of its master-down timer).", []string{"path"}, nil),
		scriptDuration:  d("gokeepalived_script_run_duration_seconds", "How long a vrrp_script's runs took.", []string{"name"}, nil),
		scriptRuns:      d("gokeepalived_script_runs_total", "A vrrp_script's runs by how they ended: the exit status, timeout or signal_N.", []string{"name", "exit"}, nil),
		reloads:         d("gokeepalived_reloads_total", "Reloads by result: success, failure (the daemon kept the running configuration) or rejected (the new configuration has errors).", []string{"result"}, nil),
		loaded:          d("gokeepalived_config_last_reload_success_timestamp_seconds", "When the running configuration was loaded: the start or the last successful reload.", nil, nil),
		buildInfo:       d("gokeepalived_build_info", "1, labelled with the build.", []string{"version", "revision", "goversion", "keepalived"}, nil),
	}
	for _, s := range statCounters {
		c.stats = append(c.stats, d(s.name, s.help, instanceLabels, nil))
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.vrrpState, c.excludedState, c.garpDelay, c.scriptStatus, c.scriptState,
		c.prio, c.basePrio, c.transitions, c.stateSeconds, c.masterInfo, c.otherMasters, c.otherMasterSeen, c.drops,
		c.lateness, c.sockDrops, c.sockRcvbuf, c.sockAdverts, c.scriptDuration, c.scriptRuns, c.reloads, c.loaded, c.buildInfo} {
		ch <- d
	}
	for _, d := range c.stats {
		ch <- d
	}
}

// Collect implements prometheus.Collector: it reads the Source once.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	o := c.src.Observe()
	now := c.now()
	e := emitter{ch: ch}
	e.gauge(c.up, b01(o.Serving))
	e.gauge(c.buildInfo, 1, c.build.Version, c.build.Revision, c.build.GoVersion, c.build.Keepalived)
	if !o.Loaded.IsZero() {
		e.gauge(c.loaded, unixSeconds(o.Loaded))
	}
	for i := range o.Instances {
		c.instance(&e, &o.Instances[i], now)
	}
	e.histogram(c.lateness, o.MasterDownLateness)
	for _, s := range o.Scripts {
		if s.Known {
			e.gauge(c.scriptStatus, b01(s.OK), s.Name)
		}
		e.gauge(c.scriptState, b01(s.Running), s.Name)
		e.histogram(c.scriptDuration, s.Duration, s.Name)
		for _, x := range s.Exits {
			e.counter(c.scriptRuns, float64(x.Count), s.Name, x.Exit)
		}
	}
	e.counter(c.reloads, float64(o.Reloads.OK), "success")
	e.counter(c.reloads, float64(o.Reloads.Failed), "failure")
	e.counter(c.reloads, float64(o.Reloads.Rejected), "rejected")
	if c.sockets != nil {
		st := c.sockets()
		e.counter(c.sockRcvbuf, float64(st.RcvbufDrops))
		e.counter(c.sockAdverts, float64(st.Delivered), "queue")
		e.counter(c.sockAdverts, float64(st.Refreshed), "fast_path")
		e.counter(c.sockDrops, float64(st.UnknownVRID), "unknown_vrid")
		e.counter(c.sockDrops, float64(st.Malformed), "malformed")
		e.counter(c.sockDrops, float64(st.QueueFull), "queue_full")
		e.counter(c.sockDrops, float64(st.ReadErrors), "read_error")
	}
}

// instance emits one instance's metrics.
func (c *collector) instance(e *emitter, in *daemon.InstanceObservation, now time.Time) {
	cfg := in.Config
	if cfg == nil {
		return // not set up yet
	}
	intf, vrid := in.Interface, strconv.Itoa(cfg.VRID)
	l := []string{in.Name, intf, vrid}
	state := float64(stateNumber(in.State))
	for _, a := range cfg.VIPs {
		e.gauge(c.vrrpState, state, in.Name, addrDev(a.Dev, cfg.Interface), vrid, prefixText(a.Prefix))
	}
	if len(cfg.VIPs) == 0 {
		// keepalived-exporter's series for an instance without VIPs.
		e.gauge(c.vrrpState, state, in.Name, intf, vrid, "")
	}
	for _, a := range cfg.EVIPs {
		e.gauge(c.excludedState, state, in.Name, addrDev(a.Dev, cfg.Interface), vrid, prefixText(a.Prefix))
	}
	for i, s := range statCounters {
		e.counter(c.stats[i], float64(s.get(&in.Stats)), l...)
	}
	e.counter(c.garpDelay, cfg.GarpMasterDelay.Seconds(), l...)

	e.gauge(c.prio, float64(in.EffectivePriority), l...)
	e.gauge(c.basePrio, float64(in.BasePriority), l...)
	for _, t := range in.Transitions {
		e.counter(c.transitions, float64(t.Count), in.Name, intf, vrid, t.From.String(), t.To.String(), t.Reason)
	}
	if !in.LastTransition.IsZero() {
		e.gauge(c.stateSeconds, max(now.Sub(in.LastTransition).Seconds(), 0), l...)
	}
	if in.MasterAddr != "" {
		e.gauge(c.masterInfo, 1, in.Name, intf, vrid, in.MasterAddr)
	}
	e.counter(c.otherMasters, float64(in.OtherMasterAdverts), l...)
	if in.OtherMaster.IsValid() {
		e.gauge(c.otherMasterSeen, unixSeconds(in.OtherMasterAt), in.Name, intf, vrid, in.OtherMaster.String())
	}
	for _, d := range in.Drops {
		e.counter(c.drops, float64(d.Count), in.Name, intf, vrid, d.Reason)
	}
}

// stateNumber numbers a state as keepalived does in its dumps and
// keepalived-exporter in keepalived_vrrp_state.
func stateNumber(s vrrp.State) int {
	switch s {
	case vrrp.StateInit, vrrp.StateBackup, vrrp.StateMaster, vrrp.StateFault:
		return int(s) // 0, 1, 2, 3
	case vrrp.StateStop:
		return 98
	}
	return int(s)
}

// addrDev is the interface a VIP line of keepalived's dumps names: its
// dev, else the instance's interface.
func addrDev(dev, iface string) string {
	if dev != "" {
		return dev
	}
	return iface
}

// prefixText writes a VIP as keepalived's dumps do, as keepalived-exporter
// takes it for ip_address: the address alone for a host prefix, else
// ADDR/LEN.
func prefixText(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

func b01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// emitter sends const metrics; a metric that cannot be built (a label
// value that is not UTF-8) is sent as an invalid metric, which the
// handler logs while serving the others.
type emitter struct{ ch chan<- prometheus.Metric }

func (e *emitter) send(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, err)
	}
	e.ch <- m
}

func (e *emitter) gauge(d *prometheus.Desc, v float64, labels ...string) {
	e.send(d, prometheus.GaugeValue, v, labels...)
}

func (e *emitter) counter(d *prometheus.Desc, v float64, labels ...string) {
	e.send(d, prometheus.CounterValue, v, labels...)
}

// histogram sends h as a Prometheus histogram with cumulative buckets.
func (e *emitter) histogram(d *prometheus.Desc, h daemon.Histogram, labels ...string) {
	buckets := make(map[float64]uint64, len(h.Bounds))
	var n uint64
	for i, b := range h.Bounds {
		n += h.Counts[i]
		buckets[b] = n
	}
	if len(h.Counts) > len(h.Bounds) {
		n += h.Counts[len(h.Bounds)]
	}
	m, err := prometheus.NewConstHistogram(d, n, h.Sum, buckets, labels...)
	if err != nil {
		m = prometheus.NewInvalidMetric(d, err)
	}
	e.ch <- m
}
