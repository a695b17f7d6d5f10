package daemon

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// What the daemon records for its metrics beyond keepalived's counters:
// base priority, transitions by edge and reason, foreign masters, dropped
// adverts by reason, the master-down timer's lateness, tracked scripts'
// runs and reloads. Package metrics reads it with Status.Observe, Alive
// and Ready. Every write on an instance's path is an atomic store or add;
// what an instance allocates for it is allocated on first use (a first
// drop, a new transition) or when its configuration changes.

// Observation is what the metrics read of the daemon at a moment. It is a
// plain value.
type Observation struct {
	// Serving is true from the moment every instance has started until
	// the daemon stops.
	Serving bool
	// Loaded is when the running configuration was loaded: the start, or
	// the last successful reload.
	Loaded    time.Time
	Instances []InstanceObservation
	// MasterDownLateness is how late the master-down timer was served,
	// over every instance.
	MasterDownLateness Histogram
	Scripts            []ScriptObservation
	Reloads            ReloadCounts
}

// InstanceObservation is one instance's status and what the metrics read
// besides.
type InstanceObservation struct {
	InstanceStatus
	// Config is the instance's running configuration (with its VIPs on
	// its VMAC, if it has one); nil until it is set up. It is shared and
	// must not be modified.
	Config *config.Instance
	// Interface is the interface the instance runs on: its VMAC's or its
	// own.
	Interface string
	// Transitions counts the state changes by edge and reason class.
	Transitions []TransitionCount
	// OtherMasterAdverts counts the adverts of another master received
	// while MASTER (two masters at once); OtherMaster and OtherMasterAt
	// are the last one's sender and arrival.
	OtherMasterAdverts uint64
	OtherMaster        netip.Addr
	OtherMasterAt      time.Time
	// Drops counts the received adverts dropped, by reason; reasons never
	// seen are left out.
	Drops []DropCount
}

// TransitionCount counts the transitions From -> To for one reason class:
// the machine's reason up to its first colon, such as "master down",
// "higher priority advert", "fault" or "init".
type TransitionCount struct {
	From, To vrrp.State
	Reason   string
	Count    uint64
}

// DropCount counts the adverts dropped for one reason: the name of the
// receive check that failed (vrrp.CheckID, with "_" for "-"), or "invalid"
// for an advert that passed them but does not parse.
type DropCount struct {
	Reason string
	Count  uint64
}

// ScriptObservation is one vrrp_script's state and runs.
type ScriptObservation struct {
	Name string
	// Known is false until the first result; OK is the script's state
	// after its rise/fall counting.
	Known, OK bool
	// Running is true while a run is in progress.
	Running bool
	// Exits counts the runs by how they ended: the exit status, "timeout"
	// or "signal_N".
	Exits    []ExitCount
	Duration Histogram
}

// ExitCount counts the runs of a script that ended one way.
type ExitCount struct {
	Exit  string
	Count uint64
}

// ReloadCounts counts the reloads: applied, failed in the daemon (the
// running configuration is kept), and rejected before reaching it (the new
// configuration has errors).
type ReloadCounts struct {
	OK, Failed, Rejected uint64
}

// Histogram is a snapshot of a histogram of durations: Counts[i] is the
// number of observations in (Bounds[i-1], Bounds[i]], the last one those
// above every bound. It is a plain value.
type Histogram struct {
	Bounds []float64 // upper bounds, seconds, increasing
	Counts []uint64  // len(Bounds)+1
	Sum    float64   // seconds
}

// Count is the number of observations.
func (h Histogram) Count() uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// The histograms' bucket bounds, in seconds. A master-down timer served
// within a millisecond is on time (the wake-up spins its last 1.2 ms);
// scripts run for milliseconds to their timeout.
var (
	masterDownBounds = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}
	scriptBounds     = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
)

// histogram is a fixed-bucket histogram of durations with atomic counts.
// It is safe for concurrent use.
type histogram struct {
	bounds []float64
	counts []atomic.Uint64 // len(bounds)+1
	sum    atomic.Int64    // nanoseconds
}

