package track

import (
	"bytes"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// commMax is the longest process name the kernel keeps in
// /proc/PID/comm (TASK_COMM_LEN less its NUL).
const commMax = 15

// paramMode is how a process's arguments are compared with the
// configured ones (src track_process/track_process.c check_params).
type paramMode int

const (
	paramNone    paramMode = iota // arguments not compared
	paramExact                    // the arguments are exactly the configured ones
	paramPartial                  // the configured arguments are the first ones
	paramInitial                  // as partial, but the last configured one may be a prefix
)

// matcher decides whether a process is one a vrrp_track_process counts.
type matcher struct {
	name   string    // process_path: the comm, or argv[0] with full
	full   bool      // match /proc/PID/cmdline instead of comm
	mode   paramMode //
	params []byte    // the configured arguments, each followed by a NUL
	has    bool      // arguments were configured
}

// newMatcher returns p's matcher as keepalived's parser sets it up (src
// vrrp/vrrp_parser.c vrrp_tprocess_process_handler and
// vrrp_tprocess_match_handler): arguments after the process name, or
// param_match, mean matching the whole command line, and arguments
// without param_match are matched exactly. ParamMatch "exact" stands for
// param_match given with no value, keepalived's way of asking for a
// command line with exactly the arguments given (or none).
func newMatcher(p *config.TrackProcess) matcher {
	m := matcher{name: p.Process, full: p.FullCommand || len(p.Params) > 0 || p.ParamMatch != ""}
	switch p.ParamMatch {
	case "initial":
		m.mode = paramInitial
	case "partial":
		m.mode = paramPartial
	case "exact":
		m.mode = paramExact
	default:
		if len(p.Params) > 0 {
			m.mode = paramExact
		}
	}
	for _, a := range p.Params {
		m.params = append(append(m.params, a...), 0)
	}
	m.has = len(p.Params) > 0
	return m
}

// cmdlineNeed is how many bytes of /proc/PID/cmdline decide a match: the
// configured command line and two more bytes, as keepalived reads (src
// track_process/track_process.c check_process).
func (m matcher) cmdlineNeed() int {
	return len(m.name) + 1 + len(m.params) + 2
}

// match reports whether a process with name comm and command line cmdline
// (the start of /proc/PID/cmdline, at least cmdlineNeed bytes of it when
// longer) is counted. Names are compared exactly, as strcmp: a comm is at
// most 15 characters, so a longer name without full_command never matches.
func (m matcher) match(comm string, cmdline []byte) bool {
	if !m.full {
		return comm == m.name
	}
	i := bytes.IndexByte(cmdline, 0)
	if i < 0 {
		// argv[0] with no NUL after it in what was read (a rewritten
		// command line): keepalived's parameter length goes negative and
		// only an unconditional match survives.
		return string(cmdline) == m.name && (m.mode == paramNone || (m.mode != paramExact && !m.has))
	}
	if string(cmdline[:i]) != m.name {
		return false
	}
	return m.mode == paramNone || m.args(cmdline[i+1:])
}

// args compares the arguments after argv[0], each followed by its NUL,
// with the configured ones (src track_process/track_process.c
// check_params).
func (m matcher) args(rest []byte) bool {
	switch {
	case m.mode == paramExact:
		return bytes.Equal(rest, m.params)
	case len(rest) < len(m.params):
		return false
	case !m.has:
		return true
	case m.mode == paramPartial:
		return bytes.HasPrefix(rest, m.params)
	}
	// paramInitial: the last configured argument may be a prefix.
	return len(m.params) == 1 || bytes.HasPrefix(rest, m.params[:len(m.params)-1])
}
