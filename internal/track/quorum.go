package track

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// quorum is one vrrp_track_process's count of matching processes and
// whether its quorum is up, with keepalived's fork and terminate delays
// (src track_process/track_process.c check_process_fork,
// check_process_termination and their timer threads). It is pure: time
// comes in as a value.
//
// keepalived learns of each fork, exec and exit from the kernel's proc
// connector; gokeepalived sees successive counts, and for each change
// whether a new process is the child of one it counted (a fork) and
// whether a process it counted has exited. As in keepalived, a count
// that grows through a fork waits fork_delay before the quorum changes,
// one that shrinks through an exit waits terminate_delay, and any other
// change (a new process that execs the command, a process that execs
// something else or renames itself) counts at once. A count that comes
// back before the delay ends cancels the change; when the delay ends,
// the quorum follows the count of that moment.
type quorum struct {
	min, max  int // quorum and quorum_max; max < 0 is no maximum
	forkDelay time.Duration
	termDelay time.Duration

	up       bool
	count    int
	deadline time.Time // the end of the delay running; zero if none
}

// newQuorum returns p's quorum with count matching processes at start:
// up when quorum ≤ count ≤ quorum_max, with no delay (src
// vrrp/vrrp_track.c initialise_process_tracking_priorities).
func newQuorum(p *config.TrackProcess, count int) *quorum {
	q := &quorum{min: p.Quorum, max: p.QuorumMax, forkDelay: p.ForkDelay, termDelay: p.TerminateDelay}
	if p.QuorumMax == 0 && p.Quorum != 0 {
		// confparse leaves QuorumMax 0 when quorum_max is not given:
		// keepalived's default is no maximum. "quorum_max 0" (keepalived
		// then sets quorum 0) is only told apart by Quorum 0.
		q.max = -1
	}
	q.count = count
	q.up = q.in(count)
	return q
}

// in reports whether n processes make the quorum.
func (q *quorum) in(n int) bool {
	return n >= q.min && (q.max < 0 || n <= q.max)
}

// observe records the count n seen at now; forked says a new process is
// the child of a counted one, exited that a counted process has exited.
// It reports whether up changed.
func (q *quorum) observe(now time.Time, n int, forked, exited bool) bool {
	grew := n > q.count
	q.count = n
	if q.in(n) == q.up {
		q.deadline = time.Time{} // back before the delay ended
		return false
	}
	if !q.deadline.IsZero() {
		return q.expire(now)
	}
	var d time.Duration
	switch {
	case grew && forked:
		d = q.forkDelay
	case !grew && exited:
		d = q.termDelay
	}
	if d > 0 {
		q.deadline = now.Add(d)
		return false
	}
	q.up = !q.up
	return true
}

// expire ends the delay if it has run out at now, setting up from the
// current count, and reports whether up changed.
func (q *quorum) expire(now time.Time) bool {
	if q.deadline.IsZero() || now.Before(q.deadline) {
		return false
	}
	q.deadline = time.Time{}
	want := q.in(q.count)
	changed := want != q.up
	q.up = want
	return changed
}
