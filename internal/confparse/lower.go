package confparse

import (
	"fmt"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Environment answers the questions about the machine that validation
// asks. The zero Options use the real machine.
type Environment interface {
	// InterfaceExists reports whether a network interface of that name exists.
	InterfaceExists(name string) bool
	// InterfaceWithAddr names the interface that has the address.
	InterfaceWithAddr(a netip.Addr) (string, bool)
	// UserExists reports whether a user account exists.
	UserExists(name string) bool
	// LookPath finds a bare command name in PATH.
	LookPath(name string) (string, error)
	// Executable reports whether path names a file that can be executed.
	Executable(path string) bool
}

// Options configures Load.
type Options struct {
	Read ReadOptions
	// Env answers questions about the machine; nil means the real one.
	Env Environment
	// KeepalivedScripts keeps keepalived's treatment of a vrrp_script
	// that cannot run (not found, not executable, or insecure under
	// enable_script_security): it is removed, and the instances that
	// track it run as if it was never tracked. By default it is kept
	// with Command.Disabled set, and the daemon counts it as failed
	// (gokeepalived --keepalived-scripts sets it).
	KeepalivedScripts bool
}

// Load reads, parses and lowers the configuration at path. The Config is
// never nil; whether it can run is told by the Diagnostics (CannotRun).
// Lines are parsed and lowered one top-level statement at a time, as the
// reader produces them.
func Load(path string, opts Options) (*Config, Diagnostics) {
	files := []string{path}
	st := newStream(opts)
	// The assembler copies what it keeps of each line, so the reader can
	// reuse the memory of its tokens.
	diags := readStream(path, opts.Read, func(ln Line) {
		if n := len(files); files[n-1] != ln.Pos.File {
			files = append(files, ln.Pos.File)
		}
		st.asm.push(ln)
	}, true)
	cfg, more := st.finish()
	diags = append(diags, more...)
	diags.Sort(files)
	return cfg, diags.untilStop()
}

// LoadLines parses and lowers pre-processed lines.
func LoadLines(lines []Line, opts Options) (*Config, Diagnostics) {
	st := newStream(opts)
	for _, ln := range lines {
		st.asm.push(ln)
	}
	return st.finish()
}

// stream joins the assembler, the grammar and the lowerer.
type stream struct {
	asm *assembler
	l   *lowerer
	top table
}

func newStream(opts Options) *stream {
	env := opts.Env
	if env == nil {
		env = newHostEnv()
	}
	st := &stream{l: &lowerer{cfg: newConfig(), env: env, scripts: scriptEnvOf(env), tables: map[string]table{},
		keepalivedScripts: opts.KeepalivedScripts, words: newWordTable()}}
	st.top = st.l.table("the top level", topTable)
	p, err := newBlockParser()
	// The lines, their tokens and their Nodes are reused for the next
	// top-level statement once this one is lowered (Node), so the blocks
	// kept as read (NotRun) keep copies.
	st.asm = &assembler{reuse: true, emit: func(lines []Line) {
		if err != nil {
			return
		}
		nodes, perr := p.parse(lines)
		if perr != nil {
			// The assembler guarantees the shape; a failure here is a bug,
			// but it is reported rather than panicking.
			st.l.errorf(lines[0].Pos, ClassFatal, "internal grammar error: %v", perr)
			return
		}
		kept := len(st.l.cfg.NotRun)
		st.l.walk(nodes, st.top, "the top level")
		for i := kept; i < len(st.l.cfg.NotRun); i++ {
			st.l.cfg.NotRun[i].Node = st.l.cfg.NotRun[i].Node.Clone()
		}
	}}
	if err != nil {
		st.l.errorf(Pos{}, ClassFatal, "internal grammar error: %v", err)
	}
	return st
}

func (st *stream) finish() (*Config, Diagnostics) {
	st.asm.finish()
	n := len(st.l.diags)
	st.l.complete()
	if st.l.stopped {
		// keepalived checks nothing once stopped: the configuration is
		// completed (defaults, so that it dumps and reads back), its
		// checks unreported.
		st.l.diags = st.l.diags[:n]
	}
	return st.l.cfg, append(st.asm.diags, st.l.diags...)
}

// table returns the keyword table of a scope, built once per run.
func (l *lowerer) table(scope string, build func() table) table {
	t, ok := l.tables[scope]
	if !ok {
		t = build()
		l.tables[scope] = t
	}
	return t
}

// lowerer carries the state of one lowering run.
type lowerer struct {
	cfg   *Config
	env   Environment
	diags Diagnostics
	// tables caches the keyword tables by scope.
	tables map[string]table
	// addrOpts caches addrOptions.
	addrOpts map[string]addrOption
	// words shares the strings of commands (intern.go).
	words *wordTable
	// rulePrefsUsed counts, per family, the rules given an automatic
	// preference so far.
	rulePrefsUsed map[Family]int
	// scriptByName indexes the vrrp_scripts by name (the first of a name).
	scriptByName map[string]*Script
	// names indexes the instances by name.
	names map[string]*Instance
	// noDefaultUserReported is set once the missing default script user
	// has been reported.
	noDefaultUserReported bool
	// scripts answers the script checks' questions.
	scripts ScriptEnv
	// keepalivedScripts is Options.KeepalivedScripts.
	keepalivedScripts bool
	// globalUserBad is set when script_user names no user.
	globalUserBad bool
	// noDefaultUserWarned is set once the missing keepalived_script
	// account has been reported.
	noDefaultUserWarned bool
	// stopped is set once a missing value stopped keepalived's reading
	// (stopsOnMissingValue): nothing further is lowered or checked.
	stopped bool
	// lvs is what the check of the LVS blocks keeps (lvs.go).
	lvs *lvsState
	// iflags records, per instance, which keywords were given, until the
	// configuration is completed.
	iflags map[*Instance]*instFlags
	// groupSMTPSet records the sync groups given smtp_alert, until the
	// configuration is completed.
	groupSMTPSet map[*SyncGroup]bool
}

// handler lowers one statement of a block.
type handler func(l *lowerer, n *Node)

// table maps the keywords of one kind of block to their handlers.
type table map[string]handler

func (l *lowerer) errorf(pos Pos, class Class, format string, args ...any) *Diagnostic {
	l.diags.add(pos, class, format, args...)
	return &l.diags[len(l.diags)-1]
}

func (l *lowerer) warnf(pos Pos, format string, args ...any) {
	l.diags.add(pos, ClassNote, format, args...)
}

// cannotRun records a problem that keeps the daemon from starting.
func (l *lowerer) cannotRun(pos Pos, class Class, format string, args ...any) {
	d := l.errorf(pos, class, format, args...)
	d.CannotRun = true
}

// walk lowers the statements of a block with the given table. scope names
// the block in messages.
func (l *lowerer) walk(nodes []*Node, t table, scope string) {
	for _, n := range nodes {
		if l.stopped || l.stopsOnMissingValue(n, scope) {
			return
		}
		h, ok := t[n.Keyword()]
		if !ok {
			l.unknown(n, t, scope)
			continue
		}
		h(l, n)
	}
}

// unknown reports an unknown keyword once, with a suggestion, and skips
// any block that follows it.
func (l *lowerer) unknown(n *Node, t table, scope string) {
	kw := n.Keyword()
	d := l.errorf(n.Pos(), ClassUnknownKeyword, "unknown keyword '%s' in %s", kw, scope)
	if n.HasBlock {
		d.Msg += " (its block is skipped)"
	}
	if s := suggest(kw, t); s != "" {
		d.Hint = fmt.Sprintf("did you mean '%s'?", s)
	} else if where := l.elsewhere(kw); where != "" && where != scope {
		d.Hint = fmt.Sprintf("'%s' belongs in %s", kw, where)
	}
}

// suggest returns the keyword of t closest to kw, if it is close enough to
// be a likely misspelling.
func suggest(kw string, t table) string {
	best, bestD := "", math.MaxInt
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, kw) {
			return k
		}
		if d := editDistance(kw, k); d < bestD {
			best, bestD = k, d
		}
	}
	limit := 2
	if len(kw) > 10 {
		limit = 3
	}
	if bestD <= limit && bestD < len(kw) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// wantBlock checks that n has a block, reporting keepalived's missing '{'.
