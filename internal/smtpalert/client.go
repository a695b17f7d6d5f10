package smtpalert

import (
	"context"
	"errors"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"time"
)

// step is one exchange of keepalived's SMTP dialogue: a command (none for
// the greeting) and the reply code it expects. name is keepalived's name
// of the step in its log lines.
type step struct {
	name string
	cmd  string
	code int
}

// deliver holds keepalived's SMTP dialogue with m's server: the greeting
// (220), HELO (250), MAIL FROM (250), RCPT TO for each address (250), DATA
// (354), the message (250), QUIT (221). Each connection attempt and each
// reply is given m.Timeout. A reply with another code ends the dialogue
// with QUIT, as does a reply that does not come in time. It logs
// keepalived's lines; the ones of success are details (-D).
func (s *Sender) deliver(ctx context.Context, m Message) {
	server := m.server()
	dctx, cancel := context.WithTimeout(ctx, m.Timeout)
	c, err := s.dial(dctx, "tcp", m.Server.String())
	timedOut := dctx.Err() != nil
	cancel()
	switch {
	case err == nil:
	case ctx.Err() != nil:
		s.log.Info("SMTP alert to "+server+" abandoned at shutdown", "subject", m.Subject)
		return
	case timedOut || isTimeout(err):
		s.log.Info("Timeout opening connection to remote SMTP server "+server+".", "subject", m.Subject)
		return
	default:
		s.log.Info("SMTP connection ERROR to "+server+".", "subject", m.Subject, "err", err.Error())
		return
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	s.log.Debug("Remote SMTP server " + server + " connected.")
	d := &dialogue{ctx: ctx, s: s, conn: c, tp: textproto.NewConn(c), m: &m, server: server}
	steps := []step{{name: "(E)SMTP", code: 220}, {"HELO", "HELO " + m.Helo, 250}, {"MAIL", "MAIL FROM:<" + m.From + ">", 250}}
	for _, to := range m.To {
		steps = append(steps, step{"RCPT", "RCPT TO:<" + to + ">", 250})
	}
	steps = append(steps, step{name: "DATA", cmd: "DATA", code: 354}, step{name: "BODY", code: 250})
	for _, st := range steps {
		if !d.exchange(st) {
			return
		}
		if st.name == "BODY" {
			s.log.Debug("SMTP alert successfully sent.")
		}
	}
	d.quit()
}

// dialogue is one connection's exchanges.
type dialogue struct {
	ctx    context.Context // ends the dialogue at Close
	s      *Sender
	conn   net.Conn
	tp     *textproto.Conn
	m      *Message
	server string
}

// exchange sends st's command (the message itself for BODY) and reads the
// reply. It reports whether the dialogue goes on; when it does not, it has
// logged why and sent QUIT if the connection still serves.
func (d *dialogue) exchange(st step) bool {
	d.conn.SetDeadline(time.Now().Add(d.m.Timeout))
	err := d.send(st)
	if err == nil {
		ok, alive := d.reply(st)
		if !ok && alive && st.name != "QUIT" && d.ctx.Err() == nil {
			d.quit()
		}
		return ok
	}
	if d.ctx.Err() != nil {
		d.abandoned()
	} else {
		d.s.log.Info("Cannot send data to remote SMTP server "+d.server+".", "err", err.Error())
	}
	return false
}

func (d *dialogue) abandoned() {
	d.s.log.Info("SMTP alert to "+d.server+" abandoned at shutdown", "subject", d.m.Subject)
}

func (d *dialogue) send(st step) error {
	switch {
	case st.name == "BODY":
		w := d.tp.DotWriter()
		if _, err := io.WriteString(w, d.m.data(d.s.now())); err != nil {
			return err
		}
		return w.Close()
	case st.cmd != "":
		return d.tp.PrintfLine("%s", st.cmd)
	}
	return nil
}

// reply reads the reply to st and reports whether it is the one expected,
// logging keepalived's line when it is not, and whether the connection
// still serves (the server has not closed it).
func (d *dialogue) reply(st step) (ok, alive bool) {
	_, _, err := d.tp.ReadResponse(st.code)
	var te *textproto.Error
	switch {
	case err == nil:
		return true, true
	case d.ctx.Err() != nil:
		d.abandoned()
		return false, false
	case errors.As(err, &te):
		d.s.log.Info("Error processing " + st.name + " cmd on SMTP server " + d.server + ". SMTP status code = " + strconv.Itoa(te.Code))
	case isTimeout(err):
		d.s.log.Info("Timeout reading data to remote SMTP server " + d.server + ".")
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		d.s.log.Info("Remote SMTP server " + d.server + " has closed the connection.")
		return false, false
	default:
		d.s.log.Info("Error reading data from remote SMTP server "+d.server+".", "err", err.Error())
	}
	return false, true
}

// quit ends the dialogue: QUIT, and its reply (221) waited for.
func (d *dialogue) quit() {
	d.exchange(step{name: "QUIT", cmd: "QUIT", code: 221})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
