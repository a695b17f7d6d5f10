package vrrp

import (
	"slices"
	"strings"
	"testing"
)

// TestVIPDeleted: a tracked VIP deleted by someone else while MASTER makes
// keepalived 2.2.7 (observed: "Netlink reflector reports IP ... removed",
// then these lines) enter BACKUP, send priority 0, remove its VIPs and
// re-elect at once.
func TestVIPDeleted(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	m.Step(at(0), Start{})
	m.Step(at(3.609375), TimerFired{Timer: TimerMasterDown})
	if m.State() != StateMaster {
		t.Fatalf("state %v, want MASTER", m.State())
	}
	got := render(m.Step(at(5), VIPDeleted{}))
	want := []string{"(VI_1) Entering BACKUP STATE", "advert prio 0", "(VI_1) sent 0 priority", "removeVIPs"}
	i := 0
	for _, line := range got {
		if i < len(want) && strings.Contains(line, want[i]) {
			i++
		}
	}
	if i != len(want) {
		t.Fatalf("actions do not contain, in order, %q:\n%s", want, strings.Join(got, "\n"))
	}
	if m.State() != StateBackup {
		t.Fatalf("state %v, want BACKUP", m.State())
	}
	if _, d, ok := m.NextDeadline(); !ok || !d.Equal(at(5)) {
		t.Fatalf("next deadline %v %v, want the master-down timer at once", d, ok)
	}
	got = render(m.Step(at(5), TimerFired{Timer: TimerMasterDown}))
	if m.State() != StateMaster || !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "addVIPs") }) {
		t.Fatalf("no re-election: state %v\n%s", m.State(), strings.Join(got, "\n"))
	}
	// Outside MASTER the event does nothing.
	b := newTestMachine(t, machineConfig(100))
	b.Step(at(0), Start{})
	if out := b.Step(at(1), VIPDeleted{}); len(out) != 0 || b.State() != StateBackup {
		t.Fatalf("backup reacted: %v", render(out))
	}
}
