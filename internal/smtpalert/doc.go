// Package smtpalert sends keepalived's email alerts (global_defs
// notification_email, notification_email_from, smtp_server,
// smtp_helo_name, smtp_connect_timeout; smtp_alert and smtp_alert_vrrp):
// one message per state transition of a vrrp_instance or a
// vrrp_sync_group, with keepalived 2.2.7's subject, headers and body, over
// the SMTP dialogue keepalived holds (HELO, MAIL FROM, one RCPT TO per
// address, DATA, QUIT; src core/smtp.c).
//
// A Sender takes alerts without blocking and sends them one at a time from
// a goroutine and a bounded queue of its own, so a slow or dead mail
// server never delays an advert or a transition; an alert that finds the
// queue full is dropped with a log line.
package smtpalert
