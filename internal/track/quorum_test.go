package track

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// step is one input to a quorum in a transcript: a scan at t0+at seeing n
// processes (with a fork or an exit among the changes), or, with n < 0,
// only the passing of time (a delay's timer).
type step struct {
	at     time.Duration
	n      int
	forked bool
	exited bool
}

// run feeds steps to q and returns the transcript "count:up" after each.
func run(q *quorum, steps []step) string {
	t0 := time.Unix(1000, 0)
	var out []string
	for _, s := range steps {
		now := t0.Add(s.at)
		if s.n >= 0 {
			q.observe(now, s.n, s.forked, s.exited)
		}
		q.expire(now)
		out = append(out, fmt.Sprintf("%d:%v", q.count, q.up))
	}
	return strings.Join(out, " ")
}

// TestQuorum checks the quorum and keepalived's delays (src
// track_process/track_process.c: check_process_fork starts fork_delay when
// a fork reaches quorum or quorum_max+1; check_process_termination starts
// terminate_delay when an exit leaves quorum or quorum_max; the opposite
// crossing cancels the timer; check_process (exec) and comm changes act at
// once; the timers set have_quorum from the count when they fire).
func TestQuorum(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name  string
		cfg   config.TrackProcess
		start int
		steps []step
		want  string
	}{
		{"quorum 2", config.TrackProcess{Quorum: 2}, 0,
			[]step{{0, 1, false, false}, {s, 2, false, false}, {2 * s, 5, false, false}, {3 * s, 1, false, true}},
			"1:false 2:true 5:true 1:false"},
		{"quorum_max 2", config.TrackProcess{Quorum: 1, QuorumMax: 2}, 1,
			[]step{{0, 3, false, false}, {s, 2, false, true}, {2 * s, 0, false, true}},
			"3:false 2:true 0:false"},
		{"quorum_max 0: up while none runs", config.TrackProcess{Quorum: 0, QuorumMax: 0}, 0,
			[]step{{0, 1, false, false}, {s, 0, false, true}},
			"1:false 0:true"},
		{"fork waits fork_delay", config.TrackProcess{Quorum: 2, ForkDelay: 3 * s}, 1,
			[]step{{0, 2, true, false}, {2 * s, 2, false, false}, {3 * s, -1, false, false}},
			"2:false 2:false 2:true"},
		{"exec does not wait", config.TrackProcess{Quorum: 2, ForkDelay: 3 * s, TerminateDelay: 3 * s}, 1,
			[]step{{0, 2, false, false}},
			"2:true"},
		{"exit before fork_delay ends cancels it", config.TrackProcess{Quorum: 2, ForkDelay: 3 * s}, 1,
			[]step{{0, 2, true, false}, {s, 1, false, true}, {5 * s, -1, false, false}},
			"2:false 1:false 1:false"},
		{"exit waits terminate_delay", config.TrackProcess{Quorum: 1, TerminateDelay: 2 * s}, 1,
			[]step{{0, 0, false, true}, {s, -1, false, false}, {2 * s, -1, false, false}},
			"0:true 0:true 0:false"},
		{"restart within terminate_delay never goes down", config.TrackProcess{Quorum: 1, TerminateDelay: 2 * s}, 1,
			[]step{{0, 0, false, true}, {s, 1, false, false}, {3 * s, -1, false, false}},
			"0:true 1:true 1:true"},
		{"terminate_delay follows the count when it ends", config.TrackProcess{Quorum: 2, TerminateDelay: 2 * s}, 3,
			[]step{{0, 1, false, true}, {s, 3, false, false}, {1500 * time.Millisecond, 0, false, true}, {4 * s, -1, false, false}},
			"1:true 3:true 0:true 0:false"},
		{"a renamed process does not wait", config.TrackProcess{Quorum: 1, TerminateDelay: 2 * s}, 1,
			[]step{{0, 0, false, false}},
			"0:false"},
		{"a fork over quorum_max waits fork_delay", config.TrackProcess{Quorum: 1, QuorumMax: 1, ForkDelay: s}, 1,
			[]step{{0, 2, true, false}, {s, -1, false, false}},
			"2:true 2:false"},
		{"an exit back to quorum_max waits terminate_delay", config.TrackProcess{Quorum: 1, QuorumMax: 1, TerminateDelay: s}, 2,
			[]step{{0, 1, false, true}, {s, -1, false, false}},
			"1:false 1:true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			if got := run(newQuorum(&cfg, tc.start), tc.steps); got != tc.want {
				t.Errorf("transcript %s; want %s", got, tc.want)
			}
		})
	}
}

// TestQuorumStart checks the state at start, with no delay (src
// vrrp/vrrp_track.c initialise_process_tracking_priorities).
func TestQuorumStart(t *testing.T) {
	for _, tc := range []struct {
		quorum, max, count int
		up                 bool
	}{
		{1, 0, 0, false}, {1, 0, 1, true}, {1, 0, 100, true}, // no quorum_max given: no maximum
		{2, 3, 1, false}, {2, 3, 2, true}, {2, 3, 3, true}, {2, 3, 4, false},
		{0, 0, 0, true}, {0, 0, 1, false}, // quorum_max 0
	} {
		q := newQuorum(&config.TrackProcess{Quorum: tc.quorum, QuorumMax: tc.max, ForkDelay: time.Hour}, tc.count)
		if q.up != tc.up {
			t.Errorf("quorum %d, quorum_max %d, %d processes: up %v; want %v", tc.quorum, tc.max, tc.count, q.up, tc.up)
		}
	}
}
