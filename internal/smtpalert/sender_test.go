package smtpalert

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/leakcheck"
	"github.com/gokeepalived/gokeepalived/internal/logging/logtest"
	"github.com/gokeepalived/gokeepalived/internal/smtpalert/smtptest"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// mailbox is an SMTP server on loopback keeping what it is given.
type mailbox struct {
	*smtptest.Mailbox
	addr netip.AddrPort
}

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &mailbox{Mailbox: smtptest.Serve(t, ln), addr: ln.Addr().(*net.TCPAddr).AddrPort()}
}

// fixedNow is the Date the tests' senders write: keepalived's example,
// in a zone an hour east of UTC.
func fixedNow() time.Time {
	return time.Date(2021, 3, 1, 9, 44, 8, 0, time.FixedZone("CET", 3600))
}

func global(server netip.AddrPort) *config.Global {
	return &config.Global{
		NotificationEmail: []string{"ops@example.com", "noc@example.org"},
		SMTPAddr:          server, SMTPConnectTimeout: 5 * time.Second,
	}
}

// TestAlertMessage: an instance's takeover is one message, with
// keepalived's envelope, headers and body, and its defaults for the router
// ID, the HELO name and the sender (src core/smtp.c, core/global_data.c).
func TestAlertMessage(t *testing.T) {
	mb := startMailbox(t)
	s := New(Options{Now: fixedNow, Host: "lb1.example.net", User: "root"})
	s.Alert(global(mb.addr), KindInstance, "VI_1", "MASTER")
	s.Close(10 * time.Second)
	got := mb.Mails()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1: %q", len(got), got)
	}
	m := got[0]
	if m.HELO != "lb1.example.net" || m.From != "root@lb1.example.net" || !slices.Equal(m.Rcpts, []string{"ops@example.com", "noc@example.org"}) {
		t.Errorf("HELO %q, MAIL FROM %q, RCPT TO %q", m.HELO, m.From, m.Rcpts)
	}
	want := "Date: Mon, 01 Mar 2021 09:44:08 +0100\r\n" +
		"From: root@lb1.example.net\r\n" +
		"Subject: [lb1.example.net] VRRP Instance VI_1 - Entering MASTER state\r\n" +
		"X-Mailer: Keepalived\r\n" +
		"To: ops@example.com, noc@example.org\r\n" +
		"\r\n" +
		"=> VRRP Instance is now owning VRRP VIPs <=\r\n" +
		"\r\n"
	if m.Data != want {
		t.Errorf("data:\n%q\nwant:\n%q", m.Data, want)
	}
}

// TestAlertConfigured: router_id, smtp_helo_name and
// notification_email_from replace the defaults; a sync group's message
// names the group.
func TestAlertConfigured(t *testing.T) {
	mb := startMailbox(t)
	g := global(mb.addr)
	g.RouterID, g.SMTPHeloName, g.NotificationEmailFrom = "rtr-a", "a.example.com", "keepalived@example.com"
	s := New(Options{Now: fixedNow, Host: "unused", User: "unused"})
	s.Alert(g, KindGroup, "G1", "FAULT")
	s.Close(10 * time.Second)
	got := mb.Mails()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	m := got[0]
	if m.HELO != "a.example.com" || m.From != "keepalived@example.com" {
		t.Errorf("HELO %q, MAIL FROM %q", m.HELO, m.From)
	}
	for _, want := range []string{
		"From: keepalived@example.com\r\n",
		"Subject: [rtr-a] VRRP Group G1 - Entering FAULT state\r\n",
		"\r\n\r\n=> All VRRP group instances are now in FAULT state <=\r\n\r\n",
	} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("data %q lacks %q", m.Data, want)
		}
	}
}

