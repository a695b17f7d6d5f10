package daemon

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// mails records the alerts a daemon raises.
type mails struct {
	mu     sync.Mutex
	alerts []string
}

func (m *mails) Alert(g *config.Global, kind, name, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.alerts = append(m.alerts, g.SMTPServer+" "+kind+" "+name+" "+state)
}

func (m *mails) get() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.alerts)
}

const mailConf = `global_defs {
    smtp_server 192.0.2.25
    notification_email {
        ops@example.com
    }
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 9
    priority 150
    version 3
    advert_int 0.05
    smtp_alert
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 10
    priority 150
    version 3
    advert_int 0.05
    virtual_ipaddress {
        192.0.2.101/24
    }
}
`

// TestRunMail: an instance with smtp_alert raises an alert for each
// transition, BACKUP at start, MASTER after the takeover, STOP at
// shutdown, under the running configuration's global settings; one
// without raises none.
func TestRunMail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := loadConfig(t, mailConf)
		net := &viptest.Fake{}
		net.SetLink("eth0", true)
		m := &mails{}
		status, stop := startDaemon(t, cfg, Deps{Net: net, Links: net, Mail: m})
		waitUntil(t, "both instances MASTER", func() bool {
			st := status.Snapshot()
			return len(st) == 2 && st[0].State == vrrp.StateMaster && st[1].State == vrrp.StateMaster
		})
		stop()
		want := []string{"192.0.2.25 INSTANCE VI_1 BACKUP", "192.0.2.25 INSTANCE VI_1 MASTER", "192.0.2.25 INSTANCE VI_1 STOP"}
		if got := m.get(); !slices.Equal(got, want) {
			t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestRunMailSyncGroup: a sync group with smtp_alert raises its own
// alerts, after its members' transitions; members without smtp_alert
// raise none.
func TestRunMailSyncGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		conf := strings.Replace(syncConf, `    notify "/usr/local/bin/g.sh"`, "    smtp_alert", 1)
		conf = strings.Replace(conf, "global_defs {", "global_defs {\n    smtp_server 192.0.2.25\n    notification_email {\n        ops@example.com\n    }", 1)
		cfg := loadConfig(t, conf)
		net := &viptest.Fake{}
		net.SetLink("eth0", true)
		net.SetLink("eth1", true)
		m := &mails{}
		status, stop := startDaemon(t, cfg, Deps{Net: net, Links: net, Mail: m})
		waitUntil(t, "both members MASTER", func() bool {
			st := status.Snapshot()
			return len(st) == 2 && st[0].State == vrrp.StateMaster && st[1].State == vrrp.StateMaster
		})
		waitUntil(t, "the group's MASTER alert", func() bool { return len(m.get()) >= 2 })
		net.SetLink("eth1", false)
		waitUntil(t, "the group's FAULT alert", func() bool { return len(m.get()) >= 3 })
		stop()
		want := []string{"GROUP G1 BACKUP", "GROUP G1 MASTER", "GROUP G1 FAULT", "GROUP G1 STOP"}
		for i := range want {
			want[i] = "192.0.2.25 " + want[i]
		}
		if got := m.get(); !slices.Equal(got, want) {
			t.Errorf("alerts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
