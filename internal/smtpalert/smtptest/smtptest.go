// Package smtptest is an SMTP server for tests: emersion/go-smtp keeping
// every message it is given, for checking what gokeepalived's alerts send.
package smtptest

import (
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message a Mailbox received: the client's address, its HELO
// name, the envelope and the DATA as sent.
type Mail struct {
	Client string
	HELO   string
	From   string
	Rcpts  []string
	Data   string
}

// Mailbox is an SMTP server keeping every message it is given. Its methods
// are safe for concurrent use.
type Mailbox struct {
	mu    sync.Mutex
	mails []Mail
}

// Serve serves SMTP on ln until the test ends, logging the server's errors
// to the test.
func Serve(t testing.TB, ln net.Listener) *Mailbox {
	t.Helper()
	mb := &Mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		m := Mail{HELO: c.Hostname()}
		if a, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
			m.Client = a.IP.String()
		}
		return &session{mb: mb, m: m}, nil
	}))
	srv.Domain = "mx.example.net"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.ErrorLog = testLogger{t}
	done := make(chan struct{})
	go func() { // Ends when Close closes the listener.
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return mb
}

// Mails returns the messages received so far, in order.
func (mb *Mailbox) Mails() []Mail {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return slices.Clone(mb.mails)
}

// From returns the messages client sent, in order.
func (mb *Mailbox) From(client string) []Mail {
	var out []Mail
	for _, m := range mb.Mails() {
		if m.Client == client {
			out = append(out, m)
		}
	}
	return out
}

type session struct {
	mb *Mailbox
	m  Mail
}

func (s *session) Reset()        { s.m.From, s.m.Rcpts = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.m.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.m.Rcpts = append(s.m.Rcpts, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.m
	m.Data = string(b)
	s.mb.mu.Lock()
	s.mb.mails = append(s.mb.mails, m)
	s.mb.mu.Unlock()
	return nil
}

// testLogger sends go-smtp's error log to the test's.
type testLogger struct{ t testing.TB }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf("smtp server: "+format, v...) }
func (l testLogger) Println(v ...any)               { l.t.Log(append([]any{"smtp server:"}, v...)...) }
