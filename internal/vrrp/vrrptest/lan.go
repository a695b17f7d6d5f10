package vrrptest

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Kinds selects which actions a LAN records in its transcript.
type Kinds uint

// The kinds of transcript lines.
const (
	KindState  Kinds = 1 << iota // "state BACKUP->MASTER"
	KindVIP                      // "addVIPs", "removeVIPs"
	KindGARP                     // "garp x5"
	KindNotify                   // "notify master_rx_lower_pri"
	KindDrop                     // "drop advert from r2: <keepalived's log line>"
	KindAdvert                   // "advert prio 100"
	KindLog                      // "log: (VI_1) Entering MASTER STATE"
	KindTimer                    // "timer master-down at 3.609375", "timer advert stop"

	// DefaultKinds is what NewLAN records.
	DefaultKinds = KindState | KindVIP | KindGARP | KindNotify | KindDrop
)

// maxSteps bounds one Run, so that a livelock fails instead of hanging.
const maxSteps = 1_000_000

// Spec describes one router of a LAN.
type Spec struct {
	Name string // transcript name, such as "r1"
	// Config is the instance; its PrimaryAddr defaults to Addr.
	Config vrrp.Config
	// Addr is the source address of the router's adverts.
	Addr netip.Addr
	// VIPs are the addresses its adverts carry and its Check expects.
	VIPs []netip.Addr
	// AuthType and AuthPass are the VRRPv2 authentication block.
	AuthType vrrp.AuthType
	AuthPass string
}

// Router is one router of a LAN: a Machine and what its actions did.
type Router struct {
	spec    Spec
	m       *vrrp.Machine
	timers  map[vrrp.Timer]time.Time
	state   vrrp.State // as reported by StateChange actions
	hasVIPs bool
	ipID    uint16
}

// Name returns the router's name.
func (r *Router) Name() string { return r.spec.Name }

// Machine returns the router's state machine.
func (r *Router) Machine() *vrrp.Machine { return r.m }

// HasVIPs reports whether the router holds the VIPs (AddVIPs without a
// RemoveVIPs since).
func (r *Router) HasVIPs() bool { return r.hasVIPs }

// Timers returns the timers the router's actions armed, for comparison
// with the Machine's own deadlines.
func (r *Router) Timers() map[vrrp.Timer]time.Time { return maps.Clone(r.timers) }

// delivery is an advert on the wire, to one receiver.
type delivery struct {
	at       time.Time
	seq      int
	from, to *Router
	pkt      []byte
	src, dst netip.Addr
}

// LAN is an in-memory multicast segment joining routers in virtual time.
// It is not safe for concurrent use.
type LAN struct {
	// Record selects the transcript lines; NewLAN sets DefaultKinds.
	Record Kinds
	// Latency delays every advert; zero delivers it after the current
	// Step, at the same virtual time.
	Latency time.Duration
	// Drop, if set, is asked about every advert on the wire and drops it
	// when it returns true.
	Drop func(from, to string, a vrrp.Advert) bool

	start, now time.Time
	routers    []*Router
	byName     map[string]*Router
	cut        map[[2]string]bool
	isolated   map[string]bool
	dropNext   map[string]int
	queue      []delivery
	seq        int
	lines      []string
	errs       []string
}

// NewLAN returns an empty LAN whose virtual clock starts at start.
func NewLAN(start time.Time) *LAN {
	return &LAN{Record: DefaultKinds, start: start, now: start, byName: map[string]*Router{},
		cut: map[[2]string]bool{}, isolated: map[string]bool{}, dropNext: map[string]int{}}
}

// Add puts a router on the LAN, in INIT; it panics on an invalid Spec.
func (l *LAN) Add(s Spec) *Router {
	if !s.Config.PrimaryAddr.IsValid() {
		s.Config.PrimaryAddr = s.Addr
	}
	m, err := vrrp.NewMachine(s.Config)
	if err != nil {
		panic(fmt.Sprintf("vrrptest: router %s: %v", s.Name, err))
	}
	if _, dup := l.byName[s.Name]; dup {
		panic("vrrptest: duplicate router " + s.Name)
	}
	r := &Router{spec: s, m: m, timers: map[vrrp.Timer]time.Time{}}
	l.routers = append(l.routers, r)
	l.byName[s.Name] = r
	return r
}