// TestText: keepalived's subjects and bodies (src vrrp/vrrp_notify.c).
func TestText(t *testing.T) {
	for _, c := range []struct {
		kind, state, subject, body string
	}{
		{KindInstance, "MASTER", "VRRP Instance VI_1 - Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <="},
		{KindInstance, "BACKUP", "VRRP Instance VI_1 - Entering BACKUP state", "=> VRRP Instance is no longer owning VRRP VIPs <="},
		{KindInstance, "FAULT", "VRRP Instance VI_1 - Entering FAULT state", "=> VRRP Instance is no longer owning VRRP VIPs <="},
		{KindInstance, "STOP", "VRRP Instance VI_1 - Stopping", "=> VRRP Instance stopping <="},
		{KindInstance, "DELETED", "VRRP Instance VI_1 - Deleted", "=> VRRP Deleted at reload <="},
		{KindInstance, "INIT", "", ""},
		{KindInstance, "MASTER_RX_LOWER_PRI", "", ""},
		{KindGroup, "MASTER", "VRRP Group VI_1 - Entering MASTER state", "=> All VRRP group instances are now in MASTER state <="},
		{KindGroup, "BACKUP", "VRRP Group VI_1 - Entering BACKUP state", "=> All VRRP group instances are now in BACKUP state <="},
		{KindGroup, "FAULT", "VRRP Group VI_1 - Entering FAULT state", "=> All VRRP group instances are now in FAULT state <="},
		{KindGroup, "STOP", "VRRP Group VI_1 - Stopping", "=> All VRRP group instances are now stopping <="},
		{KindGroup, "DELETED", "", ""},
	} {
		subject, body, ok := Text(c.kind, "VI_1", c.state)
		if subject != c.subject || body != c.body || ok != (c.subject != "") {
			t.Errorf("Text(%s, %s) = %q, %q, %v; want %q, %q", c.kind, c.state, subject, body, ok, c.subject, c.body)
		}
	}
}

// TestAlertRules: keepalived mails a state once however often it is
// entered in a row (last_email_state), skips FAULT with no_email_faults
// (and then what follows FAULT if it is the state mailed before it), and
// sends nothing without notification_email or smtp_server.
func TestAlertRules(t *testing.T) {
	mb := startMailbox(t)
	g := global(mb.addr)
	g.NoEmailFaults = true
	s := New(Options{Now: fixedNow, Host: "h", User: "u"})
	for _, st := range []string{"BACKUP", "BACKUP", "FAULT", "BACKUP", "MASTER", "FAULT", "BACKUP", "STOP"} {
		s.Alert(g, KindInstance, "VI_1", st)
	}
	s.Alert(&config.Global{SMTPAddr: mb.addr}, KindInstance, "VI_2", "MASTER")
	s.Alert(&config.Global{NotificationEmail: []string{"ops@example.com"}}, KindInstance, "VI_3", "MASTER")
	s.Close(10 * time.Second)
	var subjects []string
	for _, m := range mb.Mails() {
		subjects = append(subjects, header(m.Data, "Subject"))
	}
	want := []string{
		"[h] VRRP Instance VI_1 - Entering BACKUP state",
		"[h] VRRP Instance VI_1 - Entering MASTER state",
		"[h] VRRP Instance VI_1 - Entering BACKUP state",
		"[h] VRRP Instance VI_1 - Stopping",
	}
	if !slices.Equal(subjects, want) {
		t.Errorf("subjects:\n%s\nwant:\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
}

func header(data, name string) string {
	head, _, _ := strings.Cut(data, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+": "); ok {
			return v
		}
	}
	return ""
}

// TestQueueFull: Send does not wait for a server that does not answer;
// once the queue is full an alert is dropped with a log line; Close
// abandons what is left after its grace.
func TestQueueFull(t *testing.T) {
	rec := &logtest.Recorder{}
	dialing := make(chan struct{}, 1)
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		dialing <- struct{}{}
		<-ctx.Done() // a blackholed server
		return nil, ctx.Err()
	}
	s := New(Options{Log: slog.New(rec), Queue: 2, Dial: dial, Host: "h", User: "u"})
	m := Message{Server: netip.MustParseAddrPort("192.0.2.25:25"), Timeout: time.Hour, To: []string{"ops@example.com"}}
	for i, subject := range []string{"first", "second", "third", "fourth"} {
		m.Subject = subject
		if got, want := s.Send(m), i < 3; got != want {
			t.Errorf("Send(%s) = %v, want %v", subject, got, want)
		}
		if i == 0 {
			<-dialing // the goroutine holds the first one
		}
	}
	if !rec.Has(`SMTP alert queue full (2 waiting) - dropping alert "fourth"`) {
		t.Errorf("no drop line in %q", rec.Lines())
	}
	s.Close(0)
	for _, want := range []string{"SMTP alert to [192.0.2.25]:25 abandoned at shutdown", "2 SMTP alert(s) not sent at shutdown"} {
		if !rec.Has(want) {
			t.Errorf("no %q in %q", want, rec.Lines())
		}
	}
	if s.Send(m) {
		t.Error("Send after Close queued")
	}
}

