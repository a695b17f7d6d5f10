package metrics

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// scaleObservation is n instances as a master of n VRIDs has them: one
// VIP each, two transitions, keepalived's counters moving.
func scaleObservation(n int) daemon.Observation {
	o := sample()
	o.Instances = nil
	for i := range n {
		name := fmt.Sprintf("VI_%d", i)
		cfg := &config.Instance{Name: name, Interface: fmt.Sprintf("eth%d", i/200), VRID: 1 + i%200,
			GarpMasterDelay: 5 * time.Second, VIPs: []*config.Address{addr(fmt.Sprintf("10.%d.%d.1/32", i/256, i%256), "")}}
		o.Instances = append(o.Instances, daemon.InstanceObservation{
			InstanceStatus: daemon.InstanceStatus{Name: name, State: vrrp.StateMaster, EffectivePriority: 200, BasePriority: 200,
				MasterAddr: "192.0.2.1", LastTransition: t0.Add(-time.Hour), Stats: daemon.Stats{AdvertSent: 3600, BecomeMaster: 1}},
			Config: cfg, Interface: cfg.Interface,
			Transitions: []daemon.TransitionCount{
				{From: vrrp.StateInit, To: vrrp.StateBackup, Reason: "init", Count: 1},
				{From: vrrp.StateBackup, To: vrrp.StateMaster, Reason: "master down", Count: 1},
			},
		})
	}
	return o
}

// BenchmarkScrape4000 is one /metrics of 4000 instances, in the text
// format, as Prometheus scrapes it (without compression).
func BenchmarkScrape4000(b *testing.B) {
	o := sampleOptions(&fakeSource{obs: scaleObservation(4000)})
	h := NewHandler(o)
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		w := &countWriter{h: http.Header{}}
		h.ServeHTTP(w, req)
		n = w.n
	}
	b.ReportMetric(float64(n), "bytes/scrape")
}

// countWriter is a ResponseWriter that counts the body.
type countWriter struct {
	h http.Header
	n int
}

func (w *countWriter) Header() http.Header { return w.h }
func (w *countWriter) WriteHeader(int)     {}
func (w *countWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return io.Discard.Write(p)
}
