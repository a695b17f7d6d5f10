package confparse

import (
	"fmt"
	"strings"
	"testing"
)

// benchConfig returns a configuration of n vrrp_instance blocks tracking
// n/10 vrrp_scripts, shaped as bench/checkconfig's.
func benchConfig(n int) string {
	var b strings.Builder
	b.WriteString("global_defs {\n    router_id bench\n    enable_script_security\n    script_user root\n}\n")
	scripts := max(1, n/10)
	for s := range scripts {
		fmt.Fprintf(&b, "vrrp_script chk_%d {\n    script \"/bin/true\"\n    interval 2\n    weight -5\n}\n", s)
	}
	for i := range n {
		fmt.Fprintf(&b, "vrrp_instance VI_%d {\n    state BACKUP\n    interface eth%d\n    virtual_router_id %d\n    priority %d\n",
			i, i/250, i%250+1, 50+i%150)
		if i%3 == 0 {
			fmt.Fprintf(&b, "    authentication {\n        auth_type PASS\n        auth_pass pw%05d\n    }\n", i)
		}
		fmt.Fprintf(&b, "    virtual_ipaddress {\n        198.51.100.%d/24 dev eth%d\n    }\n", 1+i%254, i/250)
		fmt.Fprintf(&b, "    track_script {\n        chk_%d\n    }\n    notify /bin/true\n}\n", i%scripts)
	}
	return b.String()
}

// BenchmarkLoad loads configurations of growing size; the time per
// instance (ns/instance) stays the same when loading is linear.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			fs := MemFS{"/bench.conf": benchConfig(n)}
			env := testEnv{allIfaces: true, users: map[string]bool{"root": true}}
			b.ReportAllocs()
			for b.Loop() {
				if _, diags := Load("/bench.conf", Options{Read: ReadOptions{FS: fs}, Env: env}); diags.CannotRun() {
					b.Fatalf("cannot run: %v", diags)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/instance")
		})
	}
}
