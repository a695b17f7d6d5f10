package vrrptest

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// The VRRP multicast groups (RFC 5798 §5.1.1.2, §5.1.2.2).
var (
	groupIPv4 = netip.MustParseAddr("224.0.0.18")
	groupIPv6 = netip.MustParseAddr("ff02::12")
)

// Transcript returns the lines recorded so far.
func (l *LAN) Transcript() []string { return slices.Clone(l.lines) }

// ResetTranscript forgets the lines recorded so far.
func (l *LAN) ResetTranscript() { l.lines = nil }

// Errors returns inconsistencies seen in the routers' action streams: a
// StateChange whose From is not the state last reported, VIPs added twice
// or removed when not held, an illegal transition.
func (l *LAN) Errors() []string { return slices.Clone(l.errs) }

// Masters returns the names of the routers in MASTER, in router order.
func (l *LAN) Masters() []string {
	var ms []string
	for _, r := range l.routers {
		if r.m.State() == vrrp.StateMaster {
			ms = append(ms, r.spec.Name)
		}
	}
	return ms
}

// record adds a transcript line for r if kind is selected.
func (l *LAN) record(kind Kinds, r *Router, format string, args ...any) {
	if l.Record&kind != 0 {
		l.lines = append(l.lines, fmt.Sprintf("t=%s %s %s", l.stamp(l.now), r.spec.Name, fmt.Sprintf(format, args...)))
	}
}

// fail records an inconsistency in r's action stream.
func (l *LAN) fail(r *Router, format string, args ...any) {
	l.errs = append(l.errs, fmt.Sprintf("t=%s %s: %s", l.stamp(l.now), r.spec.Name, fmt.Sprintf(format, args...)))
}

// apply executes r's actions in order, as the daemon's instance goroutine
// would.
func (l *LAN) apply(r *Router, actions []vrrp.Action) {
	for _, a := range actions {
		switch a := a.(type) {
		case vrrp.SetTimer:
			r.timers[a.Timer] = a.At
			l.record(KindTimer, r, "timer %v at %s", a.Timer, l.stamp(a.At))
		case vrrp.StopTimer:
			delete(r.timers, a.Timer)
			l.record(KindTimer, r, "timer %v stop", a.Timer)
		case vrrp.SendAdvert:
			l.record(KindAdvert, r, "advert prio %d", a.Priority)
			l.send(r, a.Priority)
		case vrrp.AddVIPs:
			if r.hasVIPs {
				l.fail(r, "addVIPs while holding them")
			}
			r.hasVIPs = true
			l.record(KindVIP, r, "addVIPs")
		case vrrp.RemoveVIPs:
			if !r.hasVIPs {
				l.fail(r, "removeVIPs without holding them")
			}
			r.hasVIPs = false
			l.record(KindVIP, r, "removeVIPs")
		case vrrp.GARPBurst:
			l.record(KindGARP, r, "garp x%d", a.Repeat)
		case vrrp.StateChange:
			l.stateChange(r, a)
		case vrrp.NotifyRxLowerPri:
			l.record(KindNotify, r, "notify master_rx_lower_pri")
		case vrrp.Log:
			l.record(KindLog, r, "%v", a)
		default:
			l.fail(r, "unknown action %T", a)
		}
	}
}

// stateChange checks and records a StateChange.
func (l *LAN) stateChange(r *Router, a vrrp.StateChange) {
	if a.From != r.state {
		l.fail(r, "state change from %v, but last reported state is %v", a.From, r.state)
	}
	if !vrrp.LegalTransition(a.From, a.To) {
		l.fail(r, "illegal transition %v->%v", a.From, a.To)
	}
	if (a.To == vrrp.StateMaster) != r.hasVIPs {
		l.fail(r, "entered %v with VIPs held=%v", a.To, r.hasVIPs)
	}
	r.state = a.To
	l.record(KindState, r, "state %v->%v", a.From, a.To)
}

// advert builds the advert r sends with priority prio, the way the
// daemon fills in what the Machine leaves to it.
func advert(r *Router, prio int) vrrp.Advert {
	c := r.spec.Config
	a := vrrp.Advert{Version: uint8(c.Version), Type: vrrp.TypeAdvertisement, VRID: c.VRID,
		Priority: uint8(prio), Addrs: r.spec.VIPs}
	if c.Version == 2 {
		a.AuthType = r.spec.AuthType
		a.AdvertInt = uint8(c.AdvertInt / time.Second)
		copy(a.AuthData[:], r.spec.AuthPass)
	} else {
		a.MaxAdvertInt = uint16(c.AdvertInt / (10 * time.Millisecond))
	}
	return a
}

// send marshals r's advert with the real codec and puts it on the wire
// to every router that can hear r.
func (l *LAN) send(r *Router, prio int) {
	a := advert(r, prio)
	src, dst := r.spec.Addr, groupIPv4
	if r.spec.Config.Family == vrrp.IPv6 {
		dst = groupIPv6
	}
	pkt, err := a.Marshal(src, dst)
	if err == nil && r.spec.Config.Family == vrrp.IPv4 {
		r.ipID = vrrp.NextIPv4ID(r.ipID)
		pkt, err = vrrp.NewAdvertIPv4Header(src, dst, r.ipID, 255).MarshalPacket(pkt)
	}
	if err != nil {
		l.fail(r, "marshal advert: %v", err)
		return
	}
	if l.dropNext[r.spec.Name] > 0 {
		l.dropNext[r.spec.Name]--
		return
	}
	for _, to := range l.routers {
		if to == r || !l.connected(r.spec.Name, to.spec.Name) {
			continue
		}
		if l.Drop != nil && l.Drop(r.spec.Name, to.spec.Name, a) {
			continue
		}
		l.seq++
		l.queue = append(l.queue, delivery{at: l.now.Add(l.Latency), seq: l.seq, from: r, to: to,
			pkt: pkt, src: src, dst: dst})
	}
	slices.SortStableFunc(l.queue, func(x, y delivery) int { return x.at.Compare(y.at) })
}

// deliver runs an advert through the receiver's Check, as its socket layer
// would, and steps its Machine with what passes. keepalived reads nothing
// for an instance in INIT or FAULT; nor does a stopped one.
func (l *LAN) deliver(d delivery) {
	to := d.to
	if s := to.m.State(); s != vrrp.StateBackup && s != vrrp.StateMaster {
		return
	}
	res, err := vrrp.Check(vrrp.Received{Packet: d.pkt, Src: d.src, Dst: d.dst, HopLimit: 255}, expect(to))
	if err != nil {
		var ce *vrrp.CheckError
		msg := err.Error()
		if errors.As(err, &ce) {
			msg = strings.TrimPrefix(ce.Log, "("+to.spec.Config.Name+") ")
		}
		l.record(KindDrop, to, "drop advert from %s: %s", d.from.spec.Name, msg)
		return
	}
	l.apply(to, to.m.Step(l.now, vrrp.AdvertReceived{Src: res.Src, Advert: res.Advert}))
}

// expect is what r's instance expects of the adverts it receives.
func expect(r *Router) vrrp.Expect {
	c := r.spec.Config
	e := vrrp.Expect{Name: c.Name, Family: c.Family, Version: uint8(c.Version), VRID: c.VRID,
		AuthType: r.spec.AuthType, VIPs: r.spec.VIPs}
	if c.Version == 2 {
		e.AdvertInt = uint8(c.AdvertInt / time.Second)
		copy(e.AuthData[:], r.spec.AuthPass)
	}
	if r.m.State() == vrrp.StateBackup {
		e.Master = r.m.MasterAddr()
	}
	return e
}
