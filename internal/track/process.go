package track

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
)

// DefaultProcessInterval is how often a ProcessTracker reads the whole
// process table unless told otherwise. Where the kernel's process events
// are available a change is seen at once and the reading only repairs lost
// events; elsewhere it is the delay before a change is seen. One second is
// vrrp_script's default interval (the `killall -0 haproxy` check that
// vrrp_track_process replaces) and the default advert_int, so a process's
// death reaches the instances within one advertisement. A reading opens
// one /proc file per process (/proc/PID/comm, or /proc/PID/cmdline with
// full_command; both if both are configured): on the project's 2-core
// machine, with 91 processes, 0.65 ms by name, 1.15 ms with both
// (BenchmarkScan), under 0.12% of a core at one reading a second.
const DefaultProcessInterval = time.Second

// ProcessUpdate is a vrrp_track_process's state, sent when a
// ProcessTracker starts and whenever the count or the quorum changes.
type ProcessUpdate struct {
	Name  string // the vrrp_track_process block's name
	Up    bool   // quorum ≤ Count ≤ quorum_max, after the delays
	Count int    // processes matching now
}

// ProcessTracker counts the processes of vrrp_track_process blocks. Like
// keepalived it listens to the kernel's process events (the proc
// connector) and looks at a process when it forks, execs, renames itself
// or exits; unlike keepalived it also reads the whole of /proc every
// Interval, which keeps it right when events are lost and makes it work
// where the connector does not: in a network namespace other than the
// initial one ("Failed to set/clear process event listen - errno 111",
// after which keepalived counts no process at all), in a PID namespace, or
// without CAP_NET_ADMIN. There a change is seen within one Interval.
// Interval must not change once Run has been called; Run must be called
// once.
type ProcessTracker struct {
	Interval time.Duration // <= 0 means DefaultProcessInterval
	Clock    clock.Clock   // times the readings and the delays; nil means clock.System

	procs []*config.TrackProcess
	log   *slog.Logger
	dial  func() (*procConn, error) // nil means dialProcConn
}

// NewProcessTracker returns a tracker of procs, the vrrp_track_process
// blocks that at least one instance or sync group tracks, reading /proc
// every interval (<= 0: DefaultProcessInterval). log may be nil.
func NewProcessTracker(procs []*config.TrackProcess, log *slog.Logger, interval time.Duration) *ProcessTracker {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &ProcessTracker{Interval: interval, procs: procs, log: log}
}

// tracked is one vrrp_track_process while the tracker runs.
type tracked struct {
	cfg  *config.TrackProcess
	q    *quorum
	pids map[int]int // the processes counted at the last scan → their parents
}

// runState is what Run keeps between scans.
type runState struct {
	ts   []*tracked
	sc   *scanner
	dead map[int]bool // reported exited by the kernel, maybe not yet zombies
}

// Run reads the process table, sends one ProcessUpdate per process block,
// in the order given, then reads it again every Interval, after a process
// event that concerns a block, and when a delay ends, and sends an update
// whenever a block's count or quorum changes. Sends block until received
// or ctx ends. Run returns nil when ctx ends, or an error if the process
// table cannot be read at start; later read failures are logged and the
// counts kept.
func (t *ProcessTracker) Run(ctx context.Context, out chan<- ProcessUpdate) error {
	interval := t.Interval
	if interval <= 0 {
		interval = DefaultProcessInterval
	}
	st := &runState{dead: map[int]bool{}}
	var ms []matcher
	st.ts, ms = t.start()
	st.sc = newScanner(ms)
	st.sc.skip, st.sc.known = st.dead, st.counted
	events, lost, unsubscribe := t.subscribe(ctx, interval)
	defer unsubscribe()
	snap, err := st.sc.scan()
	if err != nil {
		return err
	}
	for i, tr := range st.ts {
		tr.pids = snap.matched[i]
		tr.q = newQuorum(tr.cfg, len(tr.pids))
		if !send(ctx, out, ProcessUpdate{Name: tr.cfg.Name, Up: tr.q.up, Count: tr.q.count}) {
			return nil
		}
	}
	clk := clock.Or(t.Clock)
	tick := clk.NewTicker(interval)
	defer tick.Stop()
	delay := clk.NewTimer(time.Hour)
	delay.Stop()
	defer delay.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C():
		case <-delay.C():
		case <-lost:
			// Exits may have been missed too: trust the process states.
			clear(st.dead)
		case ev := <-events:
			if !st.events(ev, events) {
				continue
			}
		}
		snap, err := st.sc.scan()
		if err != nil {
			if !failing {
				t.log.Warn(err.Error())
			}
			failing = true
			continue
		}
		failing = false
		st.prune()
		if !t.apply(ctx, clk.Now(), st.ts, snap, out) {
			return nil
		}
		if d, ok := nextDeadline(st.ts); ok {
			delay.Reset(d.Sub(clk.Now()))
		}
	}
}