func (l *lowerer) wantBlock(n *Node) bool {
	if !n.HasBlock {
		l.errorf(n.Pos(), ClassMissingBOB, "'%s' needs a block: missing '{'", n.Keyword())
		return false
	}
	return true
}

// noBlock reports a block after a keyword that takes none; its contents are
// skipped.
func (l *lowerer) noBlock(n *Node) {
	if n.HasBlock {
		l.errorf(n.Open, ClassUnexpectedBOB, "'%s' takes no block - its block is skipped", n.Keyword())
	}
}

// arg returns the i-th argument (1-based, after the keyword) or reports a
// missing parameter.
func (l *lowerer) arg(n *Node, i int) (Token, bool) {
	if i < len(n.Words) {
		return n.Words[i], true
	}
	l.errorf(n.Pos(), ClassMissingParameter, "'%s' needs a value", n.Keyword())
	return Token{}, false
}

// intArg reads the i-th argument as a whole number in [lo, hi].
func (l *lowerer) intArg(n *Node, i, lo, hi int) (int, bool) {
	t, ok := l.arg(n, i)
	if !ok {
		return 0, false
	}
	return l.parseInt(n.Keyword(), t, lo, hi)
}

func (l *lowerer) parseInt(kw string, t Token, lo, hi int) (int, bool) {
	v, err := strconv.ParseInt(t.Text, 10, 64)
	if err != nil {
		l.errorf(t.Pos, ClassInvalidNumber, "%s: invalid number '%s'", kw, t.Text)
		return 0, false
	}
	if v < int64(lo) || v > int64(hi) {
		l.errorf(t.Pos, ClassInvalidNumber, "%s: number '%s' outside range [%d, %d]", kw, t.Text, lo, hi)
		return 0, false
	}
	return int(v), true
}

