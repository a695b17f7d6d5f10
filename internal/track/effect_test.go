package track

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

func ref(w int, reverse bool) config.TrackRef {
	return config.TrackRef{Name: "t", Weight: w, Reverse: reverse}
}

// TestFileEffect follows keepalived 2.2.7's track_file arithmetic (src
// trackers/track_file.c update_track_file_status: weight 0 gives INT_MIN
// when !!value == (multiplier == 1), else value * weight * multiplier;
// process_update_vrrp_track_file_status clamps to [-254, 253] and -254 is
// FAULT; vrrp/vrrp_track.c initialise_vrrp_file_tracking_priorities:
// status <= -254 is FAULT, else min(status, 253) is added). The cases
// marked EXP were checked against keepalived 2.2.7 in a namespace (its
// "Changing effective priority" and "tracked file now FAULT state" lines).
func TestFileEffect(t *testing.T) {
	for _, tc := range []struct {
		ref    config.TrackRef
		value  int
		fault  bool
		delta  int
		status int
	}{
		{ref(0, false), 0, false, 0, 0},
		{ref(0, false), 5, true, 0, FileFault}, // EXP: weight 0, 5 → FAULT
		{ref(0, false), -1, true, 0, FileFault},
		{ref(0, true), 0, true, 0, FileFault}, // weight 0 reverse: 0 is the failure
		{ref(0, true), 3, false, 0, 0},
		{ref(1, false), 5, false, 5, 5},          // EXP: 100 → 105
		{ref(1, false), -7, false, -7, -7},       // EXP: 104 → 93 (from 4)
		{ref(1, false), -253, false, -253, -253}, // EXP: → 1 (clamped by the instance)
		{ref(1, false), -254, true, 0, -254},     // EXP: FAULT
		{ref(1, false), -300, true, 0, -300},     // EXP: FAULT
		{ref(1, false), 300, false, 253, 300},    // EXP: → 254
		{ref(2, false), 7, false, 14, 14},        // EXP: init_file 7, weight 2: 100 → 114
		{ref(-1, false), 254, true, 0, -254},
		{ref(-10, false), 25, false, -250, -250},
		{ref(-10, false), 26, true, 0, -260},
		{ref(3, true), 5, false, -15, -15},   // reverse negates
		{ref(3, true), -5, false, 15, 15},    //
		{ref(-2, true), -200, true, 0, -400}, // -200 × -2 × -1
		{ref(254, false), -1, true, 0, -254}, // man: weight 254 lets a negative value fault
		{ref(254, false), 2147483647, false, 253, 2147483647},
		{ref(-254, false), 2147483647, true, 0, -2147483648}, // saturated, not wrapped
	} {
		fault, delta := FileEffect(tc.ref, tc.value)
		if fault != tc.fault || delta != tc.delta {
			t.Errorf("FileEffect(weight %d reverse %v, %d) = %v, %d; want %v, %d", tc.ref.Weight, tc.ref.Reverse, tc.value, fault, delta, tc.fault, tc.delta)
		}
		if s := FileStatus(tc.ref, tc.value); s != tc.status {
			t.Errorf("FileStatus(weight %d reverse %v, %d) = %d; want %d", tc.ref.Weight, tc.ref.Reverse, tc.value, s, tc.status)
		}
	}
}

// TestProcessEffect follows keepalived 2.2.7 (src vrrp/vrrp_track.c
// initialise_process_tracking_priorities: weight 0 faults when
// have_quorum != (multiplier == 1); else weight × multiplier is added
// while up for W > 0, while down for W < 0; process_update_track_process_status
// moves between the two) and reference §4.1's table.
func TestProcessEffect(t *testing.T) {
	for _, tc := range []struct {
		ref   config.TrackRef
		up    bool
		fault bool
		delta int
	}{
		{ref(0, false), true, false, 0},
		{ref(0, false), false, true, 0}, // "(VI) entering FAULT state (tracked process tp1 quorum not achieved)"
		{ref(0, true), true, true, 0},   // man: weight 0 reverse: down while the quorum is up
		{ref(0, true), false, false, 0},
		{ref(10, false), true, false, 10},
		{ref(10, false), false, false, 0},
		{ref(-10, false), true, false, 0},
		{ref(-10, false), false, false, -10},
		{ref(10, true), true, false, -10}, // W > 0 reverse: − W while up
		{ref(10, true), false, false, 0},
		{ref(-10, true), true, false, 0},
		{ref(-10, true), false, false, 10}, // W < 0 reverse: + |W| while down
		{ref(254, false), true, false, 254},
	} {
		fault, delta := ProcessEffect(tc.ref, tc.up)
		if fault != tc.fault || delta != tc.delta {
			t.Errorf("ProcessEffect(weight %d reverse %v, up %v) = %v, %d; want %v, %d", tc.ref.Weight, tc.ref.Reverse, tc.up, fault, delta, tc.fault, tc.delta)
		}
	}
}

// TestPriority: the effective priority is clamped to 1..254 (reference
// §4.1), whatever the tracked objects add or take away.
func TestPriority(t *testing.T) {
	for _, c := range []struct{ base, delta, want int }{
		{100, 0, 100}, {100, -30, 70}, {100, -200, 1}, {200, 100, 254}, {254, 1, 254}, {1, -1, 1},
	} {
		if got := Priority(c.base, c.delta); got != c.want {
			t.Errorf("Priority(%d, %d) = %d, want %d", c.base, c.delta, got, c.want)
		}
	}
}

// TestUpDownEffect: the rule for tracked interfaces and scripts
// (reference §4.1's table), which process quorums share.
func TestUpDownEffect(t *testing.T) {
	for _, c := range []struct {
		weight    int
		reverse   bool
		up        bool
		fault     bool
		wantDelta int
	}{
		{0, false, true, false, 0}, {0, false, false, true, 0},
		{0, true, true, true, 0}, {0, true, false, false, 0},
		{30, false, true, false, 30}, {30, false, false, false, 0},
		{-30, false, true, false, 0}, {-30, false, false, false, -30},
		{30, true, true, false, -30}, {30, true, false, false, 0},
		{-30, true, true, false, 0}, {-30, true, false, false, 30},
	} {
		f, d := UpDownEffect(config.TrackRef{Name: "x", Weight: c.weight, Reverse: c.reverse}, c.up)
		if f != c.fault || d != c.wantDelta {
			t.Errorf("weight %d reverse %v up %v: fault %v delta %d, want %v %d", c.weight, c.reverse, c.up, f, d, c.fault, c.wantDelta)
		}
	}
}
