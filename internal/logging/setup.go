package logging

import (
	"fmt"
	"io"
	"log/slog"
)

// Format is how console and log-file lines are written (--log-format).
// Syslog always gets keepalived's text.
type Format int

const (
	// FormatKeepalived is keepalived's own line, "ctime: message".
	FormatKeepalived Format = iota
	// FormatJSON is one JSON object per record, with its attributes.
	FormatJSON
)

// ParseFormat reads a --log-format value: "keepalived" or "json".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "keepalived":
		return FormatKeepalived, nil
	case "json":
		return FormatJSON, nil
	}
	return 0, fmt.Errorf("unknown log format %q (want keepalived or json)", s)
}

// String returns the --log-format word for f.
func (f Format) String() string {
	if f == FormatJSON {
		return "json"
	}
	return "keepalived"
}

// Options are the daemon's logging settings, from its command line.
type Options struct {
	Console  bool   // -l: log to Stderr
	Detail   bool   // -D: also the records at slog.LevelDebug
	Syslog   bool   // false with -G
	Facility int    // -S N for LOG_LOCALN (0..7); -1 for LOG_DAEMON
	File     string // -g: the name given, "" for none; see [New]
	Format   Format // --log-format, for the console and the file
	Stderr   io.Writer
	// JournalStream is $JOURNAL_STREAM (see [IsJournalStream]).
	JournalStream string
}

// New builds the daemon's logger, as keepalived's VRRP process logs:
//
//   - to syslog under [Ident] unless -G, in keepalived's text;
//   - to the console (Stderr) with -l, in keepalived's console format or
//     JSON; when Stderr is journald's stream the lines carry "<N>" and no
//     time, and keepalived-format lines are left out altogether when syslog
//     already reaches journald (keepalived writes each line to the journal
//     twice there);
//   - with -g to the file [FileName](File, "vrrp", "", ""), in the same
//     format as the console, opened once by [OpenFile] and never reopened
//     (keepalived does not reopen it on SIGHUP either). Each record is one
//     write, as with keepalived's --flush-log-file.
//
// If syslog cannot be reached and nothing else would get the lines, they go
// to the console, saying so on Stderr. A log file that cannot be opened is
// logged, in keepalived's words, and left out. The returned function closes
// what New opened.
func New(o Options) (*slog.Logger, func()) {
	journal := IsJournalStream(o.Stderr, o.JournalStream)
	var hs Multi
	var closers []func() error
	var syslogErr error
	if o.Syslog {
		if h, err := NewSyslogHandler(o.Facility, o.Detail); err == nil {
			hs = append(hs, h)
			closers = append(closers, h.Close)
		} else {
			syslogErr = err
		}
	}
	syslogOn := o.Syslog && syslogErr == nil
	if o.Console && !consoleDuplicates(journal, syslogOn, o.Format, syslogOn && syslogReachesJournal("/dev/log")) {
		hs = append(hs, streamHandler(o.Stderr, o.Format, journal, o.Detail))
	}
	var fileErr error
	if o.File != "" {
		if f, err := OpenFile(FileName(o.File, "vrrp", "", "")); err == nil {
			hs = append(hs, streamHandler(f, o.Format, false, o.Detail))
			closers = append(closers, f.Close)
		} else {
			fileErr = err
		}
	}
	if syslogErr != nil && len(hs) == 0 {
		hs = append(hs, streamHandler(o.Stderr, o.Format, journal, o.Detail))
		fmt.Fprintf(o.Stderr, "gokeepalived: %v; logging to the console\n", syslogErr)
		syslogErr = nil
	}
	log := slog.New(slog.DiscardHandler)
	if len(hs) > 0 {
		log = slog.New(hs)
	}
	if syslogErr != nil {
		log.Warn(fmt.Sprintf("gokeepalived: %v", syslogErr))
	}
	if fileErr != nil {
		log.Info(fileErr.Error())
	}
	return log, func() {
		for _, c := range closers {
			c()
		}
	}
}

// consoleDuplicates reports whether console lines would only repeat in
// the journal what syslog already puts there: the console is journald's
// stream, syslog is on and its socket is journald's, and the console lines
// are keepalived's text (JSON lines carry more, so they stay).
func consoleDuplicates(journal, syslogOn bool, f Format, syslogInJournal bool) bool {
	return journal && syslogOn && syslogInJournal && f == FormatKeepalived
}

// streamHandler is the handler writing format f to w.
func streamHandler(w io.Writer, f Format, journal, detail bool) slog.Handler {
	switch {
	case f == FormatJSON && journal:
		return NewJSONJournalHandler(w, detail)
	case f == FormatJSON:
		return NewJSONHandler(w, detail)
	case journal:
		return NewJournalHandler(w, detail)
	}
	return NewConsoleHandler(w, detail)
}
