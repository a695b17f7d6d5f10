package track

import (
	"math"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// FileFault is the status keepalived gives a tracked file that puts the
// instances tracking it into FAULT: any status at or below it faults.
const FileFault = -254

// maxFileDelta is the largest priority change one tracked file makes.
const maxFileDelta = 253

// FileStatus is keepalived's status of a tracked file with value for one
// track_file line ref, the number in the instance's start-up line "(VI):
// entering FAULT state (tracked file NAME has status N)". With weight 0 it
// is FileFault when the value is non-zero (zero, with reverse), else 0;
// otherwise value × weight, negated by reverse (src trackers/track_file.c
// update_track_file_status; vrrp/vrrp_track.c
// initialise_vrrp_file_tracking_priorities). keepalived multiplies in C
// int and overflows for |value × weight| ≥ 2^31; gokeepalived saturates
// at the int32 limits instead, which gives the same FAULT or +253.
func FileStatus(ref config.TrackRef, value int) int {
	if ref.Weight == 0 {
		if (value != 0) != ref.Reverse {
			return FileFault
		}
		return 0
	}
	s := int64(value) * int64(ref.Weight)
	if ref.Reverse {
		s = -s
	}
	return int(max(math.MinInt32, min(math.MaxInt32, s)))
}

// FileEffect is what a tracked file with value does to an instance through
// the track_file line ref: fault when its status is FileFault or lower
// ("result < -253 ⇒ FAULT", reference §4.2), otherwise delta, the status
// capped at +253, added to the priority (src trackers/track_file.c
// process_update_vrrp_track_file_status clamps to [-254, 253]).
func FileEffect(ref config.TrackRef, value int) (fault bool, delta int) {
	s := FileStatus(ref, value)
	if s <= FileFault {
		return true, 0
	}
	return false, min(s, maxFileDelta)
}

// ProcessEffect is what a vrrp_track_process whose quorum is up (or not)
// does to an instance through the track_process line ref (src
// vrrp/vrrp_track.c initialise_process_tracking_priorities and
// process_update_track_process_status): the UpDownEffect of its quorum.
func ProcessEffect(ref config.TrackRef, up bool) (fault bool, delta int) {
	return UpDownEffect(ref, up)
}

// UpDownEffect is what a tracked object that is up or down does to an
// instance through the track line ref: an interface (up), a vrrp_script
// (succeeding) or a process quorum (achieved), reference §4.1's table.
// Weight 0 faults while it is down (up, with reverse); W > 0 adds W while
// up, W < 0 adds W while down; reverse negates the change (so W > 0
// reverse subtracts W while up, W < 0 reverse adds |W| while down).
func UpDownEffect(ref config.TrackRef, up bool) (fault bool, delta int) {
	if ref.Weight == 0 {
		return up == ref.Reverse, 0
	}
	if (ref.Weight > 0) != up {
		return false, 0
	}
	if ref.Reverse {
		return false, -ref.Weight
	}
	return false, ref.Weight
}

// MaxPriority is the highest effective priority tracking can give: 255
// belongs to the address owner, whose priority tracking never changes.
const MaxPriority = 254

// Priority is an instance's effective priority: its base priority plus
// the tracked objects' changes, clamped to 1..MaxPriority (reference
// §4.1).
func Priority(base, delta int) int { return max(1, min(MaxPriority, base+delta)) }
