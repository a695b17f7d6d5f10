package daemon

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// tracking decides fault and priority change from what was reported,
// without a machine: keepalived's reasons, weights summed, unknowns
// ignored.
func TestTrackingFaultAndDelta(t *testing.T) {
	cfg := &config.Instance{
		Interface: "eth0",
		TrackInterfaces: []config.TrackRef{
			{Name: "eth1", Weight: -60, WeightSet: true},
			{Name: "eth2"}, // weight 0: down is FAULT
		},
		TrackScripts: []config.TrackRef{
			{Name: "chk_up", Weight: 10, WeightSet: true},
			{Name: "chk_0"},
		},
		TrackFiles:     []config.TrackRef{{Name: "tf", Weight: -5, WeightSet: true}},
		TrackProcesses: []config.TrackRef{{Name: "tp", Weight: -7, WeightSet: true}},
	}
	var tr tracking
	check := func(step string, wantFault bool, wantWhy string, wantDelta int) {
		t.Helper()
		fault, why := tr.fault(cfg, "")
		if fault != wantFault || why != wantWhy {
			t.Errorf("%s: fault %v %q, want %v %q", step, fault, why, wantFault, wantWhy)
		}
		if d := tr.delta(cfg); d != wantDelta {
			t.Errorf("%s: delta %d, want %d", step, d, wantDelta)
		}
	}
	check("nothing reported", false, "", 0)

	if !tr.setLink("eth1", false) || tr.setLink("eth1", false) {
		t.Error("setLink reports a change only when the state changes")
	}
	check("eth1 down", false, "", -60)
	tr.setLink("eth2", false)
	check("eth2 down", true, "tracked interface eth2 down", -60)
	tr.setLink("eth2", true)
	tr.setLink("eth0", false)
	check("own interface down", true, "interface eth0 down", -60)
	cfg.DontTrackPrimary = true
	check("own interface down, dont_track_primary", false, "", -60)
	cfg.DontTrackPrimary = false
	tr.setLink("eth0", true)
	tr.setLink("vrrp.7", false)
	check("an interface not tracked down", false, "", -60)
	if fault, why := tr.fault(cfg, "vrrp.7"); !fault || why != "interface vrrp.7 down" {
		t.Errorf("VMAC vrrp.7 down: fault %v %q", fault, why)
	}
	tr.setLink("vrrp.7", true)

	if !tr.setScript("chk_up", true) || tr.setScript("chk_up", true) {
		t.Error("setScript reports the first result and changes only")
	}
	check("chk_up OK", false, "", -60+10)
	tr.setScript("chk_0", false)
	check("chk_0 failing", true, "script chk_0", -50)
	tr.setScript("chk_0", true)

	if name := tr.setTracked(trackUpdate{file: true, name: "tf", value: 3}); name != "file tf" {
		t.Errorf("file update waits on %q", name)
	}
	if name := tr.setTracked(trackUpdate{name: "tp", up: false}); name != "process tp" {
		t.Errorf("process update waits on %q", name)
	}
	check("file 3×-5, process down", false, "", -60+10-15-7)
	tr.setTracked(trackUpdate{file: true, name: "tf", removed: true})
	check("file removed", false, "", -60+10-7)
}

func TestTrackingArrived(t *testing.T) {
	tr := tracking{waitScripts: map[string]bool{"chk": true, "file tf": true}}
	if tr.arrived("chk") {
		t.Error("start released with file tf still awaited")
	}
	if tr.arrived("other") {
		t.Error("an object not awaited released the start")
	}
	if !tr.arrived("file tf") {
		t.Error("the last awaited result did not release the start")
	}
	if tr.arrived("file tf") {
		t.Error("released twice")
	}
}