func newHistogram(bounds []float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

func (h *histogram) observe(d time.Duration) {
	d = max(d, 0)
	s := d.Seconds()
	i, _ := slices.BinarySearch(h.bounds, s) // first bound >= s
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

func (h *histogram) snapshot() Histogram {
	out := Histogram{Bounds: h.bounds, Counts: make([]uint64, len(h.counts)), Sum: time.Duration(h.sum.Load()).Seconds()}
	for i := range h.counts {
		out.Counts[i] = h.counts[i].Load()
	}
	return out
}

// daemonObservations are the Status's daemon-wide observations.
type daemonObservations struct {
	// probe pings the instances' loops while the daemon serves; stopped
	// is set once it stops serving.
	probe   atomic.Pointer[func(context.Context) error]
	stopped atomic.Bool
	loaded  atomic.Int64 // Unix ns

	lateness *histogram

	reloadOK, reloadFailed, reloadRejected atomic.Uint64

	smu     sync.Mutex
	scripts map[string]*scriptObs
}

// observations are one instance's observations, beside its counters.
type observations struct {
	info        atomic.Pointer[instanceInfo]
	transitions atomic.Pointer[[]*transitionCount]
	drops       atomic.Pointer[[numDrops]atomic.Uint64]

	otherMasters atomic.Uint64
	otherAddr    atomic.Pointer[netip.Addr]
	otherAt      atomic.Int64 // Unix ns
}

// instanceInfo is what labels an instance in the metrics.
type instanceInfo struct {
	cfg    *config.Instance
	ifname string
}

type transitionCount struct {
	from, to uint8
	reason   string
	n        atomic.Uint64
}

// numDrops is the number of drop reasons: every vrrp.CheckID (0 to 14)
// and dropInvalid.
const (
	numDrops    = 16
	dropInvalid = numDrops - 1
)

func dropReason(i int) string {
	if i == dropInvalid {
		return "invalid"
	}
	return strings.ReplaceAll(vrrp.CheckID(i).String(), "-", "_")
}

// describe records the configuration the instance runs and its interface.
func (c *counters) describe(cfg *config.Instance, ifname string) {
	c.obs.info.Store(&instanceInfo{cfg: cfg, ifname: ifname})
}

// describe records the instance's running configuration in its status.
func (in *instance) describe() {
	ifname := in.cfg.Interface
	if in.wire.vmac != nil {
		ifname = in.wire.vmac.Name
	}
	in.stats.describe(in.cfg, ifname)
}

// transition counts a state change by edge and reason class. It allocates
// only for an edge and reason not seen before.
func (o *observations) transition(sc vrrp.StateChange) {
	reason, _, _ := strings.Cut(sc.Reason, ":")
	from, to := uint8(sc.From), uint8(sc.To)
	for {
		old := o.transitions.Load()
		var seen []*transitionCount
		if old != nil {
			seen = *old
		}
		for _, t := range seen {
			if t.from == from && t.to == to && t.reason == reason {
				t.n.Add(1)
				return
			}
		}
		next := make([]*transitionCount, len(seen), len(seen)+1)
		copy(next, seen)
		t := &transitionCount{from: from, to: to, reason: reason}
		t.n.Store(1)
		next = append(next, t)
		if o.transitions.CompareAndSwap(old, &next) {
			return
		}
	}
}

// dropped counts a dropped advert for reason i (a vrrp.CheckID or
// dropInvalid).
func (o *observations) dropped(i int) {
	if i < 0 || i >= numDrops {
		i = dropInvalid
	}
	d := o.drops.Load()
	if d == nil {
		d = new([numDrops]atomic.Uint64)
		if !o.drops.CompareAndSwap(nil, d) {
			d = o.drops.Load()
		}
	}
	d[i].Add(1)
}

// otherMaster records an advert from another master, heard while MASTER.
func (o *observations) otherMaster(src netip.Addr, at time.Time) {
	o.otherMasters.Add(1)
	o.otherAt.Store(at.UnixNano())
	if p := o.otherAddr.Load(); p == nil || *p != src {
		a := src // allocated only when the sender changes
		o.otherAddr.Store(&a)
	}
}

// observe returns the instance's observation.
func (c *counters) observe(name string) InstanceObservation {
	out := InstanceObservation{InstanceStatus: c.snapshot(name)}
	o := &c.obs
	if info := o.info.Load(); info != nil {
		out.Config, out.Interface = info.cfg, info.ifname
	}
	if ts := o.transitions.Load(); ts != nil {
		out.Transitions = make([]TransitionCount, len(*ts))
		for i, t := range *ts {
			out.Transitions[i] = TransitionCount{From: vrrp.State(t.from), To: vrrp.State(t.to), Reason: t.reason, Count: t.n.Load()}
		}
	}
	out.OtherMasterAdverts = o.otherMasters.Load()
	if p := o.otherAddr.Load(); p != nil {
		out.OtherMaster, out.OtherMasterAt = *p, time.Unix(0, o.otherAt.Load())
	}
	if d := o.drops.Load(); d != nil {
		for i := range d {
			if n := d[i].Load(); n > 0 {
				out.Drops = append(out.Drops, DropCount{Reason: dropReason(i), Count: n})
			}
		}
	}
	return out
}

// Observe returns what the metrics read: every instance's status and
// observations in configuration order, and the daemon-wide ones. It takes
// no lock an instance takes on its advert path.
func (s *Status) Observe() Observation {
	s.mu.Lock()
	names := slices.Clone(s.order)
	cs := make([]*counters, len(names))
	for i, n := range names {
		cs[i] = s.byKey[n]
	}
	s.mu.Unlock()
	d := &s.obs
	out := Observation{
		Serving:   d.probe.Load() != nil,
		Instances: make([]InstanceObservation, len(cs)),
		Reloads:   ReloadCounts{OK: d.reloadOK.Load(), Failed: d.reloadFailed.Load(), Rejected: d.reloadRejected.Load()},
	}
	if ns := d.loaded.Load(); ns != 0 {
		out.Loaded = time.Unix(0, ns)
	}
	for i, c := range cs {
		out.Instances[i] = c.observe(names[i])
	}
	if d.lateness != nil {
		out.MasterDownLateness = d.lateness.snapshot()
	}
	d.smu.Lock()
	scriptNames := make([]string, 0, len(d.scripts))
	for n := range d.scripts {
		scriptNames = append(scriptNames, n)
	}
	slices.Sort(scriptNames)
	for _, n := range scriptNames {
		out.Scripts = append(out.Scripts, d.scripts[n].snapshot(n))
	}
	d.smu.Unlock()
	return out
}

// serving records that the daemon runs its configuration, loaded at now,
// and serves Alive with probe; a nil probe records that it stopped.
func (s *Status) serving(probe func(context.Context) error, now time.Time) {
	if probe == nil {
		s.obs.stopped.Store(true)
		s.obs.probe.Store(nil)
		return
	}
	s.obs.loaded.Store(now.UnixNano())
	s.obs.probe.Store(&probe)
}

// ErrNotServing is returned by Alive and Ready once the daemon has
// stopped, and by Ready before it has started.
var ErrNotServing = errors.New("daemon: not serving")

// Alive reports whether the daemon's loops are alive: every instance's
// goroutine answers a ping before ctx ends. A daemon still starting is
// alive; one that stopped is not.
func (s *Status) Alive(ctx context.Context) error {
	if p := s.obs.probe.Load(); p != nil {
		return (*p)(ctx)
	}
	if s.obs.stopped.Load() {
		return fmt.Errorf("%w: stopped", ErrNotServing)
	}
	return nil
}

// Ready reports whether the daemon is ready: its configuration is loaded
// and running, and no instance is in INIT (or STOP).
func (s *Status) Ready() error {
	switch {
	case s.obs.probe.Load() != nil:
	case s.obs.stopped.Load():
		return fmt.Errorf("%w: stopped", ErrNotServing)
	default:
		return fmt.Errorf("%w: starting", ErrNotServing)
	}
	for _, st := range s.Snapshot() {
		if st.State == vrrp.StateInit || st.State == vrrp.StateStop {
			return fmt.Errorf("%w: (%s) is in %v", ErrNotServing, st.Name, st.State)
		}
	}
	return nil
}

// masterDownLate records how late an instance served its master-down
// timer.
func (s *Status) masterDownLate(d time.Duration) {
	if s.obs.lateness != nil {
		s.obs.lateness.observe(d)
	}
}

// reloaded counts a reload the daemon applied (err nil) or failed to.
func (s *Status) reloaded(err error, now time.Time) {
	if err != nil {
		s.obs.reloadFailed.Add(1)
		return
	}
	s.obs.reloadOK.Add(1)
	s.obs.loaded.Store(now.UnixNano())
}

// ReloadRejected counts a reload refused before it reached the daemon:
// the new configuration has errors. It is safe for concurrent use.
func (s *Status) ReloadRejected() { s.obs.reloadRejected.Add(1) }

// fastCounter is an Endpoint whose fast paths count the adverts they
// note and send into the instance's counters as they go (see
// socket.Endpoint.CountInto), so that the metrics read them up to date
// between the instance's steps.
type fastCounter interface {
	CountInto(received, sent *atomic.Uint64)
}

// countFastPaths makes the endpoint's fast paths count into the
// instance's counters, if it can, and reports whether it does.
func (in *instance) countFastPaths() bool {
	c, ok := in.wire.ep.(fastCounter)
	if ok {
		c.CountInto(&in.stats.advertRcvd, &in.stats.advertSent)
	}
	return ok
}

// ping is a control message an instance answers by closing it.
type ping chan struct{}

// ping checks that every running instance's goroutine answers before ctx
// ends. An instance that a reload removed meanwhile is not waited for. It
// runs in the caller's goroutine and reads only what the instances never
// change (ctl, wire.name).
func (r *runner) ping(ctx context.Context) error {
	insts := r.current()
	pings := make([]ping, len(insts))
	for i, in := range insts {
		p := make(ping)
		select {
		case in.ctl <- p:
			pings[i] = p
		case <-ctx.Done():
			return r.unanswered(ctx, in, "takes no messages")
		}
	}
	for i, p := range pings {
		select {
		case <-p:
		case <-ctx.Done():
			return r.unanswered(ctx, insts[i], "does not answer")
		}
	}
	return nil
}

// unanswered is ping's error for an instance that did not answer, unless
// a reload removed it meanwhile.
func (r *runner) unanswered(ctx context.Context, in *instance, what string) error {
	if !slices.Contains(r.current(), in) {
		return nil
	}
	return fmt.Errorf("(%s) %s: %w", in.wire.name, what, context.Cause(ctx))
}

// scriptObs is one vrrp_script's observations. The state and the running
// count are atomic; the exits are under mu, which only the script's
// checker and readers take.
type scriptObs struct {
	known, ok atomic.Bool
	running   atomic.Int32
	duration  *histogram

	mu    sync.Mutex
	exits map[string]uint64
}

// script returns the observations of the vrrp_script called name, adding
// them if need be.
func (s *Status) script(name string) *scriptObs {
	d := &s.obs
	d.smu.Lock()
	defer d.smu.Unlock()
	if d.scripts == nil {
		d.scripts = map[string]*scriptObs{}
	}
	o, ok := d.scripts[name]
	if !ok {
		o = &scriptObs{duration: newHistogram(scriptBounds), exits: map[string]uint64{}}
		d.scripts[name] = o
	}
	return o
}

// forgetScript drops the observations of a vrrp_script no longer run.
func (s *Status) forgetScript(name string) {
	s.obs.smu.Lock()
	defer s.obs.smu.Unlock()
	delete(s.obs.scripts, name)
}

// report records a checker's result.
func (o *scriptObs) report(u scripts.Update) {
	o.ok.Store(u.OK)
	o.known.Store(true)
}

// ran records how one run ended and how long it took.
func (o *scriptObs) ran(res scripts.Result, took time.Duration) {
	exit := "signal_" + strconv.Itoa(int(res.Signal))
	switch {
	case res.TimedOut:
		exit = "timeout"
	case res.Exited():
		exit = strconv.Itoa(res.ExitCode)
	}
	o.duration.observe(took)
	o.mu.Lock()
	o.exits[exit]++
	o.mu.Unlock()
}

func (o *scriptObs) snapshot(name string) ScriptObservation {
	out := ScriptObservation{Name: name, Known: o.known.Load(), OK: o.ok.Load(), Running: o.running.Load() > 0,
		Duration: o.duration.snapshot()}
	o.mu.Lock()
	for e, n := range o.exits {
		out.Exits = append(out.Exits, ExitCount{Exit: e, Count: n})
	}
	o.mu.Unlock()
	slices.SortFunc(out.Exits, func(a, b ExitCount) int { return exitOrder(a.Exit) - exitOrder(b.Exit) })
	return out
}

// exitOrder sorts exit statuses by number, then timeouts, then signals.
func exitOrder(e string) int {
	if n, err := strconv.Atoi(e); err == nil {
		return n
	}
	if e == "timeout" {
		return 1000
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(e, "signal_"))
	return 2000 + min(n, math.MaxInt16)
}

// observedExec is a checker's Executor that records each run's end and
// duration, and whether a run is in progress.
type observedExec struct {
	scripts.Executor
	obs   *scriptObs
	clock clock.Clock
}

// Run implements scripts.Executor. A run ended by ctx (the checker
// stopping) is not recorded.
func (e observedExec) Run(ctx context.Context, c scripts.Command, timeout time.Duration) scripts.Result {
	e.obs.running.Add(1)
	defer e.obs.running.Add(-1)
	start := e.clock.Now()
	res := e.Executor.Run(ctx, c, timeout)
	if ctx.Err() == nil {
		e.obs.ran(res, e.clock.Now().Sub(start))
	}
	return res
}
