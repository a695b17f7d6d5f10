package daemon

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// events records notify FIFO lines as keepalived writes them.
type events struct {
	mu    sync.Mutex
	lines []string
}

func (e *events) Event(kind, name, state string, prio int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lines = append(e.lines, fmt.Sprintf("%s %q %s %d", kind, name, state, prio))
}

func (e *events) get() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.lines)
}

const syncConf = `global_defs {
    enable_script_security
    script_user root
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
    notify "/usr/local/bin/g.sh"
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
}
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 52
    priority 100
    version 3
    advert_int 0.05
    virtual_ipaddress {
        198.51.100.100/24 dev eth1
    }
}
`

// TestRunSyncGroup: the members of a sync group move together, and the
// group's FIFO line and notify follow the members' (observed on keepalived
// 2.2.7 with the same config, reference §4.4): both take MASTER together;
// eth1 down takes VI_2 to FAULT and VI_1 with it; eth1 up brings both back.
func TestRunSyncGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := loadConfig(t, syncConf)
		net := &viptest.Fake{}
		net.SetLink("eth0", true)
		net.SetLink("eth1", true)
		ev := &events{}
		exec := &scriptstest.Exec{}
		status, stop := startDaemon(t, cfg, Deps{Net: net, Links: net, Scripts: exec, Events: ev})
		states := func(want vrrp.State) func() bool {
			return func() bool {
				st := status.Snapshot()
				return len(st) == 2 && st[0].State == want && st[1].State == want
			}
		}
		lineCount := func(n int) func() bool { return func() bool { return len(ev.get()) >= n } }
		waitUntil(t, "both members MASTER", states(vrrp.StateMaster))
		waitUntil(t, "group MASTER line", lineCount(6))
		net.SetLink("eth1", false)
		waitUntil(t, "both members FAULT", states(vrrp.StateFault))
		waitUntil(t, "group FAULT line", lineCount(9))
		if slices.Contains(net.Addresses("eth0"), netip.MustParsePrefix("192.0.2.100/24")) {
			t.Errorf("VI_1 kept its VIP in FAULT: %v", net.Addresses("eth0"))
		}
		net.SetLink("eth1", true)
		waitUntil(t, "both members MASTER again", states(vrrp.StateMaster))
		waitUntil(t, "group BACKUP and MASTER lines", lineCount(15))
		stop()
		got := ev.get()
		// Members move concurrently: within one step the two members' lines
		// may come in either order, and the group's line comes last.
		steps := [][]string{
			{`GROUP "G1" BACKUP 0`},
			{`INSTANCE "VI_1" BACKUP 100`, `INSTANCE "VI_2" BACKUP 100`},
			{`INSTANCE "VI_1" MASTER 100`, `INSTANCE "VI_2" MASTER 100`},
			{`GROUP "G1" MASTER 0`},
			{`INSTANCE "VI_2" FAULT 100`},
			{`INSTANCE "VI_1" FAULT 100`},
			{`GROUP "G1" FAULT 0`},
			{`INSTANCE "VI_2" BACKUP 100`},
			{`INSTANCE "VI_1" BACKUP 100`},
			{`GROUP "G1" BACKUP 0`},
			{`INSTANCE "VI_1" MASTER 100`, `INSTANCE "VI_2" MASTER 100`},
			{`GROUP "G1" MASTER 0`},
			{`INSTANCE "VI_1" STOP 100`, `INSTANCE "VI_2" STOP 100`},
			{`GROUP "G1" STOP 0`},
		}
		i := 0
		for _, step := range steps {
			n := len(step)
			if i+n > len(got) || !sameSet(got[i:i+n], step) {
				t.Fatalf("FIFO lines:\n%s\nat line %d want %v", strings.Join(got, "\n"), i+1, step)
			}
			i += n
		}
		if i != len(got) {
			t.Fatalf("extra FIFO lines:\n%s", strings.Join(got[i:], "\n"))
		}
		var groupRuns []string
		for _, l := range exec.Transcript() {
			if strings.Contains(l, "g.sh") {
				groupRuns = append(groupRuns, l)
			}
		}
		want := []string{"BACKUP", "MASTER", "FAULT", "BACKUP", "MASTER", "STOP"}
		if len(groupRuns) != len(want) {
			t.Fatalf("group notifies: %q", groupRuns)
		}
		for i, w := range want {
			if !strings.Contains(groupRuns[i], "GROUP G1 "+w+" 0 ") {
				t.Errorf("group notify %d: %q, want GROUP G1 %s 0", i, groupRuns[i], w)
			}
		}
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