// TestConnectTimeout: a server that does not answer the connection is
// given smtp_connect_timeout, then keepalived's line is logged and the
// next alert is sent.
func TestConnectTimeout(t *testing.T) {
	rec := &logtest.Recorder{}
	blackhole := netip.MustParseAddrPort("192.0.2.25:25")
	mb := startMailbox(t)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == blackhole.String() {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	s := New(Options{Log: slog.New(rec), Dial: dial, Host: "h", User: "u"})
	g := global(blackhole)
	g.SMTPConnectTimeout = 50 * time.Millisecond
	s.Alert(g, KindInstance, "VI_1", "BACKUP")
	s.Alert(global(mb.addr), KindInstance, "VI_1", "MASTER")
	s.Close(10 * time.Second)
	if !rec.Has("Timeout opening connection to remote SMTP server [192.0.2.25]:25.") {
		t.Errorf("no timeout line in %q", rec.Lines())
	}
	if got := mb.Mails(); len(got) != 1 || !strings.Contains(got[0].Data, "Entering MASTER state") {
		t.Errorf("messages after the timeout: %q", got)
	}
}

// TestConnectRefused: keepalived's line for a connection that fails.
func TestConnectRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()
	rec := &logtest.Recorder{}
	s := New(Options{Log: slog.New(rec), Host: "h", User: "u"})
	s.Alert(global(addr), KindInstance, "VI_1", "MASTER")
	s.Close(10 * time.Second)
	if want := "SMTP connection ERROR to [" + addr.Addr().String() + "]:" + itoa(addr.Port()) + "."; !rec.Has(want) {
		t.Errorf("no %q in %q", want, rec.Lines())
	}
}

func itoa(p uint16) string { return strconv.Itoa(int(p)) }

// scripted is an SMTP server on loopback for one connection, answering
// each line the client sends with answer's reply ("" for none, "close" to
// close the connection), and keeping the lines.
type scripted struct {
	addr  netip.AddrPort
	mu    sync.Mutex
	lines []string
	done  chan struct{}
}

func startScripted(t *testing.T, greeting string, answer func(line string) string) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sc := &scripted{addr: ln.Addr().(*net.TCPAddr).AddrPort(), done: make(chan struct{})}
	go func() { // Ends when the client closes its connection.
		defer close(sc.done)
		defer ln.Close()
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if greeting != "" {
			io.WriteString(c, greeting+"\r\n")
		}
		r := bufio.NewReader(c)
		inData := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\r\n")
			sc.mu.Lock()
			sc.lines = append(sc.lines, line)
			sc.mu.Unlock()
			if inData && line != "." {
				continue
			}
			inData = false
			reply := answer(line)
			switch {
			case reply == "close":
				return
			case reply != "":
				io.WriteString(c, reply+"\r\n")
			}
			inData = strings.HasPrefix(reply, "354")
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return sc
}

