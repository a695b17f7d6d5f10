package socket

import (
	"bytes"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Refresher is the receive fast path of one instance. A backup hears the
// same advert from its master every interval, and each one only pushes its
// master-down deadline forward. Once the instance has handled such an
// advert it calls Expect with it; from then on the receiver (the pool's
// reader, or a test's fake) hands every identical packet to Match, which
// records when it arrived instead of waking the instance. The instance reads
// the record with Take when its master-down timer fires, and feeds the
// machine one advert at that time: the same outcome as handling them all,
// for a fraction of the work.
//
// Identical means: the same bytes, except an IPv4 header's identification
// and checksum, which change with every packet, and the same source,
// destination and hop limit. The receive checks (vrrp.Check) read nothing
// else, so an identical packet passes them with the same result.
//
// The zero Refresher expects nothing. It is safe for concurrent use: one
// receiver calls Match while the instance calls Expect, Clear and Take.
type Refresher struct {
	want atomic.Pointer[refreshFilter]
	on   atomic.Bool
	// last is when the latest match arrived, as nanoseconds since base;
	// n counts matches since the last Take.
	last atomic.Int64
	n    atomic.Uint64
	// count, when set, is incremented with every match (CountInto).
	count atomic.Pointer[atomic.Uint64]
	// base is set by the first Expect, before any filter is published,
	// and never changes; it keeps that time's monotonic clock reading.
	base time.Time
}

// refreshFilter is one expected packet.
type refreshFilter struct {
	data     []byte
	family   vrrp.Family
	src, dst netip.Addr
	hopLimit int
	base     time.Time // the Refresher's base
}

// Expect makes packets identical to p count as refreshes from now on,
// until Clear or the next Expect; now is the time of the call. p.Data is
// copied. Only the instance calls Expect, Clear and Take.
func (r *Refresher) Expect(p Packet, now time.Time) {
	if r.want.Load() == nil {
		r.base = now
	}
	r.on.Store(false)
	r.want.Store(&refreshFilter{data: bytes.Clone(p.Data), family: p.Family, src: p.Src, dst: p.Dst, hopLimit: p.HopLimit, base: r.base})
	r.on.Store(true)
}

// Clear stops the fast path: every packet goes to the instance again.
// Refreshes already recorded are kept for Take.
func (r *Refresher) Clear() { r.on.Store(false) }

// Active reports whether packets are being matched.
func (r *Refresher) Active() bool { return r.on.Load() }

// Match reports whether p is identical to the expected packet and, if so,
// records that it arrived at now. It does not allocate.
func (r *Refresher) Match(p Packet, now time.Time) bool {
	if !r.on.Load() {
		return false
	}
	f := r.want.Load()
	if f == nil || !f.matches(p) {
		return false
	}
	r.last.Store(int64(now.Sub(f.base)))
	r.n.Add(1)
	if c := r.count.Load(); c != nil {
		c.Add(1)
	}
	return true
}

// CountInto makes every match from now on add one to c as well.
func (r *Refresher) CountInto(c *atomic.Uint64) { r.count.Store(c) }

// matches compares p with the filter's packet.
func (f *refreshFilter) matches(p Packet) bool {
	if p.Family != f.family || p.Src != f.src || p.Dst != f.dst || p.HopLimit != f.hopLimit || len(p.Data) != len(f.data) {
		return false
	}
	a, b := p.Data, f.data
	if f.family == vrrp.IPv4 && len(a) >= vrrp.IPv4HeaderLen {
		// Bytes 4-5 are the identification and 10-11 the header
		// checksum (RFC 791 §3.1).
		return bytes.Equal(a[:4], b[:4]) && bytes.Equal(a[6:10], b[6:10]) && bytes.Equal(a[12:], b[12:])
	}
	return bytes.Equal(a, b)
}

// Take returns when the latest refresh arrived and how many arrived since
// the previous Take, and resets the count; ok is false when none did.
func (r *Refresher) Take() (last time.Time, n uint64, ok bool) {
	f := r.want.Load()
	n = r.n.Swap(0)
	if f == nil || n == 0 {
		return time.Time{}, n, false
	}
	return f.base.Add(time.Duration(r.last.Load())), n, true
}
