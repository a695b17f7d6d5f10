package daemon

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// explainOf is control.Explain of the router's one instance, as one text.
func explainOf(t *testing.T, r *ctlRouter) string {
	t.Helper()
	rep := r.ask(ControlReports, 0)
	if rep.Err != nil || len(rep.Reports) != 1 {
		t.Fatalf("reports: %+v", rep)
	}
	return strings.Join(control.Explain(rep.Reports[0], time.Now()), "\n")
}

func wantLines(t *testing.T, what, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: explain lacks %q:\n%s", what, w, got)
		}
	}
}

// TestExplainHistories: the explain chain of instances driven through a
// master/backup pair's history on the in-memory LAN: elected, tracking
// lowering the master below the backup, demoted, own interface down.
func TestExplainHistories(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := &hub{}
		a := startCtlRouter(t, h, "192.0.2.1", "150", nil)
		b := startCtlRouter(t, h, "192.0.2.2", "100", nil)
		waitUntil(t, "a holds the VIP", func() bool { return a.holds() && !b.holds() })
		time.Sleep(100 * time.Millisecond) // virtual: b hears two adverts

		wantLines(t, "elected master", explainOf(t, a),
			"VI_1 is MASTER since", "base priority 150", "track interface eth1 up",
			"effective priority 150, advertised", "it holds 192.0.2.100/24",
			"=> master: no router on the link advertises more than 150")
		wantLines(t, "backup", explainOf(t, b),
			"VI_1 is BACKUP", "base priority 100", "master 192.0.2.1 advertises priority 150, heard",
			"=> not master: 192.0.2.1 advertises 150, more than its 100",
			"it would take over with priority 151 or more (now 100), or when 192.0.2.1 stops advertising")

		a.net.SetLink("eth1", false) // 150 - 60 = 90 < 100: b preempts
		waitUntil(t, "b holds the VIP", func() bool { return b.holds() && !a.holds() })
		time.Sleep(100 * time.Millisecond)
		wantLines(t, "tracked interface down", explainOf(t, a),
			"track interface eth1 down: -60", "effective priority 90 (what it would advertise as master)",
			"=> not master: 192.0.2.2 advertises 100, more than its 90", "failing: interface eth1")

		a.net.SetLink("eth1", true)
		waitUntil(t, "a holds the VIP again", func() bool { return a.holds() && !b.holds() })
		if rep := a.ask(ControlDemote, time.Hour); rep.Err != nil {
			t.Fatal(rep.Err)
		}
		waitUntil(t, "b holds the VIP", func() bool { return b.holds() && !a.holds() })
		wantLines(t, "demoted", explainOf(t, a),
			"demoted until", "(1h0m0s left): priority 1 instead of 150",
			"=> not master: demoted; `gokeepalived undemote VI_1`")

		b.net.SetLink("eth0", false)
		waitUntil(t, "b gives the VIP up", func() bool { return !b.holds() })
		wantLines(t, "fault", explainOf(t, b),
			"VI_1 is FAULT", "FAULT: interface eth0 down",
			"=> not master: in FAULT (interface eth0 down)", "it leaves FAULT when its cause (interface eth0 down) clears")
	})
}
