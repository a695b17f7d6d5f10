package daemon

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

const reloadConf = `global_defs {
    enable_script_security
    script_user root
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    version 3
    advert_int 0.05
    virtual_ipaddress {
        192.0.2.100/24
    }
    notify "/usr/local/bin/n.sh"
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 100
    version 3
    advert_int 0.05
    virtual_ipaddress {
        192.0.2.200/24
    }
    notify "/usr/local/bin/n.sh"
    notify_deleted
}
`

const reloadConf2 = `global_defs {
    enable_script_security
    script_user root
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 120
    version 3
    advert_int 0.05
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101/24
    }
    notify "/usr/local/bin/n.sh"
}
vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 53
    priority 100
    version 3
    advert_int 0.05
    virtual_ipaddress {
        203.0.113.1/24
    }
}
`

// TestRunReload: reloading an unchanged configuration touches nothing; a
// reload that adds a VIP and changes a priority on a MASTER adds only that
// VIP (with its GARPs) and keeps the state; a removed instance stops with
// notify DELETED; a new instance starts.
func TestRunReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		net := &viptest.Fake{}
		net.SetLink("eth0", true)
		ev := &events{}
		exec := &scriptstest.Exec{}
		reloads := make(chan Reload)
		status, _ := startDaemon(t, loadConfig(t, reloadConf), Deps{
			Net: net, Links: net, Addrs: net, Scripts: exec, Events: ev, Reloads: reloads,
		})
		master := func(names ...string) func() bool {
			return func() bool {
				n := 0
				for _, s := range status.Snapshot() {
					if slices.Contains(names, s.Name) && s.State == vrrp.StateMaster {
						n++
					}
				}
				return n == len(names)
			}
		}
		waitUntil(t, "both MASTER", master("VI_1", "VI_2"))
		waitUntil(t, "MASTER lines", func() bool { return len(ev.get()) == 4 })
		reload := func(text string) {
			t.Helper()
			res := make(chan error, 1)
			reloads <- Reload{Config: loadConfig(t, text), Done: res}
			if err := <-res; err != nil {
				t.Fatal(err)
			}
		}
		before, lines := net.Transcript(), ev.get()
		for range 20 {
			reload(reloadConf)
		}
		if after := net.Transcript(); !slices.Equal(before, after) {
			t.Fatalf("unchanged reloads touched the interfaces:\n%s", strings.Join(after[len(before):], "\n"))
		}
		if got := ev.get(); !slices.Equal(lines, got) {
			t.Fatalf("unchanged reloads notified: %q", got[len(lines):])
		}

		reload(reloadConf2)
		waitUntil(t, "VI_3 MASTER", master("VI_1", "VI_3"))
		tr := net.Transcript()[len(before):]
		for _, want := range []string{"addr add 192.0.2.101/24 dev eth0", "garp 192.0.2.101 dev eth0 x5", "addr del 192.0.2.200/24 dev eth0", "addr add 203.0.113.1/24 dev eth0"} {
			if !slices.Contains(tr, want) {
				t.Errorf("transcript lacks %q:\n%s", want, strings.Join(tr, "\n"))
			}
		}
		for _, l := range tr {
			if strings.Contains(l, "192.0.2.100") {
				t.Errorf("the unchanged VIP was touched: %q", l)
			}
		}
		got := ev.get()[len(lines):]
		if len(got) == 0 || got[0] != `INSTANCE "VI_2" DELETED 100` {
			t.Errorf("FIFO lines after the reload: %q, want VI_2 DELETED first", got)
		}
		if slices.ContainsFunc(got, func(l string) bool { return strings.Contains(l, "VI_1") }) {
			t.Errorf("VI_1 changed state: %q", got)
		}
		for _, s := range status.Snapshot() {
			if s.Name == "VI_1" && s.EffectivePriority != 120 {
				t.Errorf("VI_1 priority %d, want 120", s.EffectivePriority)
			}
			if s.Name == "VI_2" {
				t.Errorf("VI_2 still in the status")
			}
		}
		if !slices.Contains(exec.Transcript(), "run /usr/local/bin/n.sh INSTANCE VI_2 DELETED 100 as 0:0 timeout 0s") {
			t.Errorf("no DELETED notify: %q", exec.Transcript())
		}
	})
}
