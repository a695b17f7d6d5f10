package metrics

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

var update = flag.Bool("update", false, "rewrite testdata/exposition.golden")

// fakeSource is a Source with fixed answers.
type fakeSource struct {
	obs          daemon.Observation
	alive, ready error
	// hang makes Alive wait for its context.
	hang bool
}

func (f *fakeSource) Observe() daemon.Observation { return f.obs }
func (f *fakeSource) Ready() error                { return f.ready }
func (f *fakeSource) Alive(ctx context.Context) error {
	if f.hang {
		<-ctx.Done()
		return context.Cause(ctx)
	}
	return f.alive
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func addr(prefix, dev string) *config.Address {
	return &config.Address{Prefix: netip.MustParsePrefix(prefix), Dev: dev}
}

// sample is an observation with every kind of metric: a MASTER with two
// VIPs and an excluded one that heard a second master and dropped
// adverts; a BACKUP on a VMAC without VIPs; a FAULT IPv6 instance; a good,
// a running and a never-run script.
func sample() daemon.Observation {
	vi1 := &config.Instance{Name: "VI_1", Interface: "eth0", VRID: 51, GarpMasterDelay: 5 * time.Second,
		VIPs:  []*config.Address{addr("192.0.2.100/24", "eth0"), addr("192.0.2.101/32", "")},
		EVIPs: []*config.Address{addr("198.51.100.7/32", "eth1")}}
	vi2 := &config.Instance{Name: "VI_2", Interface: "eth0", VRID: 52, GarpMasterDelay: 5 * time.Second}
	vi6 := &config.Instance{Name: "VI_6", Interface: "eth1", VRID: 61,
		VIPs: []*config.Address{addr("2001:db8::100/64", "eth1")}}
	lateness := daemon.Histogram{Bounds: []float64{0.0001, 0.001, 0.01}, Counts: []uint64{3, 1, 0, 1}, Sum: 0.0502}
	return daemon.Observation{
		Serving: true, Loaded: t0.Add(-time.Hour),
		Instances: []daemon.InstanceObservation{
			{
				InstanceStatus: daemon.InstanceStatus{Name: "VI_1", State: vrrp.StateMaster, EffectivePriority: 140, BasePriority: 150,
					MasterAddr: "192.0.2.1", LastTransition: t0.Add(-90 * time.Second),
					Stats: daemon.Stats{AdvertRcvd: 12, AdvertSent: 3400, BecomeMaster: 2, ReleaseMaster: 1, PriZeroSent: 1, AuthFailure: 4}},
				Config: vi1, Interface: "eth0",
				Transitions: []daemon.TransitionCount{
					{From: vrrp.StateInit, To: vrrp.StateBackup, Reason: "init", Count: 1},
					{From: vrrp.StateBackup, To: vrrp.StateMaster, Reason: "master down", Count: 2},
					{From: vrrp.StateMaster, To: vrrp.StateBackup, Reason: "higher priority advert", Count: 1},
				},
				OtherMasterAdverts: 3, OtherMaster: netip.MustParseAddr("192.0.2.9"), OtherMasterAt: t0.Add(-2 * time.Second),
				Drops: []daemon.DropCount{{Reason: "auth", Count: 4}, {Reason: "version", Count: 1}},
			},
			{
				InstanceStatus: daemon.InstanceStatus{Name: "VI_2", State: vrrp.StateBackup, EffectivePriority: 100, BasePriority: 100,
					MasterAddr: "192.0.2.1", LastTransition: t0.Add(-10 * time.Minute), Stats: daemon.Stats{AdvertRcvd: 600}},
				Config: vi2, Interface: "vrrp.52",
				Transitions: []daemon.TransitionCount{{From: vrrp.StateInit, To: vrrp.StateBackup, Reason: "init", Count: 1}},
			},
			{
				InstanceStatus: daemon.InstanceStatus{Name: "VI_6", State: vrrp.StateFault, EffectivePriority: 100, BasePriority: 100,
					LastTransition: t0.Add(-time.Second)},
				Config: vi6, Interface: "eth1",
				Transitions: []daemon.TransitionCount{{From: vrrp.StateInit, To: vrrp.StateFault, Reason: "init", Count: 1}},
			},
			// Not set up yet: left out.
			{InstanceStatus: daemon.InstanceStatus{Name: "VI_new"}},
		},
		MasterDownLateness: lateness,
		Scripts: []daemon.ScriptObservation{
			{Name: "chk_good", Known: true, OK: true, Exits: []daemon.ExitCount{{Exit: "0", Count: 10}, {Exit: "1", Count: 2}, {Exit: "timeout", Count: 1}},
				Duration: daemon.Histogram{Bounds: []float64{0.01, 0.1, 1}, Counts: []uint64{9, 3, 0, 1}, Sum: 3.2}},
			{Name: "chk_running", Known: true, OK: false, Running: true, Exits: []daemon.ExitCount{{Exit: "signal_9", Count: 1}},
				Duration: daemon.Histogram{Bounds: []float64{0.01, 0.1, 1}, Counts: []uint64{0, 0, 1, 0}, Sum: 0.5}},
			{Name: "chk_new", Running: true, Duration: daemon.Histogram{Bounds: []float64{0.01, 0.1, 1}, Counts: make([]uint64, 4)}},
		},
		Reloads: daemon.ReloadCounts{OK: 3, Failed: 1, Rejected: 2},
	}
}

func sampleOptions(src Source) Options {
	return Options{
		Source: src,
		Sockets: func() socket.Stats {
			return socket.Stats{Delivered: 900, Refreshed: 5000, UnknownVRID: 7, Malformed: 1, RcvbufDrops: 12}
		},
		Now:   func() time.Time { return t0 },
		Build: Build{Version: "0.1.0", Revision: "abc123", GoVersion: "go1.26.0", Keepalived: "2.2.7"},
	}
}

// scrape GETs path from the handler and returns the status and body.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestExpositionGolden: /metrics for the sample observation, in the text
// format, against testdata/exposition.golden (go test -update rewrites it).
func TestExpositionGolden(t *testing.T) {
	o := sampleOptions(&fakeSource{obs: sample()})
	code, got := get(t, NewHandler(o), "/metrics")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, got)
	}
	golden := filepath.Join("testdata", "exposition.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("exposition differs from %s (go test -run TestExpositionGolden -update rewrites it):\n%s", golden, lineDiff(string(want), got))
	}
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// parseFamilies parses an exposition with Prometheus' own text parser, which
// checks its syntax, that each family is written in one piece, and the
// samples against the families' types.
func parseFamilies(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v", err)
	}
	return mfs
}

