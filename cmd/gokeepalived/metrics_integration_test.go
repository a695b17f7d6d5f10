package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/netnsrun"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// metricsAddr is where the lab's daemons serve their metrics, each on the
// loopback of its own namespace.
const metricsAddr = "127.0.0.1:9165"

// startGKMetrics starts gokeepalived on conf like startGK, with
// --metrics-listen and a control socket and state directory of its own.
func (h *host) startGKMetrics(conf string) {
	h.lab.t.Helper()
	p := h.writeConf(conf)
	h.proc = h.ns.Start(h.lab.t, "env", "GOKEEPALIVED_TEST_MAIN=1", h.lab.self,
		"-n", "-l", "-D", "-G", "-f", p, "-p", p+".pid", "-r", p+".vrrp.pid",
		"--control-socket", p+".sock", "--state-dir", filepath.Join(h.lab.dir, h.name+"-state"),
		"--metrics-listen", metricsAddr)
	h.proc.WaitOutput(h.lab.t, 10*time.Second, "Serving metrics on http://"+metricsAddr+"/metrics")
}

// httpClient returns a client whose connections are made inside the
// host's namespace.
func (h *host) httpClient() *http.Client {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		err := netnsrun.Do(h.ns.Path(), func() error {
			var err error
			c, err = (&net.Dialer{}).DialContext(ctx, network, addr)
			return err
		})
		return c, err
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true}}
}

