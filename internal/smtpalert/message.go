package smtpalert

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// The kinds of alert, as the daemon names them in its notifies.
const (
	KindInstance = "INSTANCE"
	KindGroup    = "GROUP"
)

// keepalived's buffers: a subject of at most 255 bytes, a body of 511, a
// To header of 1023 (src include/smtp.h, core/smtp.c).
const (
	maxSubject = 255
	maxBody    = 511
	maxTo      = 1023
)

// dateLayout is the Date header's format, keepalived's strftime
// "%a, %d %b %Y %H:%M:%S %z" in local time.
const dateLayout = "Mon, 02 Jan 2006 15:04:05 -0700"

// mailer is the X-Mailer header's value: keepalived's, so that filters
// written for keepalived's alerts keep matching.
const mailer = "Keepalived"

// Message is one alert with the settings of the configuration it was
// raised under. Empty Helo, From and RouterID are filled from the host's
// name (and user) when the message is sent, as keepalived does.
type Message struct {
	Server   netip.AddrPort
	Timeout  time.Duration // for the connection and for each reply
	Helo     string
	From     string
	To       []string
	RouterID string
	// Subject is the subject without the "[router_id] " keepalived puts
	// in front of it.
	Subject string
	Body    string
}

// Text returns keepalived's subject (without the router ID) and body for
// an instance (KindInstance) or a sync group (KindGroup) named name
// entering state (MASTER, BACKUP, FAULT, STOP, or DELETED for an
// instance); ok is false for a state keepalived sends no mail for (src
// vrrp/vrrp_notify.c, vrrp_smtp_notifier and vrrp_sync_smtp_notifier).
func Text(kind, name, state string) (subject, body string, ok bool) {
	var headline string
	switch kind {
	case KindInstance:
		headline, body, ok = instanceText(state)
		subject = "VRRP Instance " + name + " - " + headline
	case KindGroup:
		headline, body, ok = groupText(state)
		subject = "VRRP Group " + name + " - " + headline
	}
	if !ok {
		return "", "", false
	}
	return subject, body, true
}

func instanceText(state string) (headline, body string, ok bool) {
	switch state {
	case "MASTER":
		return "Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <=", true
	case "BACKUP":
		return "Entering BACKUP state", "=> VRRP Instance is no longer owning VRRP VIPs <=", true
	case "FAULT":
		return "Entering FAULT state", "=> VRRP Instance is no longer owning VRRP VIPs <=", true
	case "STOP":
		return "Stopping", "=> VRRP Instance stopping <=", true
	case "DELETED":
		return "Deleted", "=> VRRP Deleted at reload <=", true
	}
	return "", "", false
}

func groupText(state string) (headline, body string, ok bool) {
	switch state {
	case "MASTER", "BACKUP", "FAULT":
		return "Entering " + state + " state", "=> All VRRP group instances are now in " + state + " state <=", true
	case "STOP":
		return "Stopping", "=> All VRRP group instances are now stopping <=", true
	}
	return "", "", false
}

// server is the server's address as keepalived's log lines write it,
// [address]:port.
func (m *Message) server() string {
	return fmt.Sprintf("[%s]:%d", m.Server.Addr(), m.Server.Port())
}

// fullSubject is the Subject header: "[router_id] " and the subject, cut
// to keepalived's length.
func (m *Message) fullSubject() string {
	return truncate("["+m.RouterID+"] "+m.Subject, maxSubject)
}

// data is the message keepalived sends after DATA, before the final
// ".": its headers, a blank line, the body, and an empty line.
func (m *Message) data(date time.Time) string {
	var b strings.Builder
	b.WriteString("Date: " + date.Format(dateLayout) + "\r\n")
	b.WriteString("From: " + m.From + "\r\n")
	b.WriteString("Subject: " + m.fullSubject() + "\r\n")
	b.WriteString("X-Mailer: " + mailer + "\r\n")
	b.WriteString("To: " + toHeader(m.To) + "\r\n")
	b.WriteString("\r\n")
	b.WriteString(truncate(m.Body, maxBody) + "\r\n")
	b.WriteString("\r\n")
	return b.String()
}

// toHeader is the To header's value: the addresses, comma separated, as
// many as fit keepalived's buffer.
func toHeader(to []string) string {
	var b strings.Builder
	for i, a := range to {
		sep := ""
		if i > 0 {
			sep = ", "
		}
		if b.Len()+len(sep)+len(a) > maxTo {
			break
		}
		b.WriteString(sep + a)
	}
	return b.String()
}

// truncate cuts s to at most n bytes, at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