// TestExpositionValid: the sample exposition parses, and passes
// client_golang's metric linter.
func TestExpositionValid(t *testing.T) {
	o := sampleOptions(&fakeSource{obs: sample()})
	o.Runtime = true
	_, text := get(t, NewHandler(o), "/metrics")
	parseFamilies(t, text)
	problems, err := promlint.New(strings.NewReader(text)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestExporterNames: the keepalived_ metrics are keepalived-exporter's,
// with its labels, so that its dashboards work unchanged.
func TestExporterNames(t *testing.T) {
	o := sampleOptions(&fakeSource{obs: sample()})
	_, text := get(t, NewHandler(o), "/metrics")
	labels := map[string]string{}
	for name, mf := range parseFamilies(t, text) {
		var names []string
		for _, l := range mf.GetMetric()[0].GetLabel() {
			names = append(names, l.GetName())
		}
		slices.Sort(names)
		labels[name] = mf.GetType().String() + " " + strings.Join(names, ",")
	}
	common := "COUNTER iname,intf,vrid"
	want := map[string]string{
		"keepalived_up":                  "GAUGE ",
		"keepalived_vrrp_state":          "GAUGE iname,intf,ip_address,vrid",
		"keepalived_vrrp_excluded_state": "GAUGE iname,intf,ip_address,vrid",
		"keepalived_script_status":       "GAUGE name",
		"keepalived_script_state":        "GAUGE name",
	}
	for _, n := range []string{"gratuitous_arp_delay", "advertisements_received", "advertisements_sent", "become_master",
		"release_master", "packet_length_errors", "advertisements_interval_errors", "ip_ttl_errors",
		"invalid_type_received", "address_list_errors", "authentication_invalid", "authentication_mismatch",
		"authentication_failure", "priority_zero_received", "priority_zero_sent"} {
		want["keepalived_"+n+"_total"] = common
	}
	for name, w := range want {
		if got, ok := labels[name]; !ok || got != w {
			t.Errorf("%s: %q, want %q", name, got, w)
		}
	}
}

// TestStateValues: keepalived_vrrp_state is keepalived's state number.
func TestStateValues(t *testing.T) {
	for s, want := range map[vrrp.State]int{vrrp.StateInit: 0, vrrp.StateBackup: 1, vrrp.StateMaster: 2, vrrp.StateFault: 3, vrrp.StateStop: 98} {
		if got := stateNumber(s); got != want {
			t.Errorf("%v: %d, want %d", s, got, want)
		}
	}
}

// TestHealthz: /healthz is 200 while the daemon's loops answer, 503 with
// the reason when they do not or do not in time.
func TestHealthz(t *testing.T) {
	src := &fakeSource{}
	o := Options{Source: src, HealthTimeout: 50 * time.Millisecond}
	h := NewHandler(o)
	if code, body := get(t, h, "/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("alive: %d %q", code, body)
	}
	src.alive = errors.New("(VI_1) does not answer")
	if code, body := get(t, h, "/healthz"); code != http.StatusServiceUnavailable || body != "(VI_1) does not answer\n" {
		t.Errorf("hung: %d %q", code, body)
	}
	src.alive, src.hang = nil, true
	if code, body := get(t, h, "/healthz"); code != http.StatusServiceUnavailable || body != "no answer within 50ms\n" {
		t.Errorf("timed out: %d %q", code, body)
	}
}

// TestReadyz: /readyz is 200 once the configuration runs with every
// instance out of INIT, else 503 with the reason; the metrics are served
// either way.
func TestReadyz(t *testing.T) {
	src := &fakeSource{ready: errors.New("daemon: not serving: (VI_1) is in INIT")}
	o := Options{Source: src}
	h := NewHandler(o)
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "(VI_1) is in INIT") {
		t.Errorf("not ready: %d %q", code, body)
	}
	if code, body := get(t, h, "/metrics"); code != http.StatusOK || !strings.Contains(body, "keepalived_up 0\n") {
		t.Errorf("metrics while not ready: %d\n%s", code, body)
	}
	src.ready = nil
	if code, body := get(t, h, "/readyz"); code != http.StatusOK || body != "ready\n" {
		t.Errorf("ready: %d %q", code, body)
	}
}

// TestRuntimeMetrics: Options.Runtime adds the Go and process collectors.
func TestRuntimeMetrics(t *testing.T) {
	o := Options{Source: &fakeSource{}, Runtime: true}
	_, body := get(t, NewHandler(o), "/metrics")
	for _, name := range []string{"go_goroutines ", "process_resident_memory_bytes ", "gokeepalived_build_info{"} {
		if !strings.Contains(body, "\n"+name) {
			t.Errorf("no %s in\n%s", name, body)
		}
	}
}

// TestServer: Listen serves the handler until Close.
func TestServer(t *testing.T) {
	o := Options{Source: &fakeSource{}}
	s, err := Listen("127.0.0.1:0", NewHandler(o), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("status %d", resp.StatusCode)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + s.Addr().String() + "/healthz"); err == nil {
		t.Error("still serving after Close")
	}
}

// TestDashboard: every metric the shipped Grafana dashboard queries is one
// the daemon exports.
func TestDashboard(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "packaging", "grafana", "gokeepalived.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	o := sampleOptions(&fakeSource{obs: sample()})
	o.Runtime = true
	_, text := get(t, NewHandler(o), "/metrics")
	exported := map[string]bool{}
	for _, mf := range parseFamilies(t, text) {
		exported[mf.GetName()] = true
		if mf.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				exported[mf.GetName()+s] = true
			}
		}
	}
	name := regexp.MustCompile(`\b(?:go|process|keepalived|gokeepalived)_[a-z_]+\b`)
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range name.FindAllString(tg.Expr, -1) {
				n++
				if !exported[m] {
					t.Errorf("panel %q queries %s, which is not exported", p.Title, m)
				}
			}
		}
	}
	if n < 30 {
		t.Errorf("the dashboard queries %d metrics", n)
	}
}

// TestMetricsGzip: a scraper that accepts gzip, as Prometheus does, gets
// the same exposition compressed.
func TestMetricsGzip(t *testing.T) {
	o := sampleOptions(&fakeSource{obs: sample()})
	h := NewHandler(o)
	_, plain := get(t, h, "/metrics")
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 2 { // the second scrape reuses the first one's writers
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
			t.Errorf("headers %v", resp.Header)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != plain {
			t.Errorf("gzipped exposition differs:\n%s", lineDiff(plain, string(b)))
		}
	}
}
