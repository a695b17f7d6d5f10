package vrrp

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// TestSyncMemberWaitsForGroup: a sync group member whose master-down timer
// fires asks its group (keepalived's vrrp_sync_can_goto_master) instead of
// taking over, keeps waiting, and takes over only on the group's order.
func TestSyncMemberWaitsForGroup(t *testing.T) {
	cfg := machineConfig(100)
	cfg.SyncMember = true
	m := newTestMachine(t, cfg)
	m.Step(at(0), Start{})
	got := render(m.Step(at(3.609375), TimerFired{Timer: TimerMasterDown}))
	if m.State() != StateBackup || !slices.Contains(got, "want master") || !slices.Contains(got, "log: (VI_1) Receive advertisement timeout") {
		t.Fatalf("state %v, actions:\n%s", m.State(), strings.Join(got, "\n"))
	}
	if _, _, ok := m.NextDeadline(); !ok {
		t.Fatal("master-down timer not re-armed")
	}
	// Firing again asks again, without a second log line.
	got = render(m.Step(at(7.21875), TimerFired{Timer: TimerMasterDown}))
	if !slices.Contains(got, "want master") || slices.Contains(got, "log: (VI_1) Receive advertisement timeout") {
		t.Fatalf("second expiry:\n%s", strings.Join(got, "\n"))
	}
	// Hearing a master again withdraws the wish.
	adv := Advert{Version: 2, Type: TypeAdvertisement, VRID: 51, Priority: 150, AdvertInt: 1}
	got = render(m.Step(at(8), AdvertReceived{Src: netip.MustParseAddr("192.0.2.9"), Advert: adv}))
	if !slices.Contains(got, "want master: no") {
		t.Fatalf("advert did not withdraw the wish:\n%s", strings.Join(got, "\n"))
	}
	got = render(m.Step(at(9), SyncState{State: StateMaster}))
	if m.State() != StateMaster || !slices.Contains(got, "addVIPs") {
		t.Fatalf("group order ignored: state %v\n%s", m.State(), strings.Join(got, "\n"))
	}
	// Syncing to BACKUP gives up without a priority 0 advert
	// (vrrp_state_leave_master without advF).
	got = render(m.Step(at(10), SyncState{State: StateBackup}))
	if m.State() != StateBackup || !slices.Contains(got, "removeVIPs") || slices.Contains(got, "advert prio 0") {
		t.Fatalf("sync to backup: state %v\n%s", m.State(), strings.Join(got, "\n"))
	}
	// In FAULT the group's orders are ignored.
	m.Step(at(11), FaultChanged{Fault: true, Reason: "test"})
	if out := m.Step(at(12), SyncState{State: StateMaster}); len(out) != 0 || m.State() != StateFault {
		t.Fatalf("FAULT member obeyed: %v", render(out))
	}
}

// TestStartAfterScripts: a start held for the tracked scripts' first
// results enters BACKUP with "Entering BACKUP STATE" (no "(init)"), or FAULT
// without a log line, as keepalived 2.2.7 does (observed).
func TestStartAfterScripts(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	got := render(m.Step(at(0), Start{AfterScripts: true}))
	if m.State() != StateBackup || !slices.Contains(got, "log: (VI_1) Entering BACKUP STATE") {
		t.Fatalf("state %v:\n%s", m.State(), strings.Join(got, "\n"))
	}
	f := newTestMachine(t, machineConfig(100))
	f.Step(at(0), FaultChanged{Fault: true, Reason: "script chk"})
	got = render(f.Step(at(0), Start{AfterScripts: true}))
	if f.State() != StateFault || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "log:") }) ||
		!slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "FAULT") }) {
		t.Fatalf("state %v:\n%s", f.State(), strings.Join(got, "\n"))
	}
}