// transcript waits for the connection to end and returns the lines.
func (sc *scripted) transcript(t *testing.T) []string {
	t.Helper()
	select {
	case <-sc.done:
	case <-time.After(20 * time.Second): // a bound on a hung test, not a wait for a condition
		t.Fatal("the client did not close its connection")
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return slices.Clone(sc.lines)
}

// standard answers as a server accepting everything.
func standard(line string) string {
	switch {
	case strings.HasPrefix(line, "DATA"):
		return "354 go ahead"
	case line == "QUIT":
		return "221 bye"
	}
	return "250 ok"
}

// TestDialogue: keepalived's commands, in its order, with a multi-line
// greeting (the last line's code counts), and the message dot-terminated.
func TestDialogue(t *testing.T) {
	sc := startScripted(t, "220-mx.example.net\r\n220 ready", standard)
	rec := &logtest.Recorder{}
	s := New(Options{Log: slog.New(rec), Now: fixedNow, Host: "h", User: "u"})
	s.Alert(global(sc.addr), KindInstance, "VI_1", "BACKUP")
	got := sc.transcript(t)
	s.Close(10 * time.Second)
	want := []string{
		"HELO h",
		"MAIL FROM:<u@h>",
		"RCPT TO:<ops@example.com>",
		"RCPT TO:<noc@example.org>",
		"DATA",
		"Date: Mon, 01 Mar 2021 09:44:08 +0100",
		"From: u@h",
		"Subject: [h] VRRP Instance VI_1 - Entering BACKUP state",
		"X-Mailer: Keepalived",
		"To: ops@example.com, noc@example.org",
		"",
		"=> VRRP Instance is no longer owning VRRP VIPs <=",
		"",
		".",
		"QUIT",
	}
	if !slices.Equal(got, want) {
		t.Errorf("dialogue:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	server := "[" + sc.addr.Addr().String() + "]:" + itoa(sc.addr.Port())
	for _, l := range []string{"Remote SMTP server " + server + " connected.", "SMTP alert successfully sent."} {
		if !rec.Has(l) {
			t.Errorf("no %q in %q", l, rec.Lines())
		}
	}
}

// TestDialogueErrors: a reply with another code than expected, or none in
// time, ends the dialogue with QUIT and keepalived's line; a server that
// closes the connection is left.
func TestDialogueErrors(t *testing.T) {
	for _, c := range []struct {
		name     string
		greeting string
		answer   func(string) string
		want     []string // the lines the server gets
		log      string   // keepalived's line, with SERVER for the server
	}{
		{
			name: "rcpt rejected", greeting: "220 ready",
			answer: func(l string) string {
				if strings.HasPrefix(l, "RCPT TO:<noc@") {
					return "550 no such user"
				}
				return standard(l)
			},
			want: []string{"HELO h", "MAIL FROM:<u@h>", "RCPT TO:<ops@example.com>", "RCPT TO:<noc@example.org>", "QUIT"},
			log:  "Error processing RCPT cmd on SMTP server SERVER. SMTP status code = 550",
		},
		{
			name: "greeting refused", greeting: "554 go away", answer: standard,
			want: []string{"QUIT"},
			log:  "Error processing (E)SMTP cmd on SMTP server SERVER. SMTP status code = 554",
		},
		{
			name: "no greeting", answer: standard,
			want: []string{"QUIT"},
			log:  "Timeout reading data to remote SMTP server SERVER.",
		},
		{
			name: "closed after HELO", greeting: "220 ready",
			answer: func(l string) string {
				if strings.HasPrefix(l, "HELO") {
					return "close"
				}
				return standard(l)
			},
			want: []string{"HELO h"},
			log:  "Remote SMTP server SERVER has closed the connection.",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := startScripted(t, c.greeting, c.answer)
			rec := &logtest.Recorder{}
			s := New(Options{Log: slog.New(rec), Now: fixedNow, Host: "h", User: "u"})
			g := global(sc.addr)
			g.SMTPConnectTimeout = 200 * time.Millisecond
			s.Alert(g, KindInstance, "VI_1", "MASTER")
			got := sc.transcript(t)
			s.Close(10 * time.Second)
			if !slices.Equal(got, c.want) {
				t.Errorf("dialogue %q, want %q", got, c.want)
			}
			server := "[" + sc.addr.Addr().String() + "]:" + itoa(sc.addr.Port())
			if want := strings.ReplaceAll(c.log, "SERVER", server); !rec.Has(want) {
				t.Errorf("no %q in %q", want, rec.Lines())
			}
		})
	}
}