// get GETs path from the host's metrics server.
func (h *host) get(path string) (int, string, error) {
	resp, err := h.httpClient().Get("http://" + metricsAddr + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// sample is one line of the text exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

// samples is a scrape: the samples of the text exposition.
type samples []sample

func parseSamples(text string) (samples, error) {
	var out samples
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("not a sample line: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", line, err)
		}
		s := sample{name: m[1], labels: map[string]string{}, value: v}
		for _, l := range labelPair.FindAllStringSubmatch(m[2], -1) {
			s.labels[l[1]] = l[2]
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// value returns the value of the one sample called name whose labels
// include want ("k=v" pairs), and whether there is exactly one.
func (ss samples) value(name string, want ...string) (float64, bool) {
	var found []float64
	for _, s := range ss {
		if s.name != name {
			continue
		}
		match := true
		for _, kv := range want {
			k, v, _ := strings.Cut(kv, "=")
			if s.labels[k] != v {
				match = false
			}
		}
		if match {
			found = append(found, s.value)
		}
	}
	if len(found) != 1 {
		return 0, false
	}
	return found[0], true
}

// scrape reads the host's /metrics.
func (h *host) scrape() (samples, error) {
	code, body, err := h.get("/metrics")
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %d %s", code, body)
	}
	return parseSamples(body)
}

// mustScrape scrapes or fails the test.
func (h *host) mustScrape(t *testing.T) samples {
	t.Helper()
	ss, err := h.scrape()
	if err != nil {
		t.Fatalf("%s: %v", h.name, err)
	}
	return ss
}

// vi1 are VI_1's labels in the metrics.
var vi1 = []string{"iname=VI_1", "intf=eth0", "vrid=51"}

// metric is one of VI_1's metrics in a scrape, with more labels; -1 if
// absent.
func metric(ss samples, name string, more ...string) float64 {
	v, ok := ss.value(name, append(append([]string(nil), vi1...), more...)...)
	if !ok {
		return -1
	}
	return v
}

// waitMetrics polls the host's metrics until cond holds, failing the test
// after timeout or if a scrape fails.
func waitMetrics(t *testing.T, h *host, timeout time.Duration, what string, cond func(samples) bool) samples {
	t.Helper()
	var last samples
	nstest.WaitFor(t, timeout, 20*time.Millisecond, func() (bool, string) {
		ss, err := h.scrape()
		if err != nil {
			t.Fatalf("%s: scrape: %v", h.name, err)
		}
		last = ss
		return cond(ss), h.name + ": " + what
	})
	return last
}

// TestIntegrationMetrics scrapes two gokeepalived daemons' /metrics through
// a failover: state, priorities and counters move as the VRRP traffic
// says, in keepalived-exporter's names and labels and gokeepalived's own;
// /healthz and /readyz answer.
func TestIntegrationMetrics(t *testing.T) {
	l := newLab(t)
	a := l.host("a", "192.0.2.1/24")
	b := l.host("b", "192.0.2.2/24")
	conf := func(prio int) string { return instanceConf(51, prio, vip4, "version 3", "advert_int 0.2") }
	a.startGKMetrics(conf(150))
	b.startGKMetrics(conf(100))
	waitMaster(t, 15*time.Second, "192.0.2.100", a, b)
	for _, h := range []*host{a, b} {
		nstest.WaitFor(t, 10*time.Second, 20*time.Millisecond, func() (bool, string) {
			code, body, err := h.get("/readyz")
			return err == nil && code == http.StatusOK && body == "ready\n", fmt.Sprintf("%s /readyz: %d %q %v", h.name, code, body, err)
		})
		if code, body, err := h.get("/healthz"); err != nil || code != http.StatusOK || body != "ok\n" {
			t.Errorf("%s /healthz: %d %q %v", h.name, code, body, err)
		}
	}

	// a MASTER at 150, b BACKUP at 100 hearing a.
	sa := waitMetrics(t, a, 5*time.Second, "MASTER", func(ss samples) bool {
		return metric(ss, "keepalived_vrrp_state", "ip_address=192.0.2.100/24") == 2
	})
	sb := b.mustScrape(t)
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"a state", metric(sa, "keepalived_vrrp_state", "ip_address=192.0.2.100/24"), 2},
		{"b state", metric(sb, "keepalived_vrrp_state", "ip_address=192.0.2.100/24"), 1},
		{"a priority", metric(sa, "gokeepalived_vrrp_priority"), 150},
		{"a base priority", metric(sa, "gokeepalived_vrrp_base_priority"), 150},
		{"b priority", metric(sb, "gokeepalived_vrrp_priority"), 100},
		{"a become master", metric(sa, "keepalived_become_master_total"), 1},
		{"b become master", metric(sb, "keepalived_become_master_total"), 0},
		{"a INIT>BACKUP", metric(sa, "gokeepalived_vrrp_state_transitions_total", "from=INIT", "to=BACKUP", "reason=init"), 1},
		{"a BACKUP>MASTER", metric(sa, "gokeepalived_vrrp_state_transitions_total", "from=BACKUP", "to=MASTER", "reason=master down"), 1},
		{"b master seen", metric(sb, "gokeepalived_vrrp_master_info", "master=192.0.2.1"), 1},
		{"a other masters", metric(sa, "gokeepalived_vrrp_other_master_adverts_total"), 0},
		{"a garp delay", metric(sa, "keepalived_gratuitous_arp_delay_total"), 5},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	for _, ss := range []samples{sa, sb} {
		if v, ok := ss.value("keepalived_up"); !ok || v != 1 {
			t.Errorf("keepalived_up %v %v", v, ok)
		}
		if _, ok := ss.value("gokeepalived_build_info", "version="+programVersion, "keepalived="+keepalivedCompat); !ok {
			t.Error("no gokeepalived_build_info")
		}
		if v, ok := ss.value("process_resident_memory_bytes"); !ok || v <= 0 {
			t.Errorf("process_resident_memory_bytes %v %v", v, ok)
		}
	}

	// The adverts a sends are the adverts b receives. b's count is
	// brought up to date at least every Master_Down_Interval (0.6 s plus
	// skew): the fast path notes arrivals in between.
	sent0, rcvd0 := metric(sa, "keepalived_advertisements_sent_total"), metric(sb, "keepalived_advertisements_received_total")
	sb = waitMetrics(t, b, 10*time.Second, "20 more adverts received", func(ss samples) bool {
		return metric(ss, "keepalived_advertisements_received_total") >= rcvd0+20
	})
	sa = a.mustScrape(t)
	dSent, dRcvd := metric(sa, "keepalived_advertisements_sent_total")-sent0, metric(sb, "keepalived_advertisements_received_total")-rcvd0
	if dRcvd > dSent+1 || dSent-dRcvd > 8 {
		t.Errorf("a sent %v adverts while b received %v", dSent, dRcvd)
	}
	if metric(sb, "keepalived_advertisements_sent_total") != 0 {
		t.Errorf("the backup sent adverts: %v", metric(sb, "keepalived_advertisements_sent_total"))
	}

	// Failover: a is killed by pid; b is scraped all along, and moves from
	// BACKUP to MASTER once, by its master-down timer.
	lateness0, _ := sb.value("gokeepalived_vrrp_master_down_timer_lateness_seconds_count")
	a.stop(syscall.SIGKILL)
	states := []float64{}
	sb = waitMetrics(t, b, 10*time.Second, "MASTER after the failover", func(ss samples) bool {
		st := metric(ss, "keepalived_vrrp_state", "ip_address=192.0.2.100/24")
		if len(states) == 0 || states[len(states)-1] != st {
			states = append(states, st)
		}
		return st == 2
	})
	if len(states) > 2 || states[len(states)-1] != 2 {
		t.Errorf("b's states while scraped through the failover: %v, want [1 2]", states)
	}
	waitVIP(t, 5*time.Second, "192.0.2.100", b)
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"b become master", metric(sb, "keepalived_become_master_total"), 1},
		{"b BACKUP>MASTER", metric(sb, "gokeepalived_vrrp_state_transitions_total", "from=BACKUP", "to=MASTER", "reason=master down"), 1},
		{"b master seen", metric(sb, "gokeepalived_vrrp_master_info", "master=192.0.2.2"), 1},
		{"b priority", metric(sb, "gokeepalived_vrrp_priority"), 100},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	if n, _ := sb.value("gokeepalived_vrrp_master_down_timer_lateness_seconds_count"); n != lateness0+1 {
		t.Errorf("master-down timer served %v times, want %v", n, lateness0+1)
	}
	// b's takeover was served in time: within 100 ms of the deadline.
	if n, _ := sb.value("gokeepalived_vrrp_master_down_timer_lateness_seconds_bucket", "le=0.1"); n != lateness0+1 {
		t.Errorf("master-down timer served late: %v of %v within 0.1 s", n, lateness0+1)
	}
	sent1 := metric(sb, "keepalived_advertisements_sent_total")
	waitMetrics(t, b, 5*time.Second, "b sends adverts", func(ss samples) bool {
		return metric(ss, "keepalived_advertisements_sent_total") >= sent1+5
	})

	// a comes back at 150 and preempts: b leaves MASTER on a's advert.
	a.startGKMetrics(conf(150))
	waitMaster(t, 15*time.Second, "192.0.2.100", a, b)
	sb = waitMetrics(t, b, 5*time.Second, "BACKUP again", func(ss samples) bool {
		return metric(ss, "keepalived_vrrp_state", "ip_address=192.0.2.100/24") == 1
	})
	if got := metric(sb, "keepalived_release_master_total"); got != 1 {
		t.Errorf("b release master %v, want 1", got)
	}
	if got := metric(sb, "gokeepalived_vrrp_state_transitions_total", "from=MASTER", "to=BACKUP", "reason=higher priority advert"); got != 1 {
		t.Errorf("b MASTER>BACKUP on a higher priority advert: %v, want 1", got)
	}
	// Both were master for a moment only if b heard a while MASTER: a
	// preempting advert is from another master.
	if got := metric(sb, "gokeepalived_vrrp_other_master_adverts_total"); got < 1 {
		t.Errorf("b heard %v adverts from another master while MASTER, want at least a's preempting one", got)
	}
	if _, ok := sb.value("gokeepalived_vrrp_other_master_last_seen_timestamp_seconds", append(vi1, "address=192.0.2.1")...); !ok {
		t.Error("b does not name a as the other master")
	}

	// SIGTERM: a sends priority 0 on its way out; its metrics server
	// goes with it.
	a.stop(syscall.SIGTERM)
	sb = waitMetrics(t, b, 10*time.Second, "MASTER after a's priority 0", func(ss samples) bool {
		return metric(ss, "keepalived_vrrp_state", "ip_address=192.0.2.100/24") == 2
	})
	if got := metric(sb, "keepalived_priority_zero_received_total"); got != 1 {
		t.Errorf("b priority 0 received %v, want 1", got)
	}
	if _, _, err := a.get("/metrics"); err == nil {
		t.Error("a's metrics still served after its stop")
	}
}
