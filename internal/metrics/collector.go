package metrics

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"time"

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

// The daemon's metrics are written straight from one Observation into the
// text format, family by family, without a prometheus.Metric per sample:
// at 4000 instances a scrape has about 100,000 samples, and building them
// as client_golang const metrics cost 0.77 s, 96 MB and 1.7 million
// allocations per scrape on the project's machine (BenchmarkScrape4000),
// which the daemon's RSS and its instances' CPU paid for.

// scrape is what one scrape writes from.
type scrape struct {
	o       daemon.Observation
	now     time.Time
	build   Build
	sockets *socket.Stats
	// labels are the instances' iname, intf and vrid label pairs, ""
	// for an instance not set up yet (left out).
	labels []string
}

// family is one metric family and how to write its samples.
type family struct {
	name, typ, help string
	write           func(t *textWriter, s *scrape, name string)
}

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

// families are the daemon's metric families, sorted by name.
var families = func() []family {
	fs := []family{
		{"keepalived_up", "gauge", "1 while the daemon runs its configuration (started, not stopping), else 0.",
			func(t *textWriter, s *scrape, n string) { t.start(n, ""); t.end(b01(s.o.Serving)) }},
		{"keepalived_vrrp_state", "gauge", "The instance's state, one series per VIP: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP.",
			func(t *textWriter, s *scrape, n string) { writeStates(t, s, n, false) }},
		{"keepalived_vrrp_excluded_state", "gauge", "The instance's state, one series per excluded VIP (virtual_ipaddress_excluded).",
			func(t *textWriter, s *scrape, n string) { writeStates(t, s, n, true) }},
		perInstance("keepalived_gratuitous_arp_delay_total", "counter", "garp_master_delay in seconds (a setting; keepalived-exporter's type and name).",
			func(s *scrape, in *daemon.InstanceObservation) (float64, bool) {
				return in.Config.GarpMasterDelay.Seconds(), true
			}),
		{"keepalived_script_status", "gauge", "A vrrp_script's state: 0 BAD, 1 GOOD; absent until its first result.",
			func(t *textWriter, s *scrape, n string) {
				for _, sc := range s.o.Scripts {
					if sc.Known {
						t.start(n, "")
						t.label("name", sc.Name)
						t.end(b01(sc.OK))
					}
				}
			}},
		{"keepalived_script_state", "gauge", "A vrrp_script's run state: 0 idle, 1 running.",
			func(t *textWriter, s *scrape, n string) {
				for _, sc := range s.o.Scripts {
					t.start(n, "")
					t.label("name", sc.Name)
					t.end(b01(sc.Running))
				}
			}},

		perInstance("gokeepalived_vrrp_priority", "gauge", "The instance's effective priority: its base priority with tracking's changes, as advertised.",
			func(s *scrape, in *daemon.InstanceObservation) (float64, bool) {
				return float64(in.EffectivePriority), true
			}),
		perInstance("gokeepalived_vrrp_base_priority", "gauge", "The instance's configured priority.",
			func(s *scrape, in *daemon.InstanceObservation) (float64, bool) { return float64(in.BasePriority), true }),
		{"gokeepalived_vrrp_state_transitions_total", "counter", "State changes by edge and reason (the reason up to its first colon).",
			func(t *textWriter, s *scrape, n string) {
				for i := range s.o.Instances {
					in := &s.o.Instances[i]
					for _, tr := range in.Transitions {
						if instanceStart(t, s, i, n) {
							t.label("from", tr.From.String())
							t.label("to", tr.To.String())
							t.label("reason", tr.Reason)
							t.end(float64(tr.Count))
						}
					}
				}
			}},
		perInstance("gokeepalived_vrrp_state_seconds", "gauge", "Time since the instance's last state change.",
			func(s *scrape, in *daemon.InstanceObservation) (float64, bool) {
				return max(s.now.Sub(in.LastTransition).Seconds(), 0), !in.LastTransition.IsZero()
			}),
		{"gokeepalived_vrrp_master_info", "gauge", "1, labelled with the address of the master last heard (the instance's own while MASTER).",
			func(t *textWriter, s *scrape, n string) {
				for i := range s.o.Instances {
					if in := &s.o.Instances[i]; in.MasterAddr != "" && instanceStart(t, s, i, n) {
						t.label("master", in.MasterAddr)
						t.end(1)
					}
				}
			}},
		perInstance("gokeepalived_vrrp_other_master_adverts_total", "counter", "Adverts from another master received while MASTER: two masters at once for the VRID.",
			func(s *scrape, in *daemon.InstanceObservation) (float64, bool) {
				return float64(in.OtherMasterAdverts), true
			}),
		{"gokeepalived_vrrp_other_master_last_seen_timestamp_seconds", "gauge", "When the last advert from another master arrived while MASTER, labelled with its sender.",
			func(t *textWriter, s *scrape, n string) {
				for i := range s.o.Instances {
					if in := &s.o.Instances[i]; in.OtherMaster.IsValid() && instanceStart(t, s, i, n) {
						t.label("address", in.OtherMaster.String())
						t.end(unixSeconds(in.OtherMasterAt))
					}
				}
			}},
		{"gokeepalived_vrrp_adverts_dropped_total", "counter", "Received adverts dropped by the receive checks, by the check that failed; absent until the first drop.",
			func(t *textWriter, s *scrape, n string) {
				for i := range s.o.Instances {
					for _, d := range s.o.Instances[i].Drops {
						if instanceStart(t, s, i, n) {
							t.label("reason", d.Reason)
							t.end(float64(d.Count))
						}
					}
				}
			}},
		{"gokeepalived_vrrp_master_down_timer_lateness_seconds", "histogram", "How late the master-down timer was served, over every instance.",
			func(t *textWriter, s *scrape, n string) { writeHistogram(t, n, "", "", s.o.MasterDownLateness) }},
		{"gokeepalived_socket_adverts_dropped_total", "counter", "Packets the VRRP sockets' readers dropped before any instance saw them, by reason.",
			func(t *textWriter, s *scrape, n string) {
				if st := s.sockets; st != nil {
					for _, r := range []struct {
						reason string
						v      uint64
					}{{"malformed", st.Malformed}, {"queue_full", st.QueueFull}, {"read_error", st.ReadErrors}, {"unknown_vrid", st.UnknownVRID}} {
						t.start(n, "")
						t.label("reason", r.reason)
						t.end(float64(r.v))
					}
				}
			}},
		{"gokeepalived_socket_receive_buffer_drops_total", "counter", "Adverts the kernel dropped because a VRRP receive socket's buffer was full (SO_RXQ_OVFL).",
			func(t *textWriter, s *scrape, n string) {
				if s.sockets != nil {
					t.start(n, "")
					t.end(float64(s.sockets.RcvbufDrops))
				}
			}},
		{"gokeepalived_socket_adverts_received_total", "counter", "Adverts the VRRP sockets' readers handed to an instance, by path: queue (to its goroutine) or fast_path (noted as a refresh of its master-down timer).",
			func(t *textWriter, s *scrape, n string) {
				if st := s.sockets; st != nil {
					t.start(n, "")
					t.label("path", "fast_path")
					t.end(float64(st.Refreshed))
					t.start(n, "")
					t.label("path", "queue")
					t.end(float64(st.Delivered))
				}
			}},
		{"gokeepalived_script_run_duration_seconds", "histogram", "How long a vrrp_script's runs took.",
			func(t *textWriter, s *scrape, n string) {
				for _, sc := range s.o.Scripts {
					writeHistogram(t, n, "name", sc.Name, sc.Duration)
				}
			}},
		{"gokeepalived_script_runs_total", "counter", "A vrrp_script's runs by how they ended: the exit status, timeout or signal_N.",
			func(t *textWriter, s *scrape, n string) {
				for _, sc := range s.o.Scripts {
					for _, x := range sc.Exits {
						t.start(n, "")
						t.label("name", sc.Name)
						t.label("exit", x.Exit)
						t.end(float64(x.Count))
					}
				}
			}},
		{"gokeepalived_reloads_total", "counter", "Reloads by result: success, failure (the daemon kept the running configuration) or rejected (the new configuration has errors).",
			func(t *textWriter, s *scrape, n string) {
				for _, r := range []struct {
					result string
					v      uint64
				}{{"failure", s.o.Reloads.Failed}, {"rejected", s.o.Reloads.Rejected}, {"success", s.o.Reloads.OK}} {
					t.start(n, "")
					t.label("result", r.result)
					t.end(float64(r.v))
				}
			}},
		{"gokeepalived_config_last_reload_success_timestamp_seconds", "gauge", "When the running configuration was loaded: the start or the last successful reload.",
			func(t *textWriter, s *scrape, n string) {
				if !s.o.Loaded.IsZero() {
					t.start(n, "")
					t.end(unixSeconds(s.o.Loaded))
				}
			}},
		{"gokeepalived_build_info", "gauge", "1, labelled with the build.",
			func(t *textWriter, s *scrape, n string) {
				t.start(n, "")
				t.label("version", s.build.Version)
				t.label("revision", s.build.Revision)
				t.label("goversion", s.build.GoVersion)
				t.label("keepalived", s.build.Keepalived)
				t.end(1)
			}},
	}
	for _, c := range statCounters {
		fs = append(fs, perInstance(c.name, "counter", c.help,
			func(s *scrape, in *daemon.InstanceObservation) (float64, bool) {
				return float64(c.get(&in.Stats)), true
			}))
	}
	slices.SortFunc(fs, func(a, b family) int { return compare(a.name, b.name) })
	return fs
}()

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// perInstance is a family with one sample per instance, labelled iname,
// intf and vrid; value says whether the instance has one.
func perInstance(name, typ, help string, value func(*scrape, *daemon.InstanceObservation) (float64, bool)) family {
	return family{name, typ, help, func(t *textWriter, s *scrape, n string) {
		for i := range s.o.Instances {
			in := &s.o.Instances[i]
			if in.Config == nil {
				continue
			}
			v, ok := value(s, in)
			if !ok {
				continue
			}
			if instanceStart(t, s, i, n) {
				t.end(v)
			}
		}
	}}
}

