package daemon

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/scripts/scriptstest"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

const notifyConf = `global_defs {
    enable_script_security
    script_user root
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 9
    priority 150
    version 3
    advert_int 0.05
    virtual_ipaddress {
        192.0.2.100/24
    }
    notify_master "/usr/local/bin/to-master arg"
    notify "/usr/local/bin/state.sh"
}
`

// TestRunNotify: the notify scripts run with keepalived's arguments
// (reference §5.1), in transition order, as the script user: BACKUP at
// start, MASTER after the takeover, STOP at shutdown.
func TestRunNotify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := loadConfig(t, notifyConf)
		net := &viptest.Fake{}
		net.SetLink("eth0", true)
		exec := &scriptstest.Exec{}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, cfg, Deps{
				Net: net, Links: net, Scripts: exec, Open: (&hub{}).open("192.0.2.1"),
				SourceAddr: func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr("192.0.2.1"), nil },
			}, nil)
		}()
		waitUntil(t, "the MASTER notifies ran", func() bool { return len(exec.Transcript()) >= 3 })
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want := []string{
			"run /usr/local/bin/state.sh INSTANCE VI_1 BACKUP 150 as 0:0 timeout 0s",
			"run /usr/local/bin/to-master arg as 0:0 timeout 0s",
			"run /usr/local/bin/state.sh INSTANCE VI_1 MASTER 150 as 0:0 timeout 0s",
			"run /usr/local/bin/state.sh INSTANCE VI_1 STOP 150 as 0:0 timeout 0s",
		}
		if got := exec.Transcript(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("transcript:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
