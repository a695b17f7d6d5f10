package main

import (
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/netnsrun"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
	"github.com/gokeepalived/gokeepalived/internal/smtpalert/smtptest"
)

// mailbox is an SMTP server listening inside a lab host's namespace.
type mailbox struct{ *smtptest.Mailbox }

// mail is one message a mailbox received.
type mail = smtptest.Mail

// startMailbox serves SMTP on addr (an address of h) from a listener
// opened inside h's namespace, until the test ends.
func startMailbox(t *testing.T, h *host, addr string) *mailbox {
	t.Helper()
	var ln net.Listener
	if err := netnsrun.Do(h.ns.Path(), func() error {
		var err error
		ln, err = net.Listen("tcp", addr)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return &mailbox{smtptest.Serve(t, ln)}
}

// waitSubject waits until client has sent a message whose subject ends
// with suffix.
func (mb *mailbox) waitSubject(t *testing.T, timeout time.Duration, client, suffix string) {
	t.Helper()
	nstest.WaitFor(t, timeout, 20*time.Millisecond, func() (bool, string) {
		var subjects []string
		for _, m := range mb.From(client) {
			s := header(m.Data, "Subject")
			if strings.HasSuffix(s, suffix) {
				return true, ""
			}
			subjects = append(subjects, s)
		}
		return false, fmt.Sprintf("%s sent no %q mail; subjects: %q", client, suffix, subjects)
	})
}

// header returns the value of a message's header name.
func header(data, name string) string {
	head, _, _ := strings.Cut(data, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+": "); ok {
			return v
		}
	}
	return ""
}

// smtpGlobals is a global_defs block sending alerts to the mailbox at mx.
func smtpGlobals(mx string, extra ...string) string {
	var b strings.Builder
	b.WriteString("global_defs {\n    notification_email {\n        ops@example.com\n        noc@example.org\n    }\n")
	fmt.Fprintf(&b, "    smtp_server %s\n", mx)
	for _, e := range extra {
		b.WriteString("    " + e + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// Lab addresses of the SMTP tests.
const (
	smtpA   = "192.0.2.1"
	smtpB   = "192.0.2.2"
	smtpMX  = "192.0.2.25"
	smtpVIP = "192.0.2.100/24"
)

// runSMTPFailover starts a (priority 150) then b (100), both mailing the
// mailbox on host mx, stops a so that b takes over, then stops b. a names
// itself (router_id, smtp_helo_name, notification_email_from) and sets
// smtp_alert in its instance; b sets the global smtp_alert_vrrp and takes
// the defaults, the host's name and the user. It returns the messages
// received, in order, with each daemon's output.
func runSMTPFailover(t *testing.T, kind daemonKind) (mails []mail, outA, outB string) {
	l := newLab(t)
	mx := l.host("mx", smtpMX+"/24")
	mb := startMailbox(t, mx, smtpMX+":25")
	a := l.host("a", smtpA+"/24")
	b := l.host("b", smtpB+"/24")
	a.start(kind, smtpGlobals(smtpMX, "router_id rtr-a", "smtp_helo_name a.example.com",
		"notification_email_from keepalived-a@example.com", "smtp_connect_timeout 5")+
		instanceConf(51, 150, smtpVIP, "advert_int 1", "smtp_alert"))
	waitMaster(t, 15*time.Second, smtpVIP, a)
	mb.waitSubject(t, 10*time.Second, smtpA, "Entering MASTER state")
	b.start(kind, smtpGlobals(smtpMX+" 25", "smtp_alert_vrrp")+instanceConf(51, 100, smtpVIP, "advert_int 1"))
	mb.waitSubject(t, 10*time.Second, smtpB, "Entering BACKUP state")
	a.stop(syscall.SIGTERM)
	waitMaster(t, 15*time.Second, smtpVIP, b, a)
	mb.waitSubject(t, 10*time.Second, smtpB, "Entering MASTER state")
	b.stop(syscall.SIGTERM)
	// What each daemon sent as it stopped has arrived before it exited,
	// or never will.
	return mb.Mails(), a.proc.Output(), b.proc.Output()
}

// normalMail is a message as the comparison sees it: the Date header,
// checked against keepalived's format, stands as DATE.
func normalMail(t *testing.T, m mail) string {
	t.Helper()
	date := header(m.Data, "Date")
	if _, err := time.Parse("Mon, 02 Jan 2006 15:04:05 -0700", date); err != nil {
		t.Errorf("Date header %q: %v", date, err)
	}
	data := strings.Replace(m.Data, "Date: "+date+"\r\n", "Date: DATE\r\n", 1)
	return fmt.Sprintf("HELO %s\nMAIL FROM:<%s>\nRCPT TO:%q\n%s", m.HELO, m.From, m.Rcpts, data)
}

// stopping reports whether m is a "Stopping" alert.
func stopping(m mail) bool { return strings.HasSuffix(header(m.Data, "Subject"), " - Stopping") }

// TestIntegrationSMTPAlertCompare: a failover under gokeepalived mails
// what it mails under Debian's keepalived 2.2.7, from each host and in the
// same order: the envelope, the headers (the Date in keepalived's format)
// and the body, with keepalived's defaults for the router ID, the HELO
// name and the sender on host b. keepalived 2.2.7 builds a "Stopping"
// alert at shutdown but exits before sending it (the server sees the
// connection reset); gokeepalived sends it, so those are required of
// gokeepalived only and compared if keepalived sent any.
func TestIntegrationSMTPAlertCompare(t *testing.T) {
	nstest.RequireBinaries(t, "keepalived")
	runs := map[daemonKind][]mail{}
	outs := map[string]string{}
	names := map[daemonKind]string{daemonKA: "keepalived", daemonGK: "gokeepalived"}
	for _, kind := range []daemonKind{daemonKA, daemonGK} {
		if !t.Run(names[kind], func(t *testing.T) {
			var outA, outB string
			runs[kind], outA, outB = runSMTPFailover(t, kind)
			outs[names[kind]] = outA + outB
		}) {
			t.FailNow()
		}
	}
	for _, client := range []string{smtpA, smtpB} {
		var ka, gk, kaStop, gkStop []string
		for _, m := range runs[daemonKA] {
			if m.Client == client {
				if stopping(m) {
					kaStop = append(kaStop, normalMail(t, m))
				} else {
					ka = append(ka, normalMail(t, m))
				}
			}
		}
		for _, m := range runs[daemonGK] {
			if m.Client == client {
				if stopping(m) {
					gkStop = append(gkStop, normalMail(t, m))
				} else {
					gk = append(gk, normalMail(t, m))
				}
			}
		}
		if len(ka) != 2 {
			t.Errorf("keepalived on %s sent %d transition alerts, want 2 (BACKUP, MASTER):\n%s", client, len(ka), strings.Join(ka, "\n"))
		}
		if !slices.Equal(gk, ka) {
			t.Errorf("alerts from %s under gokeepalived:\n%s\nunder keepalived:\n%s", client, strings.Join(gk, "\n--\n"), strings.Join(ka, "\n--\n"))
		}
		if len(gkStop) != 1 {
			t.Errorf("gokeepalived on %s sent %d Stopping alerts, want 1", client, len(gkStop))
		}
		if len(kaStop) > 0 && !slices.Equal(gkStop, kaStop) {
			t.Errorf("Stopping alert from %s under gokeepalived:\n%s\nunder keepalived:\n%s", client, strings.Join(gkStop, "\n"), strings.Join(kaStop, "\n"))
		}
		if len(gk) > 0 {
			t.Logf("%s's MASTER alert under gokeepalived:\n%s", client, gk[len(gk)-1])
		}
	}
	for _, line := range []string{"Remote SMTP server [" + smtpMX + "]:25 connected.", "SMTP alert successfully sent."} {
		for name, out := range outs {
			if !strings.Contains(out, line) {
				t.Errorf("%s logged no %q", name, line)
			}
		}
	}
}

// TestIntegrationSMTPAlertBlackhole: a mail server that never answers does
// not delay a failover. b's smtp_server is an address of the LAN that no
// host has (b's neighbour entry for it names a MAC nobody has, so its SYNs
// go unanswered); its BACKUP alert at start is still connecting, within
// the 30 s smtp_connect_timeout, when a's link goes down, and b takes over
// after the master-down interval while that connection is still pending.
func TestIntegrationSMTPAlertBlackhole(t *testing.T) {
	l := newLab(t)
	nstest.RequireBinaries(t, "ss")
	a := l.host("a", smtpA+"/24")
	b := l.host("b", smtpB+"/24")
	const blackhole = "192.0.2.99"
	if _, err := b.ns.IP(t.Context(), "neigh", "replace", blackhole, "lladdr", "02:00:5e:00:00:63", "dev", "eth0", "nud", "permanent"); err != nil {
		t.Fatal(err)
	}
	a.startGK(instanceConf(51, 150, smtpVIP, "advert_int 1"))
	waitMaster(t, 15*time.Second, smtpVIP, a)
	b.startGK(smtpGlobals(blackhole, "smtp_connect_timeout 30") + instanceConf(51, 100, smtpVIP, "advert_int 1", "smtp_alert"))
	b.proc.WaitOutput(t, 10*time.Second, "(VI_1) Entering BACKUP STATE")
	pending := func() (bool, string) {
		out, err := b.ns.Output(t.Context(), "ss", "-Htn", "state", "syn-sent", "dst", blackhole)
		if err != nil {
			return false, fmt.Sprintf("ss: %v: %s", err, out)
		}
		return strings.Contains(string(out), blackhole+":25"), "no connection to " + blackhole + ":25 being opened: " + string(out)
	}
	nstest.WaitFor(t, 10*time.Second, 10*time.Millisecond, pending)
	cut := time.Now()
	l.lan.SetUp(a.port, false)
	waitVIP(t, 20*time.Second, smtpVIP, b)
	took := time.Since(cut)
	if ok, desc := pending(); !ok {
		t.Errorf("b took over after the SMTP connection ended: %s", desc)
	}
	if out := b.proc.Output(); strings.Contains(out, "Timeout opening connection") {
		t.Errorf("the SMTP connection timed out before the takeover:\n%s", out)
	}
	// Master_Down_Interval: 3 * 1 s + (256-100)/256 s (RFC 5798 §6.1).
	t.Logf("b took over %v after a's link went down (master down interval 3.61 s), its SMTP connection still pending",
		took.Round(time.Millisecond))
	b.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering MASTER STATE")
	b.stop(syscall.SIGTERM)
	if out := b.proc.Output(); !strings.Contains(out, "SMTP alert to ["+blackhole+"]:25 abandoned at shutdown") {
		t.Errorf("b did not abandon its pending alert at shutdown:\n%s", out)
	}
}