// instanceStart starts a sample of instance i labelled iname, intf and
// vrid, unless the instance is not set up yet.
func instanceStart(t *textWriter, s *scrape, i int, name string) bool {
	if s.labels[i] == "" {
		return false
	}
	t.start(name, "")
	t.raw(s.labels[i])
	return true
}

// writeStates writes keepalived_vrrp_state (or, excluded, its
// _excluded_state) as keepalived-exporter does: one sample per (excluded)
// VIP, labelled with the VIP's interface and address; for an instance
// without VIPs, one with its interface and ip_address "".
func writeStates(t *textWriter, s *scrape, name string, excluded bool) {
	for i := range s.o.Instances {
		in := &s.o.Instances[i]
		cfg := in.Config
		if cfg == nil {
			continue
		}
		state := float64(stateNumber(in.State))
		vrid := strconv.Itoa(cfg.VRID)
		addrs := cfg.VIPs
		if excluded {
			addrs = cfg.EVIPs
		}
		for _, a := range addrs {
			t.start(name, "")
			t.label("iname", in.Name)
			t.label("intf", addrDev(a.Dev, cfg.Interface))
			t.label("vrid", vrid)
			t.label("ip_address", prefixText(a.Prefix))
			t.end(state)
		}
		if !excluded && len(addrs) == 0 {
			t.start(name, "")
			t.raw(s.labels[i])
			t.label("ip_address", "")
			t.end(state)
		}
	}
}

