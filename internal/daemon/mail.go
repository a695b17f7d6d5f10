package daemon

import "github.com/gokeepalived/gokeepalived/internal/config"

// Mailer sends keepalived's email alerts (smtp_alert): kind INSTANCE or
// GROUP, the name and the state word (MASTER, BACKUP, FAULT, STOP, or
// DELETED) of a transition of an instance or sync group with smtp_alert
// on, under the global settings g (notification_email, smtp_server, ...).
// Implementations must be safe for concurrent use and must not block: a
// transition never waits for a mail server.
type Mailer interface {
	Alert(g *config.Global, kind, name, state string)
}

// mailAlert mails the instance's transition to state, with smtp_alert
// on (keepalived's vrrp_smtp_notifier, after the notifies).
func (in *instance) mailAlert(state string) {
	if in.wire.mail != nil && in.cfg.SMTPAlert {
		in.wire.mail.Alert(in.global, "INSTANCE", in.cfg.Name, state)
	}
}

// mailAlert mails the group's transition to state, with smtp_alert on
// (keepalived's vrrp_sync_smtp_notifier, after the group's notifies).
func (g *syncGroup) mailAlert(state string) {
	if g.mail != nil && g.cfg.SMTPAlert {
		g.mail.Alert(g.global, "GROUP", g.cfg.Name, state)
	}
}