// subscribe starts listening to the kernel's process events. Without them
// (the error is logged once) the channels are nil and only the polling
// remains. unsubscribe ends the listening and waits for its goroutine.
func (t *ProcessTracker) subscribe(ctx context.Context, interval time.Duration) (events <-chan procEvent, lost <-chan struct{}, unsubscribe func()) {
	dial := t.dial
	if dial == nil {
		dial = dialProcConn
	}
	c, err := dial()
	if err != nil {
		t.log.Info(fmt.Sprintf("track_process: no process events from the kernel (%v); reading /proc every %v", err, interval))
		return nil, nil, func() {}
	}
	ev := make(chan procEvent, 1024)
	lo := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // ends when c is closed by unsubscribe
		defer wg.Done()
		c.pump(ctx, ev, lo)
	}()
	return ev, lo, func() {
		c.Close()
		wg.Wait()
	}
}

// events takes ev and the events queued behind it (as many as were queued
// when it began, so that a busy machine cannot keep it here), and reports
// whether one concerns a block, so that the process table must be read.
func (st *runState) events(ev procEvent, more <-chan procEvent) bool {
	rescan := st.event(ev)
	for range len(more) {
		rescan = st.event(<-more) || rescan
	}
	return rescan
}

// event reports whether ev concerns a block (src
// track_process/track_process.c handle_proc_ev): the fork of a counted
// process, the exit of one (not counted from now on), or a counted or
// matching process that exec'd or renamed itself.
func (st *runState) event(ev procEvent) bool {
	switch ev.what {
	case procEventFork:
		delete(st.dead, ev.pid) // the pid is in use again
		return st.counted(ev.parent)
	case procEventExit:
		if !st.counted(ev.pid) {
			return false
		}
		st.dead[ev.pid] = true
		return true
	}
	return st.counted(ev.pid) || st.sc.matchesAny(ev.pid)
}

// counted reports whether a block counted pid at the last scan.
func (st *runState) counted(pid int) bool {
	for _, tr := range st.ts {
		if _, ok := tr.pids[pid]; ok {
			return true
		}
	}
	return false
}

// prune forgets the exited processes that have left the process table.
func (st *runState) prune() {
	for pid := range st.dead {
		if unix.Access(procRoot+"/"+strconv.Itoa(pid), unix.F_OK) != nil {
			delete(st.dead, pid)
		}
	}
}

// start builds the tracked blocks and their matchers, warning about a
// name no process can have.
func (t *ProcessTracker) start() ([]*tracked, []matcher) {
	ts := make([]*tracked, len(t.procs))
	ms := make([]matcher, len(t.procs))
	for i, p := range t.procs {
		ms[i] = newMatcher(p)
		ts[i] = &tracked{cfg: p}
		if !ms[i].full && len(p.Process) > commMax {
			t.log.Warn(fmt.Sprintf("vrrp_track_process %s: process name %s is longer than the %d characters of a process name (/proc/PID/comm) and never matches, as in keepalived; use its first %d characters, or full_command",
				p.Name, p.Process, commMax, commMax))
		}
	}
	return ts, ms
}

// apply feeds one scan to every block and sends the updates it causes.
func (t *ProcessTracker) apply(ctx context.Context, now time.Time, ts []*tracked, snap snapshot, out chan<- ProcessUpdate) bool {
	for i, tr := range ts {
		cur := snap.matched[i]
		old := tr.q.count
		wasIn := tr.q.in(old)
		changed := tr.q.observe(now, len(cur), forked(tr.pids, cur), exited(tr.pids, cur, snap.alive))
		changed = tr.q.expire(now) || changed
		tr.pids = cur
		if old == tr.q.count && !changed {
			continue
		}
		if old != tr.q.count {
			t.logCount(tr.cfg.Name, old, tr.q.count, wasIn, tr.q.in(tr.q.count))
		}
		if !send(ctx, out, ProcessUpdate{Name: tr.cfg.Name, Up: tr.q.up, Count: tr.q.count}) {
			return false
		}
	}
	return true
}

// logCount logs keepalived's detail line for a changed count (src
// track_process/track_process.c reinitialise_track_processes).
func (t *ProcessTracker) logCount(name string, from, to int, wasIn, isIn bool) {
	suffix := ""
	switch {
	case isIn && !wasIn:
		suffix = ", quorum up"
	case wasIn && !isIn:
		suffix = ", quorum down"
	}
	t.log.Debug(fmt.Sprintf("Process %s, number of current processes changed from %d to %d%s", name, from, to, suffix))
}

// forked reports whether a process in cur but not in prev is the child of
// one in prev.
func forked(prev, cur map[int]int) bool {
	for pid, ppid := range cur {
		if _, had := prev[pid]; had {
			continue
		}
		if _, parent := prev[ppid]; parent {
			return true
		}
	}
	return false
}

// exited reports whether a process in prev but not in cur is no longer
// alive (rather than renamed or re-executed).
func exited(prev, cur map[int]int, alive map[int]bool) bool {
	for pid := range prev {
		if _, still := cur[pid]; !still && !alive[pid] {
			return true
		}
	}
	return false
}

// nextDeadline is the earliest end of a running delay.
func nextDeadline(ts []*tracked) (time.Time, bool) {
	var d time.Time
	for _, tr := range ts {
		if dl := tr.q.deadline; !dl.IsZero() && (d.IsZero() || dl.Before(d)) {
			d = dl
		}
	}
	return d, !d.IsZero()
}
