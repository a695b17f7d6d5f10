package vrrp

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

// mt0 is the virtual time at which test machines start.
var mt0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// at returns mt0 plus sec seconds (microsecond resolution).
func at(sec float64) time.Time { return mt0.Add(time.Duration(sec*1e6+0.5) * time.Microsecond) }

// machineConfig is a VRRPv2 instance with keepalived's GARP defaults.
func machineConfig(prio int) Config {
	return Config{Name: "VI_1", VRID: 51, Version: 2, Family: IPv4, Priority: prio, AdvertInt: time.Second,
		GARPMasterDelay: 5 * time.Second, GARPMasterRepeat: 5, GARPMasterRefreshRepeat: 1,
		GARPLowerPrioDelay: 5 * time.Second, GARPLowerPrioRepeat: 5,
		PrimaryAddr: netip.MustParseAddr("192.0.2.1")}
}

// newTestMachine builds a machine or fails the test.
func newTestMachine(t *testing.T, cfg Config) *Machine {
	t.Helper()
	m, err := NewMachine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// render turns actions into transcript lines, with timer deadlines in
// seconds since mt0.
func render(as []Action) []string {
	var out []string
	for _, a := range as {
		if s, ok := a.(SetTimer); ok {
			out = append(out, "timer "+s.Timer.String()+" at "+seconds(s.At.Sub(mt0)))
			continue
		}
		out = append(out, a.String())
	}
	return out
}

// seconds formats d exactly, to the microsecond: "3.609375", "5".
func seconds(d time.Duration) string {
	us := d.Microseconds()
	s := strings.TrimRight(fmt.Sprintf("%d.%06d", us/1e6, us%1e6), "0")
	return strings.TrimSuffix(s, ".")
}

// step feeds ev at sec and compares the whole action transcript.
func step(t *testing.T, m *Machine, sec float64, ev Event, want ...string) {
	t.Helper()
	got := render(m.Step(at(sec), ev))
	if !slices.Equal(got, want) {
		t.Fatalf("t=%v %T%+v:\ngot:\n\t%s\nwant:\n\t%s", sec, ev, ev,
			strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// advFrom is a VRRPv2 advert with priority prio from src.
func advFrom(src string, prio int) AdvertReceived {
	return AdvertReceived{Src: netip.MustParseAddr(src),
		Advert: Advert{Version: 2, Type: TypeAdvertisement, VRID: 51, Priority: uint8(prio), AdvertInt: 1}}
}

// adv is an advert from 192.0.2.2, above our 192.0.2.1.
func adv(prio int) AdvertReceived { return advFrom("192.0.2.2", prio) }

// toMaster starts m as a backup and lets its down timer expire.
func toMaster(t *testing.T, m *Machine) float64 {
	t.Helper()
	m.Step(mt0, Start{})
	d, _ := m.Deadline(TimerMasterDown)
	m.Step(d, TimerFired{Timer: TimerMasterDown})
	if m.State() != StateMaster {
		t.Fatalf("state %v, want MASTER", m.State())
	}
	return d.Sub(mt0).Seconds()
}

// TestMachineStartBackupThenMaster follows RFC 5798 §6.4.1 (Startup, not
// the owner) and §6.4.2 (Master_Down_Timer fires) in keepalived's order.
func TestMachineStartBackupThenMaster(t *testing.T) {
	for _, wish := range []State{StateBackup, StateMaster, StateInit} {
		cfg := machineConfig(100)
		cfg.InitialState = wish // MASTER below 255 waits like BACKUP (reference §3.1)
		m := newTestMachine(t, cfg)
		step(t, m, 0, Start{},
			"log: (VI_1) Entering BACKUP STATE (init)",
			"state INIT->BACKUP (init)",
			"timer master-down at 3.609375")
		step(t, m, 3.609375, TimerFired{Timer: TimerMasterDown},
			"log: (VI_1) Receive advertisement timeout",
			"advert prio 100",
			"log: (VI_1) Entering MASTER STATE",
			"addVIPs",
			"garp x5",
			"state BACKUP->MASTER (master down)",
			"timer advert at 4.609375",
			"timer garp at 8.609375")
		step(t, m, 4.609375, TimerFired{Timer: TimerAdvert}, "advert prio 100", "timer advert at 5.609375")
		step(t, m, 8.609375, TimerFired{Timer: TimerGARP}, "garp x5")
		if m.MasterAddr() != cfg.PrimaryAddr || m.MasterPriority() != 100 {
			t.Errorf("master %v/%d, want ourselves", m.MasterAddr(), m.MasterPriority())
		}
	}
}

// TestMachineOwnerStart: RFC 5798 §6.4.1, priority 255 goes MASTER at once,
// logging the timeout but no BACKUP line (reference §7.6).
func TestMachineOwnerStart(t *testing.T) {
	m := newTestMachine(t, machineConfig(PriorityOwner))
	step(t, m, 0, Start{},
		"log: (VI_1) Receive advertisement timeout",
		"advert prio 255",
		"log: (VI_1) Entering MASTER STATE",
		"addVIPs",
		"garp x5",
		"state INIT->MASTER (address owner)",
		"timer advert at 1",
		"timer garp at 5")
	step(t, m, 1, EffectivePriority{Priority: 100}) // an owner's priority never changes
	step(t, m, 1, Start{})                          // a second Start is ignored
}

// TestMachineMasterDownInterval checks Skew_Time and Master_Down_Interval
// (RFC 3768 §6.1, RFC 5798 §6.1) against keepalived's figures (reference §7.5).
func TestMachineMasterDownInterval(t *testing.T) {
	tests := []struct {
		version, prio, adverts int
		interval               time.Duration
		want                   string
	}{
		{2, 100, 0, time.Second, "3.609375"},
		{3, 150, 0, time.Second, "3.414062"},
		{2, 150, 0, time.Second, "3.414062"},
		{2, 100, 0, 3 * time.Second, "9.609375"}, // v2 skew ignores the interval
		{3, 100, 0, 500 * time.Millisecond, "1.804687"},
		{3, 254, 5, 20 * time.Millisecond, "0.100156"},
		{2, 1, 1, time.Second, "1.996093"},
	}
	for _, tc := range tests {
		cfg := machineConfig(tc.prio)
		cfg.Version, cfg.AdvertInt, cfg.DownTimerAdverts = tc.version, tc.interval, tc.adverts
		m := newTestMachine(t, cfg)
		got := render(m.Step(mt0, Start{}))
		if want := "timer master-down at " + tc.want; got[len(got)-1] != want {
			t.Errorf("v%d prio %d interval %v: %q, want %q", tc.version, tc.prio, tc.interval, got[len(got)-1], want)
		}
	}
}

// TestMachineBackupAdverts covers RFC 5798 §6.4.2's receive rules as
// keepalived applies them (reference §7.6).
func TestMachineBackupAdverts(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	m.Step(mt0, Start{})
	step(t, m, 1, adv(150), "timer master-down at 4.609375") // accepted: reset
	if m.MasterAddr().String() != "192.0.2.2" || m.MasterPriority() != 150 {
		t.Errorf("master %v/%d", m.MasterAddr(), m.MasterPriority())
	}
	step(t, m, 2, adv(100), "timer master-down at 5.609375") // equal priority is accepted too
	// Lower priority: discarded, the timer runs on (no immediate takeover).
	step(t, m, 3, adv(90), "log: (VI_1) received lower priority (90) advert from 192.0.2.2 - discarding")
	// Priority 0: "Set the Master_Down_Timer to Skew_Time".
	step(t, m, 4, adv(0), "log -D: (VI_1) Backup received priority 0 advertisement",
		"timer master-down at 4.609375")
	step(t, m, 4.609375, TimerFired{Timer: TimerMasterDown},
		"log: (VI_1) Receive advertisement timeout", "advert prio 100", "log: (VI_1) Entering MASTER STATE",
		"addVIPs", "garp x5", "state BACKUP->MASTER (master down)", "timer advert at 5.609375",
		"timer garp at 9.609375")
}

// TestMachineNopreempt: a nopreempt backup accepts a lower-priority master.
func TestMachineNopreempt(t *testing.T) {
	cfg := machineConfig(200)
	cfg.Nopreempt = true
	m := newTestMachine(t, cfg)
	m.Step(mt0, Start{})
	step(t, m, 1, adv(50), "timer master-down at 4.21875")
	step(t, m, 2, adv(50), "timer master-down at 5.21875")
}

// TestMachinePreemptDelay: a lower-priority master is accepted until
// preempt_delay, started by its first advert, has run out.
func TestMachinePreemptDelay(t *testing.T) {
	cfg := machineConfig(100)
	cfg.PreemptDelay = 5 * time.Second
	m := newTestMachine(t, cfg)
	m.Step(mt0, Start{})
	step(t, m, 1, adv(90), "log -D: (VI_1) start preempt delay (5.000000)", "timer master-down at 4.609375")
	step(t, m, 5, adv(90), "timer master-down at 8.609375")
	step(t, m, 6, adv(90), "log: (VI_1) received lower priority (90) advert from 192.0.2.2 - discarding")
	step(t, m, 7, adv(150), "log -D: (VI_1) stop preempt delay", "timer master-down at 10.609375")
	step(t, m, 8, adv(90), "log -D: (VI_1) start preempt delay (5.000000)", "timer master-down at 11.609375")
}

// TestMachineMasterLowerPriority: keepalived's master answers a lower
// priority advert with an advert and GARPs, unless lower_prio_no_advert
// (the RFC 5798 §6.4.3 behaviour: discard it).
func TestMachineMasterLowerPriority(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	d := toMaster(t, m) // 3.609375; garp due at 8.609375
	step(t, m, d+0.5, adv(90),
		"log: (VI_1) Received advert from 192.0.2.2 with lower priority 90, ours 100, forcing new election",
		"advert prio 100", "garp x5", "notify master_rx_lower_pri", "timer advert at 5.109375")
	step(t, m, 8.609375, TimerFired{Timer: TimerGARP}, "garp x5", "timer garp at 9.109375")
	step(t, m, 9.109375, TimerFired{Timer: TimerGARP}, "garp x5")

	cfg := machineConfig(100)
	cfg.LowerPrioNoAdvert = true
	m = newTestMachine(t, cfg)
	toMaster(t, m)
	step(t, m, 4, adv(90),
		"log: (VI_1) Received advert from 192.0.2.2 with lower priority 90, ours 100",
		"garp x5", "notify master_rx_lower_pri")
}

// TestMachineMasterYields: RFC 5798 §6.4.3, a higher priority (or equal
// priority from a higher address) advert sends the master back to BACKUP.
func TestMachineMasterYields(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	toMaster(t, m)
	step(t, m, 4, adv(150),
		"log: (VI_1) Master received advert from 192.0.2.2 with higher priority 150, ours 100",
		"log: (VI_1) Entering BACKUP STATE", "removeVIPs", "timer advert stop", "timer garp stop",
		"state MASTER->BACKUP (higher priority advert)", "timer master-down at 7.609375")

	cfg := machineConfig(100)
	cfg.HigherPrioSendAdvert = true
	m = newTestMachine(t, cfg)
	toMaster(t, m)
	step(t, m, 4, adv(100),
		"advert prio 100",
		"log: (VI_1) Master received advert from 192.0.2.2 with same priority 100 but higher IP address than ours",
		"log: (VI_1) Entering BACKUP STATE", "removeVIPs", "timer advert stop", "timer garp stop",
		"state MASTER->BACKUP (higher priority advert)", "timer master-down at 7.609375")
}

// TestMachineEqualPriority: RFC 5798 §6.4.3, equal priorities are decided
// by the primary address.
func TestMachineEqualPriority(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	toMaster(t, m)
	step(t, m, 4, advFrom("192.0.2.0", 100),
		"log: (VI_1) Received advert from 192.0.2.0 with lower priority 100, ours 100, forcing new election",
		"advert prio 100", "garp x5", "notify master_rx_lower_pri", "timer advert at 5")
	step(t, m, 4.5, advFrom("192.0.2.1", 100),
		"log: (VI_1) WARNING - equal priority advert received from remote host with our IP address.",
		"timer advert at 5.5")
	step(t, m, 5, advFrom("192.0.2.9", 100),
		"log: (VI_1) Master received advert from 192.0.2.9 with same priority 100 but higher IP address than ours",
		"log: (VI_1) Entering BACKUP STATE", "removeVIPs", "timer advert stop", "timer garp stop",
		"state MASTER->BACKUP (higher priority advert)", "timer master-down at 8.609375")
}

// TestMachinePriorityZeroToMaster: RFC 5798 §6.4.3, a master hearing
// priority 0 sends an advert at once.
func TestMachinePriorityZeroToMaster(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	toMaster(t, m)
	step(t, m, 4, adv(0), "advert prio 100", "log -D: (VI_1) Master received priority 0 message",
		"timer advert at 5")
}

// TestMachineBothOwners: two address owners; the one hearing the other
// drops to 254 and yields (reference §7.6).
func TestMachineBothOwners(t *testing.T) {
	m := newTestMachine(t, machineConfig(PriorityOwner))
	m.Step(mt0, Start{})
	step(t, m, 0.5, advFrom("192.0.2.0", PriorityOwner),
		"log: (VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority",
		"log: (VI_1) Master received advert from 192.0.2.0 with higher priority 255, ours 254",
		"log: (VI_1) Entering BACKUP STATE", "removeVIPs", "timer advert stop", "timer garp stop",
		"state MASTER->BACKUP (higher priority advert)", "timer master-down at 3.507812")
	if m.BasePriority() != 254 || m.EffectivePriority() != 254 {
		t.Errorf("priority %d/%d, want 254", m.BasePriority(), m.EffectivePriority())
	}
}

// TestMachineEffectivePriority: tracking changes re-time a running down
// timer, since Skew_Time depends on the priority (reference §7.5).
func TestMachineEffectivePriority(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	m.Step(mt0, Start{})
	step(t, m, 1, EffectivePriority{Priority: 150},
		"log: (VI_1) Changing effective priority from 100 to 150", "timer master-down at 3.414062")
	step(t, m, 1, EffectivePriority{Priority: 150})
	step(t, m, 2, EffectivePriority{Priority: 50},
		"log: (VI_1) Changing effective priority from 150 to 50", "timer master-down at 3.804687")
	step(t, m, 2.5, EffectivePriority{Priority: 400}, // clamped to 254
		"log: (VI_1) Changing effective priority from 50 to 254", "timer master-down at 3.007812")
	step(t, m, 3, adv(0), "log -D: (VI_1) Backup received priority 0 advertisement", "timer master-down at 3.007812")
	step(t, m, 3, EffectivePriority{Priority: 1},
		"log: (VI_1) Changing effective priority from 254 to 1", "timer master-down at 3.996093")
	// While MASTER it only changes the adverts.
	m.Step(at(3.996093), TimerFired{Timer: TimerMasterDown})
	step(t, m, 4, EffectivePriority{Priority: 60}, "log: (VI_1) Changing effective priority from 1 to 60")
	step(t, m, 4.996093, TimerFired{Timer: TimerAdvert}, "advert prio 60", "timer advert at 5.996093")
}

// TestMachineV3Interval: RFC 5798 §6.4.2, a VRRPv3 backup adopts the
// master's Max Adver Int; it advertises its own again once master.
func TestMachineV3Interval(t *testing.T) {
	cfg := machineConfig(100)
	cfg.Version = 3
	m := newTestMachine(t, cfg)
	m.Step(mt0, Start{})
	a := adv(150)
	a.Advert = Advert{Version: 3, Type: TypeAdvertisement, VRID: 51, Priority: 150, MaxAdvertInt: 200}
	step(t, m, 1, a, "log -D: (VI_1) advertisement interval updated from 1000ms to 2000ms by master",
		"timer master-down at 8.21875")
	if m.MasterAdverInt() != 2*time.Second || m.MasterDownInterval() != 7218750*time.Microsecond {
		t.Errorf("interval %v, down %v", m.MasterAdverInt(), m.MasterDownInterval())
	}
	m.Step(at(8.21875), TimerFired{Timer: TimerMasterDown})
	if m.MasterAdverInt() != time.Second {
		t.Errorf("master interval %v, want our own 1s", m.MasterAdverInt())
	}
}

// TestMachineFault: tracking failure and recovery (reference §7.6).
func TestMachineFault(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	m.Step(mt0, Start{})
	step(t, m, 1, FaultChanged{Fault: true, Reason: "chk"},
		"log: (VI_1) Entering FAULT STATE", "timer master-down stop", "state BACKUP->FAULT (fault: chk)")
	step(t, m, 2, adv(0))                                   // FAULT reads nothing
	step(t, m, 2, FaultChanged{Fault: true, Reason: "chk"}) // no change
	step(t, m, 3, FaultChanged{Fault: false},
		"log: (VI_1) Entering BACKUP STATE", "state FAULT->BACKUP (fault cleared)", "timer master-down at 6.609375")

	m.Step(at(6.609375), TimerFired{Timer: TimerMasterDown})
	step(t, m, 7, FaultChanged{Fault: true, Reason: "eth0 down"},
		"log: (VI_1) Entering FAULT STATE", "advert prio 0", "advert prio 0", "log -D: (VI_1) sent 0 priority",
		"removeVIPs", "timer advert stop", "timer garp stop", "state MASTER->FAULT (fault: eth0 down)")

	m = newTestMachine(t, machineConfig(PriorityOwner))
	step(t, m, 0, FaultChanged{Fault: true, Reason: "chk"})
	step(t, m, 0, Start{}, "log: (VI_1) Entering FAULT STATE (init)", "state INIT->FAULT (init)")
	step(t, m, 1, FaultChanged{Fault: false},
		"advert prio 255", "log: (VI_1) Entering MASTER STATE", "addVIPs", "garp x5",
		"state FAULT->MASTER (fault cleared, address owner)", "timer advert at 2", "timer garp at 6")
}

// TestMachineStop: RFC 5798 §6.4.3 Shutdown, keepalived's SIGTERM
// (reference §5.6).
func TestMachineStop(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	toMaster(t, m)
	step(t, m, 4, Stop{}, "advert prio 0", "log -D: (VI_1) sent 0 priority", "removeVIPs",
		"timer advert stop", "timer garp stop", "state MASTER->STOP (stop)")
	step(t, m, 5, Stop{})
	step(t, m, 5, adv(100))
	step(t, m, 5, FaultChanged{Fault: true})
	step(t, m, 5, Start{})

	m = newTestMachine(t, machineConfig(100))
	m.Step(mt0, Start{})
	step(t, m, 1, Stop{}, "timer master-down stop", "state BACKUP->STOP (stop)")
	m = newTestMachine(t, machineConfig(100))
	step(t, m, 1, Stop{}, "state INIT->STOP (stop)")
}

// TestMachineTimers: stale and early timer reports, and garp_master_refresh.
func TestMachineTimers(t *testing.T) {
	cfg := machineConfig(100)
	cfg.GARPMasterRefresh = 3 * time.Second
	cfg.GARPMasterDelay = 0
	m := newTestMachine(t, cfg)
	step(t, m, 0, TimerFired{Timer: TimerMasterDown}) // not armed
	m.Step(mt0, Start{})
	step(t, m, 1, TimerFired{Timer: TimerMasterDown}, "timer master-down at 3.609375") // early: re-armed
	step(t, m, 1, TimerFired{Timer: TimerAdvert})
	step(t, m, 1, TimerFired{Timer: Timer(9)})
	toMasterAt := 3.609375
	step(t, m, toMasterAt, TimerFired{Timer: TimerMasterDown},
		"log: (VI_1) Receive advertisement timeout", "advert prio 100", "log: (VI_1) Entering MASTER STATE",
		"addVIPs", "garp x5", "state BACKUP->MASTER (master down)", "timer advert at 4.609375")
	step(t, m, 4.609375, TimerFired{Timer: TimerAdvert}, "advert prio 100", "timer advert at 5.609375")
	step(t, m, 5.609375, TimerFired{Timer: TimerAdvert}, "advert prio 100", "timer advert at 6.609375")
	step(t, m, 6.609375, TimerFired{Timer: TimerAdvert}, "advert prio 100", "garp x1", "timer advert at 7.609375")
	if tm, d, ok := m.NextDeadline(); !ok || tm != TimerAdvert || !d.Equal(at(7.609375)) {
		t.Errorf("NextDeadline = %v %v %v", tm, d, ok)
	}
}

// TestMachineIllegalTransition: enter panics on an edge the diagram lacks.
func TestMachineIllegalTransition(t *testing.T) {
	for from := StateInit; from <= StateStop; from++ {
		for to := StateInit; to <= StateStop; to++ {
			want := from != to && from != StateStop && to != StateInit
			if from == StateBackup && to == StateBackup {
				want = false
			}
			if got := LegalTransition(from, to); got != want {
				t.Errorf("LegalTransition(%v, %v) = %v", from, to, got)
			}
		}
	}
	m := newTestMachine(t, machineConfig(100))
	m.state = StateStop
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "invalid transition STOP -> MASTER") {
			t.Errorf("recover() = %v", r)
		}
	}()
	m.becomeMaster("bug")
}

// TestConfigValidate rejects what the Machine cannot run.
func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Version = 4 },
		func(c *Config) { c.Family = IPv6 }, // VRRPv2 over IPv6
		func(c *Config) { c.Family = 0 },
		func(c *Config) { c.Priority = 0 },
		func(c *Config) { c.Priority = 256 },
		func(c *Config) { c.AdvertInt = 1500 * time.Millisecond },
		func(c *Config) { c.Version, c.AdvertInt = 3, 5*time.Millisecond },
		func(c *Config) { c.Version, c.AdvertInt = 3, 41*time.Second },
		func(c *Config) { c.InitialState = StateFault },
		func(c *Config) { c.DownTimerAdverts = 101 },
		func(c *Config) { c.PreemptDelay = -1 },
		func(c *Config) { c.GARPLowerPrioRepeat = -1 },
	}
	for i, f := range bad {
		c := machineConfig(100)
		f(&c)
		if _, err := NewMachine(c); err == nil {
			t.Errorf("case %d: %+v accepted", i, c)
		}
	}
	c := machineConfig(100)
	c.Version, c.Family, c.AdvertInt = 3, IPv6, 40950*time.Millisecond
	if _, err := NewMachine(c); err != nil {
		t.Error(err)
	}
}

