package socket

import (
	"container/heap"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// The send fast path. A master sends the same advert every interval, and
// each one would wake its instance's goroutine only to send it. Instead
// the instance hands the advert to its endpoint with Repeat, and one
// goroutine per socket sends the adverts of all its repeating endpoints as
// they fall due, the ones due within repeatSlack of each other in one
// wake-up. The instance takes the count back with Repeated before it next
// steps its machine, and stops the repeat with StopRepeat whenever the
// machine might send something else.

// repeatSlack is how early an advert may go so that it shares a wake-up
// with one due just before it. An early advert only restarts the backups'
// timers a little sooner.
const repeatSlack = 500 * time.Microsecond

// repeat is one endpoint's periodic advert. It is guarded by its sender's
// mu.
type repeat struct {
	e        *Endpoint
	adv      vrrp.Advert
	next     time.Time
	interval time.Duration
	index    int // in the sender's heap; -1 when not in it
	// last and n are the latest send and the sends since Repeated.
	last time.Time
	n    uint64
}

// sender sends the repeating adverts of one socket from its own goroutine,
// started by the first Repeat and ended by close.
type sender struct {
	mu      sync.Mutex
	queue   repeatHeap
	wake    chan struct{} // buffered: a Repeat moved the earliest deadline
	done    chan struct{} // closed by close
	wg      sync.WaitGroup
	started bool
	closed  bool
}

// Repeat makes the socket send adv every interval from next on, until
// StopRepeat, in place of the caller. It replaces an earlier Repeat.
func (e *Endpoint) Repeat(adv vrrp.Advert, next time.Time, interval time.Duration) {
	s := &e.sock.send
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || interval <= 0 {
		return
	}
	r := e.rep
	if r == nil {
		r = &repeat{e: e, index: -1}
		e.rep = r
	}
	r.adv, r.next, r.interval = adv, next, interval
	if r.index < 0 {
		heap.Push(&s.queue, r)
	} else {
		heap.Fix(&s.queue, r.index)
	}
	if !s.started {
		s.started = true
		s.done = make(chan struct{})
		s.wake = make(chan struct{}, 1)
		s.wg.Add(1)
		go s.run() // Ends with close.
	}
	if s.queue[0] == r {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// StopRepeat stops the repeat: once it returns, the socket sends no more
// of the endpoint's adverts. It is harmless without a repeat.
func (e *Endpoint) StopRepeat() {
	s := &e.sock.send
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := e.rep; r != nil && r.index >= 0 {
		heap.Remove(&s.queue, r.index)
	}
}

// Repeated returns the time of the latest advert the socket sent for the
// endpoint and how many it sent since the previous call; ok is false when
// it sent none.
func (e *Endpoint) Repeated() (last time.Time, n uint64, ok bool) {
	s := &e.sock.send
	s.mu.Lock()
	defer s.mu.Unlock()
	r := e.rep
	if r == nil || r.n == 0 {
		return time.Time{}, 0, false
	}
	n, r.n = r.n, 0
	return r.last, n, true
}

// run sends the adverts as they fall due until close.
func (s *sender) run() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		wait := s.sendDue(time.Now())
		s.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-s.done:
			return
		case <-s.wake:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// sendDue sends every advert due by now+repeatSlack, schedules each one's
// next, and returns how long to wait for the next one. An advert late by
// more than its interval (the host was stalled) is rescheduled from now
// rather than sent several times over. s.mu is held.
func (s *sender) sendDue(now time.Time) time.Duration {
	for len(s.queue) > 0 {
		r := s.queue[0]
		if r.next.After(now.Add(repeatSlack)) {
			return r.next.Sub(now) - repeatSlack/2
		}
		if err := r.e.Send(r.adv); err == nil {
			r.last = now
			r.n++
			if c := r.e.sentCount.Load(); c != nil {
				c.Add(1)
			}
		}
		r.next = r.next.Add(r.interval)
		if r.next.Before(now) {
			r.next = now.Add(r.interval)
		}
		heap.Fix(&s.queue, 0)
	}
	return time.Hour
}

// close ends the goroutine and waits for it. Repeats started afterwards
// are ignored.
func (s *sender) close() {
	s.mu.Lock()
	s.closed = true
	started := s.started
	s.queue = nil
	s.mu.Unlock()
	if started {
		close(s.done)
		s.wg.Wait()
	}
}

// repeatHeap orders repeats by their next send.
type repeatHeap []*repeat

func (h repeatHeap) Len() int           { return len(h) }
func (h repeatHeap) Less(i, j int) bool { return h[i].next.Before(h[j].next) }
func (h repeatHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *repeatHeap) Push(x any) {
	r := x.(*repeat)
	r.index = len(*h)
	*h = append(*h, r)
}

func (h *repeatHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	old[len(old)-1] = nil
	r.index = -1
	*h = old[:len(old)-1]
	return r
}