// durationArg reads the i-th argument as seconds with up to six decimals,
// in [lo, hi].
func (l *lowerer) durationArg(n *Node, i int, lo, hi time.Duration) (time.Duration, bool) {
	t, ok := l.arg(n, i)
	if !ok {
		return 0, false
	}
	return l.parseDuration(n.Keyword(), t, lo, hi)
}

func (l *lowerer) parseDuration(kw string, t Token, lo, hi time.Duration) (time.Duration, bool) {
	d, err := parseSeconds(t.Text)
	if err != nil {
		l.errorf(t.Pos, ClassInvalidNumber, "%s: invalid number '%s'", kw, t.Text)
		return 0, false
	}
	if d < lo || d > hi {
		l.errorf(t.Pos, ClassInvalidNumber, "%s: number '%s' outside range [%s, %s]", kw, t.Text, secs(lo), secs(hi))
		return 0, false
	}
	return d, true
}

// parseSeconds parses a decimal number of seconds with at most six
// fractional digits, as keepalived's read_decimal_unsigned does.
func parseSeconds(s string) (time.Duration, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") || len(frac) > 6 {
		return 0, fmt.Errorf("invalid decimal %q", s)
	}
	var w int64
	if whole != "" {
		v, err := strconv.ParseUint(whole, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid decimal %q", s)
		}
		w = int64(v)
	}
	var us int64
	if frac != "" {
		v, err := strconv.ParseUint(frac, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid decimal %q", s)
		}
		us = int64(v)
		for i := len(frac); i < 6; i++ {
			us *= 10
		}
	}
	return time.Duration(w)*time.Second + time.Duration(us)*time.Microsecond, nil
}

// secs formats a duration as keepalived-style decimal seconds.
func secs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
}

// boolArg reads an optional boolean argument (on/off/true/false/yes/no,
// lower-case only); no argument means true.
func (l *lowerer) boolArg(n *Node, i int) (bool, bool) {
	if i >= len(n.Words) {
		return true, true
	}
	t := n.Words[i]
	switch t.Text {
	case "on", "true", "yes":
		return true, true
	case "off", "false", "no":
		return false, true
	}
	l.errorf(t.Pos, ClassGeneral, "%s: invalid boolean '%s' (use on/off, true/false or yes/no)", n.Keyword(), t.Text)
	return false, false
}

// flag handles a keyword that takes no arguments and sets a bool.
func flagKw(set func(l *lowerer) *bool) handler {
	return func(l *lowerer, n *Node) {
		l.noBlock(n)
		*set(l) = true
	}
}

// hostEnv is the real machine. Its answers are remembered for the run
// (env_host.go), so it is not safe for concurrent use.
type hostEnv struct{ memo *hostMemo }

func (e hostEnv) InterfaceExists(name string) bool {
	return remember(e.m().ifaces, name, func() bool {
		_, err := os.Stat("/sys/class/net/" + name)
		return err == nil && name != "" && !strings.Contains(name, "/") && name != "." && name != ".."
	})
}

func (e hostEnv) InterfaceWithAddr(a netip.Addr) (string, bool) { return e.m().addrOwner(a) }

func (e hostEnv) UserExists(name string) bool {
	return remember(e.m().users, name, func() bool {
		_, err := user.Lookup(name)
		return err == nil
	})
}

func (e hostEnv) LookPath(name string) (string, error) {
	a := remember(e.m().paths, name, func() lookPathAnswer {
		p, err := exec.LookPath(name)
		return lookPathAnswer{p, err}
	})
	return a.path, a.err
}

func (e hostEnv) Executable(path string) bool {
	return remember(e.m().execs, path, func() bool {
		fi, err := os.Stat(path)
		return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
	})
}

func newConfig() *Config {
	c := &Config{}
	c.Global = defaultGlobal()
	return c
}