// writeHistogram writes h's cumulative buckets, sum and count, with one
// optional label.
func writeHistogram(t *textWriter, name, k, v string, h daemon.Histogram) {
	var n uint64
	sample := func(suffix, le string, val float64) {
		t.start(name, suffix)
		if k != "" {
			t.label(k, v)
		}
		if le != "" {
			t.label("le", le)
		}
		t.end(val)
	}
	var le []byte
	for i, b := range h.Bounds {
		n += h.Counts[i]
		le = appendFloat(le[:0], b)
		sample("_bucket", string(le), float64(n))
	}
	if len(h.Counts) > len(h.Bounds) {
		n += h.Counts[len(h.Bounds)]
	}
	sample("_bucket", "+Inf", float64(n))
	sample("_sum", "", h.Sum)
	sample("_count", "", float64(n))
}

// writeAll writes every family of the scrape.
func writeAll(t *textWriter, s *scrape) {
	s.labels = make([]string, len(s.o.Instances))
	for i := range s.o.Instances {
		in := &s.o.Instances[i]
		if in.Config != nil {
			s.labels[i] = labelPairs("iname", in.Name, "intf", in.Interface, "vrid", strconv.Itoa(in.Config.VRID))
		}
	}
	for _, f := range families {
		t.family(f.name, f.typ, f.help)
		f.write(t, s, f.name)
	}
}

// stateNumber numbers a state as keepalived does in its dumps and
// keepalived-exporter in keepalived_vrrp_state.
func stateNumber(s vrrp.State) int {
	if s == vrrp.StateStop {
		return 98
	}
	return int(s) // INIT 0, BACKUP 1, MASTER 2, FAULT 3
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
