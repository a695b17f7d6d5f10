package reload

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/confparse"
)

// env is a machine where every interface and user exists and every
// program can run.
type env struct{}

func (env) InterfaceExists(string) bool                 { return true }
func (env) InterfaceWithAddr(netip.Addr) (string, bool) { return "", false }
func (env) UserExists(string) bool                      { return true }
func (env) LookPath(name string) (string, error)        { return "/usr/bin/" + name, nil }
func (env) Executable(string) bool                      { return true }

func load(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, diags := confparse.Load("/k.conf", confparse.Options{
		Read: confparse.ReadOptions{FS: confparse.MemFS{"/k.conf": text}},
		Env:  env{},
	})
	for _, d := range diags {
		if d.Class != confparse.ClassNote {
			t.Fatalf("test configuration has an error: %s", d)
		}
	}
	return cfg
}

const base = `global_defs {
    router_id r1
    enable_script_security
    script_user root
}
vrrp_script chk {
    script "/bin/true"
    interval 2
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    track_script {
        chk
    }
    virtual_ipaddress {
        192.0.2.10/24
    }
}
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 52
    priority 100
    virtual_ipaddress {
        192.0.2.20/24
    }
}
`

func actions(c *Changes) string {
	var out []string
	for _, st := range c.Instances {
		s := st.Name + ":" + st.Action.String()
		if st.Why != "" {
			s += "(" + st.Why + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestPlan(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		want           string
		global, static bool
		scripts, sync  []string
	}{
		{name: "same", want: "VI_1:keep VI_2:keep"},
		{name: "moved in the file, comments added", from: "vrrp_instance VI_2 {", to: "# moved\n\n\nvrrp_instance VI_2 {",
			want: "VI_1:keep VI_2:keep"},
		{name: "priority", from: "virtual_router_id 52\n    priority 100", to: "virtual_router_id 52\n    priority 120",
			want: "VI_1:keep VI_2:update"},
		{name: "a VIP", from: "192.0.2.20/24", to: "192.0.2.20/24\n        192.0.2.21/24", want: "VI_1:keep VI_2:update"},
		{name: "interface", from: "interface eth1", to: "interface eth2", want: "VI_1:keep VI_2:restart(interface)"},
		{name: "VRID and owner", from: "virtual_router_id 52\n    priority 100", to: "virtual_router_id 53\n    priority 255",
			want: "VI_1:keep VI_2:restart(VRID, address ownership)"},
		{name: "unicast", from: "interface eth1", to: "interface eth1\n    unicast_peer {\n        192.0.2.99\n    }",
			want: "VI_1:keep VI_2:restart(transport)"},
		{name: "added", from: "vrrp_instance VI_2 {", to: "vrrp_instance VI_3 {\n    interface eth2\n    virtual_router_id 53\n" +
			"    virtual_ipaddress {\n        192.0.2.30/24\n    }\n}\nvrrp_instance VI_2 {", want: "VI_1:keep VI_3:start VI_2:keep"},
		{name: "removed", from: "vrrp_instance VI_2 {", to: "vrrp_instance VI_9 {", want: "VI_1:keep VI_9:start VI_2:stop"},
		{name: "global", from: "router_id r1", to: "router_id r2", want: "VI_1:keep VI_2:keep", global: true},
		{name: "script", from: "interval 2", to: "interval 3", want: "VI_1:keep VI_2:keep", scripts: []string{"chk"}},
		{name: "static", from: "global_defs {", to: "static_ipaddress {\n    198.51.100.1/24 dev eth0\n}\nglobal_defs {",
			want: "VI_1:keep VI_2:keep", static: true},
		// A sync group's tracking is part of its members' effective
		// configuration: changing it updates them.
		{name: "sync group", from: "vrrp_script chk {", to: "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n" +
			"}\nvrrp_script chk {", want: "VI_1:keep VI_2:keep", sync: []string{"G"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(base, tc.from, tc.to, 1)
			if tc.from != "" && text == base {
				t.Fatalf("%q is not in the base configuration", tc.from)
			}
			c := Plan(load(t, base), load(t, text))
			if got := actions(c); got != tc.want {
				t.Errorf("instances %s, want %s", got, tc.want)
			}
			if c.Global != tc.global || c.Static != tc.static || !slices.Equal(c.Scripts, tc.scripts) || !slices.Equal(c.SyncGroups, tc.sync) {
				t.Errorf("global %v static %v scripts %v sync groups %v; want %v %v %v %v",
					c.Global, c.Static, c.Scripts, c.SyncGroups, tc.global, tc.static, tc.scripts, tc.sync)
			}
		})
	}
}

func TestPlanSyncGroupTracking(t *testing.T) {
	group := "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n}\nvrrp_instance VI_1 {"
	withGroup := strings.Replace(base, "vrrp_instance VI_1 {", group, 1)
	tracked := strings.Replace(withGroup, "        VI_2\n    }\n}", "        VI_2\n    }\n    track_script {\n        chk\n    }\n}", 1)
	c := Plan(load(t, withGroup), load(t, tracked))
	if got := actions(c); got != "VI_1:keep VI_2:update" {
		t.Errorf("group tracking chk: instances %s, want VI_1:keep (tracks chk already) VI_2:update", got)
	}
	st, _ := c.Step("VI_2")
	if len(st.New.TrackScripts) != 1 || st.New.TrackScripts[0].Name != "chk" {
		t.Errorf("VI_2's effective tracking %+v, want chk from the group", st.New.TrackScripts)
	}
}

func TestEqual(t *testing.T) {
	a := load(t, base)
	b := load(t, strings.Replace(base, "vrrp_instance VI_1 {", "\n\nvrrp_instance VI_1 {", 1))
	if a.Instances[0].Pos == b.Instances[0].Pos {
		t.Fatal("the test needs the positions to differ")
	}
	if !Equal(a.Instances[0], b.Instances[0]) {
		t.Error("the same instance at another line is not Equal")
	}
	if Equal(a.Instances[0], a.Instances[1]) {
		t.Error("two different instances are Equal")
	}
	if !Equal([]int(nil), []int{}) {
		t.Error("nil and empty slices differ")
	}
}

// TestPlanLines: the plan as `gokeepalived reload --dry-run` prints it.
func TestPlanLines(t *testing.T) {
	same := Plan(load(t, base), load(t, base))
	if got := same.Lines(); !slices.Equal(got, []string{"nothing would change (2 instances kept)"}) {
		t.Errorf("same config: %q", got)
	}
	text := strings.Replace(base, "interface eth1", "interface eth2", 1)
	text = strings.Replace(text, "router_id r1", "router_id r2", 1)
	c := Plan(load(t, base), load(t, text))
	want := []string{"restart VI_2 (interface)", "global  global_defs changed", "keep    1 other instances"}
	if got := c.Lines(); !slices.Equal(got, want) {
		t.Errorf("lines %q, want %q", got, want)
	}
	if got := c.Restarts(); !slices.Equal(got, []string{"VI_2"}) {
		t.Errorf("restarts %q", got)
	}
}