// Router returns the router called name; it panics if there is none.
func (l *LAN) Router(name string) *Router {
	r, ok := l.byName[name]
	if !ok {
		panic("vrrptest: no router " + name)
	}
	return r
}

// Routers returns the routers in the order they were added.
func (l *LAN) Routers() []*Router { return slices.Clone(l.routers) }

// Now returns the virtual time.
func (l *LAN) Now() time.Time { return l.now }

// Elapsed returns the virtual time since the LAN's start.
func (l *LAN) Elapsed() time.Duration { return l.now.Sub(l.start) }

// Start starts the named routers, or all of them if none is named.
func (l *LAN) Start(names ...string) {
	if len(names) == 0 {
		for _, r := range l.routers {
			names = append(names, r.spec.Name)
		}
	}
	for _, n := range names {
		l.Inject(n, vrrp.Start{})
	}
}

// Inject steps the named router with ev at the current virtual time.
func (l *LAN) Inject(name string, ev vrrp.Event) {
	r := l.Router(name)
	l.apply(r, r.m.Step(l.now, ev))
}

// SetPriority injects an EffectivePriority event.
func (l *LAN) SetPriority(name string, p int) { l.Inject(name, vrrp.EffectivePriority{Priority: p}) }

// SetFault injects a FaultChanged event.
func (l *LAN) SetFault(name string, fault bool, reason string) {
	l.Inject(name, vrrp.FaultChanged{Fault: fault, Reason: reason})
}

// Stop injects the SIGTERM Stop event.
func (l *LAN) Stop(name string) { l.Inject(name, vrrp.Stop{}) }

// Cut breaks the link between a and b, both ways.
func (l *LAN) Cut(a, b string) {
	l.cut[[2]string{a, b}] = true
	l.cut[[2]string{b, a}] = true
}

// Isolate cuts a off from every other router.
func (l *LAN) Isolate(a string) { l.isolated[a] = true }

// DropNext drops the next n adverts a sends, to every receiver.
func (l *LAN) DropNext(a string, n int) { l.dropNext[a] += n }

// Heal undoes every Cut, Isolate and DropNext. Adverts already on the wire
// are not brought back.
func (l *LAN) Heal() {
	clear(l.cut)
	clear(l.isolated)
	clear(l.dropNext)
}

// connected reports whether an advert from a reaches b.
func (l *LAN) connected(a, b string) bool {
	return !l.isolated[a] && !l.isolated[b] && !l.cut[[2]string{a, b}]
}

// Run advances virtual time by d, delivering adverts and firing timers.
func (l *LAN) Run(d time.Duration) { l.RunUntil(l.now.Add(d)) }

// RunUntil advances virtual time to t. At equal times adverts on the wire
// are delivered before timers fire, and timers fire in router order.
func (l *LAN) RunUntil(t time.Time) {
	for step := 0; ; step++ {
		if step == maxSteps {
			panic(fmt.Sprintf("vrrptest: more than %d events before %s: livelock", maxSteps, l.stamp(t)))
		}
		r, timer, at, ok := l.nextTimer()
		if len(l.queue) > 0 && !l.queue[0].at.After(t) && (!ok || !l.queue[0].at.After(at)) {
			d := l.queue[0]
			l.queue = l.queue[1:]
			l.now = later(l.now, d.at)
			l.deliver(d)
			continue
		}
		if !ok || at.After(t) {
			break
		}
		l.now = later(l.now, at)
		delete(r.timers, timer)
		l.apply(r, r.m.Step(l.now, vrrp.TimerFired{Timer: timer}))
	}
	l.now = later(l.now, t)
}

// nextTimer returns the earliest timer armed on any router.
func (l *LAN) nextTimer() (r *Router, timer vrrp.Timer, at time.Time, ok bool) {
	for _, rr := range l.routers {
		for _, tt := range []vrrp.Timer{vrrp.TimerAdvert, vrrp.TimerMasterDown, vrrp.TimerGARP} {
			if d, armed := rr.timers[tt]; armed && (!ok || d.Before(at)) {
				r, timer, at, ok = rr, tt, d, true
			}
		}
	}
	return r, timer, at, ok
}

// later returns the later of two times.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// stamp formats a virtual time as seconds since the start: "3.609375".
func (l *LAN) stamp(t time.Time) string {
	us := t.Sub(l.start).Microseconds()
	s := strings.TrimRight(fmt.Sprintf("%d.%06d", us/1e6, us%1e6), "0")
	return strings.TrimSuffix(s, ".")
}