// TestMachineStrings covers the String methods.
func TestMachineStrings(t *testing.T) {
	got := []string{StateInit.String(), StateBackup.String(), StateMaster.String(), StateFault.String(),
		StateStop.String(), State(9).String(), TimerAdvert.String(), TimerMasterDown.String(),
		TimerGARP.String(), Timer(7).String(), AddVIPs{}.String(), RemoveVIPs{}.String(),
		StopTimer{Timer: TimerGARP}.String(), Log{Text: "x"}.String(),
		SetTimer{Timer: TimerAdvert, At: mt0}.String()}
	want := []string{"INIT", "BACKUP", "MASTER", "FAULT", "STOP", "State(9)", "advert", "master-down",
		"garp", "Timer(7)", "addVIPs", "removeVIPs", "timer garp stop", "log: x",
		"timer advert at 2024-01-01T00:00:00Z"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestMachineDemote: a demoted master advertises priority 0 and yields at
// once; while demoted it advertises 1 whatever tracking says, and takes
// over only when nobody else is master; undemoting restores tracking's
// priority. An address owner ignores it.
func TestMachineDemote(t *testing.T) {
	m := newTestMachine(t, machineConfig(100))
	toMaster(t, m)
	step(t, m, 4, Demote{On: true},
		"log: (VI_1) Changing effective priority from 100 to 1",
		"log: (VI_1) Demoted: advertising priority 1",
		"log: (VI_1) Entering BACKUP STATE",
		"advert prio 0", "log -D: (VI_1) sent 0 priority",
		"removeVIPs", "timer advert stop", "timer garp stop",
		"state MASTER->BACKUP (demoted)", "timer master-down at 7.996093")
	if !m.Demoted() || m.EffectivePriority() != 1 {
		t.Fatalf("demoted %v prio %d, want true 1", m.Demoted(), m.EffectivePriority())
	}
	step(t, m, 4, Demote{On: true}) // already demoted: nothing
	// Tracking moves while demoted: remembered, not applied.
	step(t, m, 5, EffectivePriority{Priority: 120})
	if m.EffectivePriority() != 1 {
		t.Fatalf("prio %d while demoted, want 1", m.EffectivePriority())
	}
	// Another master at 50 holds it back even with preempt.
	step(t, m, 5.5, adv(50), "timer master-down at 9.496093")
	// Alone, it takes over at priority 1.
	m2 := newTestMachine(t, machineConfig(100))
	m2.Step(mt0, Demote{On: true})
	m2.Step(mt0, Start{})
	acts := render(m2.Step(at(3.996093), TimerFired{Timer: TimerMasterDown}))
	if !slices.Contains(acts, "advert prio 1") || !slices.Contains(acts, "state BACKUP->MASTER (master down)") {
		t.Fatalf("lone demoted backup: %q, want to become master advertising 1", acts)
	}
	// Undemote: tracking's 120 comes back.
	step(t, m, 6, Demote{On: false},
		"log: (VI_1) Demotion ended",
		"log: (VI_1) Changing effective priority from 1 to 120", "timer master-down at 9.03125")
	if m.Demoted() || m.EffectivePriority() != 120 {
		t.Fatalf("after undemote: demoted %v prio %d", m.Demoted(), m.EffectivePriority())
	}

	owner := newTestMachine(t, machineConfig(PriorityOwner))
	owner.Step(mt0, Start{})
	step(t, owner, 1, Demote{On: true})
	if owner.Demoted() || owner.EffectivePriority() != PriorityOwner {
		t.Fatalf("owner demoted %v prio %d", owner.Demoted(), owner.EffectivePriority())
	}
}
