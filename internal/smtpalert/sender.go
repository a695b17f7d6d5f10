package smtpalert

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// DefaultQueue is how many alerts may wait behind the one being sent
// before further ones are dropped.
const DefaultQueue = 32

// defaultTimeout is smtp_connect_timeout's default (src
// include/global_data.h, DEFAULT_SMTP_CONNECTION_TIMEOUT).
const defaultTimeout = 30 * time.Second

// Options configure a Sender. The zero value is usable.
type Options struct {
	Log *slog.Logger // nil discards
	// Queue is how many alerts may wait; 0 means DefaultQueue.
	Queue int
	// Now gives the Date header's time; nil means time.Now.
	Now func() time.Time
	// Dial opens the connection to the server; nil means a net.Dialer's.
	// The context's deadline is the connect timeout.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Host is the host's name for the defaults of router_id,
	// smtp_helo_name and notification_email_from; "" means the
	// canonical name of the system's host name, looked up when the first
	// message needing it is sent.
	Host string
	// User is the user of notification_email_from's default, user@host;
	// "" means the user the process runs as.
	User string
}

// Sender sends alerts one at a time, in the order they were raised, from a
// goroutine and a bounded queue of its own. Alert and Send never block;
// Close ends the goroutine. It is safe for concurrent use.
type Sender struct {
	log  *slog.Logger
	now  func() time.Time
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// Owned by the goroutine.
	host, user string

	mu     sync.Mutex
	closed bool
	queue  chan Message
	// last is the state each instance or group was last mailed for
	// (keepalived's last_email_state), by kind and name.
	last map[string]string

	ctx    context.Context // ends the message being sent at Close
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a Sender whose goroutine runs until Close.
func New(o Options) *Sender {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Dial == nil {
		o.Dial = (&net.Dialer{}).DialContext
	}
	s := &Sender{
		log: o.Log, now: o.Now, dial: o.Dial, host: o.Host, user: o.User,
		queue: make(chan Message, o.Queue), last: map[string]string{}, done: make(chan struct{}),
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	go s.run() // Ends when Close closes the queue.
	return s
}

// Alert raises keepalived's alert for an instance (KindInstance) or a sync
// group (KindGroup) named name entering state, under the global settings
// g, as keepalived's vrrp_smtp_notifier does for one with smtp_alert on:
// nothing for FAULT with no_email_faults, nothing for the state last
// mailed for (so a FAULT not mailed and left for the state before it sends
// nothing), and nothing unless notification_email and smtp_server are set.
func (s *Sender) Alert(g *config.Global, kind, name, state string) {
	subject, body, ok := Text(kind, name, state)
	if !ok || (g.NoEmailFaults && state == "FAULT") {
		return
	}
	key := kind + " " + name
	s.mu.Lock()
	if s.last[key] == state {
		s.mu.Unlock()
		return
	}
	if state == "STOP" || state == "DELETED" {
		delete(s.last, key) // the instance or group is gone
	} else {
		s.last[key] = state
	}
	s.mu.Unlock()
	if len(g.NotificationEmail) == 0 || !g.SMTPAddr.IsValid() {
		return
	}
	s.Send(Message{
		Server: g.SMTPAddr, Timeout: g.SMTPConnectTimeout, Helo: g.SMTPHeloName,
		From: g.NotificationEmailFrom, To: g.NotificationEmail, RouterID: g.RouterID,
		Subject: subject, Body: body,
	})
}

// Send queues m and reports whether it did: a message that finds the queue
// full, or the Sender closed, is dropped with a log line.
func (s *Sender) Send(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		select {
		case s.queue <- m:
			return true
		default:
		}
	}
	s.log.Warn(fmt.Sprintf("SMTP alert queue full (%d waiting) - dropping alert %q", len(s.queue), m.Subject))
	return false
}

// Close lets the queued alerts be sent for at most grace, abandons what is
// left then, and waits for the goroutine to end. A second Close waits for
// the first.
func (s *Sender) Close(grace time.Duration) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		<-s.done
		return
	}
	s.closed = true
	close(s.queue)
	s.mu.Unlock()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-s.done:
	case <-timer.C:
		s.cancel()
		<-s.done
	}
	s.cancel()
}

// run sends the queued messages until the queue is closed.
func (s *Sender) run() {
	defer close(s.done)
	abandoned := 0
	for m := range s.queue {
		if s.ctx.Err() != nil {
			abandoned++
			continue
		}
		s.fill(&m)
		s.deliver(s.ctx, m)
	}
	if abandoned > 0 {
		s.log.Info(fmt.Sprintf("%d SMTP alert(s) not sent at shutdown", abandoned))
	}
}

// fill gives m keepalived's defaults: the host's name for router_id and
// smtp_helo_name, user@host for notification_email_from, 30 s for
// smtp_connect_timeout.
func (s *Sender) fill(m *Message) {
	if m.Timeout <= 0 {
		m.Timeout = defaultTimeout
	}
	if m.RouterID == "" || m.Helo == "" || m.From == "" {
		if s.host == "" {
			s.host = localName(s.ctx)
		}
		m.RouterID = cmpOr(m.RouterID, s.host)
		m.Helo = cmpOr(m.Helo, s.host)
	}
	if m.From == "" {
		if s.user == "" {
			s.user = userName()
		}
		m.From = s.user + "@" + s.host
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// localName is keepalived's local name: the canonical name of the host's
// name (getaddrinfo's AI_CANONNAME), or the host's name if that cannot be
// looked up.
func localName(ctx context.Context) string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "[unknown]"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if c, err := net.DefaultResolver.LookupCNAME(ctx, h); err == nil && c != "" && c != "." {
		return strings.TrimSuffix(c, ".")
	}
	return h
}

// userName is the name of the user the process runs as.
func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprint(os.Getuid())
}
