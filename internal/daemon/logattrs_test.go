package daemon

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunStructuredStateChange: with a structured handler, an instance's
// records carry instance and vrid, and its "Entering ... STATE" records
// carry from, to and reason (--log-format=json).
func TestRunStructuredStateChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf lockedBuffer
		net := &viptest.Fake{}
		net.SetLink("eth0", true)
		status, stop := startDaemon(t, loadConfig(t, strings.Replace(routerConf, "PRIO", "150", 1)), Deps{
			Log: slog.New(slog.NewJSONHandler(&buf, nil)), Net: net, Links: net,
		})
		waitUntil(t, "MASTER", func() bool { st := status.Snapshot(); return len(st) == 1 && st[0].State == vrrp.StateMaster })
		stop()
		var found bool
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if rec["msg"] != "(VI_1) Entering MASTER STATE" {
				continue
			}
			found = true
			want := map[string]any{"instance": "VI_1", "vrid": float64(7), "from": "BACKUP", "to": "MASTER", "reason": "master down"}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("record %v: %s = %v, want %v", rec, k, rec[k], v)
				}
			}
		}
		if !found {
			t.Fatalf("no MASTER record in:\n%s", buf.String())
		}
	})
}
