package confparse

import (
	"strings"
	"testing"
)

// TestDiff: a reload preview lists added, removed and changed instances by
// name, with the changed lines; an unchanged instance is not listed even
// when its lines moved.
func TestDiff(t *testing.T) {
	load := func(text string) *Config {
		t.Helper()
		cfg, diags := Load("/t.conf", Options{Read: ReadOptions{FS: MemFS{"/t.conf": text}}, Env: newTestEnv("eth0")})
		if diags.CannotRun() {
			t.Fatalf("config: %v", diags)
		}
		return cfg
	}
	inst := func(name, vrid, prio, vips string) string {
		return "vrrp_instance " + name + " {\n interface eth0\n virtual_router_id " + vrid + "\n priority " + prio +
			"\n virtual_ipaddress {\n" + vips + "\n }\n}\n"
	}
	old := load(inst("VI_1", "1", "100", "192.0.2.1/24") + inst("VI_2", "2", "100", "192.0.2.2/24") + inst("VI_3", "3", "100", "192.0.2.3/24"))
	cur := load("\n\n" + inst("VI_3", "3", "100", "192.0.2.3/24") + inst("VI_1", "1", "120", "192.0.2.1/24\n192.0.2.9/24") + inst("VI_4", "4", "100", "192.0.2.4/24"))
	var got []string
	for _, c := range Diff(old, cur) {
		got = append(got, c.String())
	}
	want := []string{
		"~ vrrp_instance VI_1\n    + 192.0.2.9/24 dev eth0\n    - priority 100\n    + priority 120",
		"+ vrrp_instance VI_4",
		"- vrrp_instance VI_2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := Diff(old, old); len(d) != 0 {
		t.Errorf("a config differs from itself: %v", d)
	}
}
