package confparse

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// FileSystem is what the reader needs from a file system. OSFS is the real
// one and MemFS an in-memory one for tests. Implementations must be safe
// for the concurrent use of one Read at a time.
type FileSystem interface {
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	// Glob is glob(3) without braces: the reader expands {a,b} itself
	// (keepalived uses GLOB_BRACE).
	Glob(pattern string) ([]string, error)
}

// OSFS is the operating system's file system. It is safe for concurrent use.
type OSFS struct{}

// ReadFile reads the named file.
func (OSFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Open opens a file for streaming reads.
func (OSFS) Open(name string) (io.ReadCloser, error) { return os.Open(name) }

// Stat describes the named file, following symbolic links.
func (OSFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// Glob returns the names of the files matching pattern.
func (OSFS) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }

// MemFS is an in-memory file system for tests and fuzzing: each key is an
// absolute, clean path and its value the file's content. Every key is a
// regular file with mode 0644; every parent of a key is a directory. It is
// safe for concurrent use as long as nobody writes to the map.
type MemFS map[string]string

// ReadFile returns the content of the named file.
func (m MemFS) ReadFile(name string) ([]byte, error) {
	content, ok := m[path.Clean(name)]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return []byte(content), nil
}

// Stat describes the named file or directory.
func (m MemFS) Stat(name string) (fs.FileInfo, error) {
	name = path.Clean(name)
	if content, ok := m[name]; ok {
		return memFileInfo{name: path.Base(name), size: int64(len(content)), mode: 0o644}, nil
	}
	prefix := strings.TrimSuffix(name, "/") + "/"
	for key := range m {
		if strings.HasPrefix(key, prefix) {
			return memFileInfo{name: path.Base(name), mode: fs.ModeDir | 0o755}, nil
		}
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// Glob returns, sorted, the files and directories whose names match pattern
// (path.Match syntax).
func (m MemFS) Glob(pattern string) ([]string, error) {
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for key := range m {
		for name := key; name != "/" && name != "." && name != ""; name = path.Dir(name) {
			if seen[name] {
				break
			}
			seen[name] = true
			if ok, _ := path.Match(pattern, name); ok {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// memFileInfo is the fs.FileInfo of a MemFS entry.
type memFileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (fi memFileInfo) Name() string       { return fi.name }
func (fi memFileInfo) Size() int64        { return fi.size }
func (fi memFileInfo) Mode() fs.FileMode  { return fi.mode }
func (fi memFileInfo) ModTime() time.Time { return time.Time{} }
func (fi memFileInfo) IsDir() bool        { return fi.mode.IsDir() }
func (fi memFileInfo) Sys() any           { return nil }

// ReadOptions configures Read.
type ReadOptions struct {
	FS        FileSystem // nil means OSFS
	ConfigID  string     // the config-id for @ID / @^ID and ${_INSTANCE}; the caller supplies the default (short host name)
	AllChecks bool       // -e/--all-config: every include check on
}

// Read reads the main configuration file (path is a glob, as keepalived's
// -f) and everything it includes, and returns the logical lines after
// pre-processing, in order, plus the problems found.
//
// Pre-processing follows keepalived 2.2.7: comments are removed, @ID
// conditionals applied, $NAME parameters defined and substituted, ~SEQ and
// ~LST blocks expanded, include directives followed and every line split
// at braces outside double quotes.
func Read(path string, opts ReadOptions) ([]Line, Diagnostics) {
	r := newReader(opts, defaultLimits())
	r.readMain(path)
	return r.lines, r.diags
}

// ReadStream is Read handing each logical line to sink as soon as it is
// made, instead of collecting them, so that a large configuration need not
// be held whole. The lines reach sink in the order Read returns them.
func ReadStream(path string, opts ReadOptions, sink func(Line)) Diagnostics {
	return readStream(path, opts, sink, false)
}

// readStream is ReadStream; with reuse, a line's tokens are valid only
// until sink returns: the next line's reuse their memory.
func readStream(path string, opts ReadOptions, sink func(Line), reuse bool) Diagnostics {
	r := newReader(opts, defaultLimits())
	r.sink = sink
	if reuse {
		r.scratch = make([]Token, 0, 16)
	}
	r.readMain(path)
	return r.diags
}

// limits bound the work a configuration can ask for, so that a recursive
// definition or an include loop ends with a diagnostic instead of a hang.
type limits struct {
	depth        int // nesting of ~SEQ/~LST and multi-line expansions
	includeDepth int // nesting of include files
	work         int // logical lines processed plus ~SEQ/~LST iterations, per Read
	substs       int // parameter substitutions per logical line
	lineLen      int // bytes of a logical line after substitution
}

// defaultLimits returns generous limits: keepalived's own manual generates
// 65024 instances from one ~SEQ line.
func defaultLimits() limits {
	return limits{depth: 64, includeDepth: 64, work: 1 << 21, substs: 10000, lineLen: 1 << 16}
}

// maxPhysicalLine is the longest physical line keepalived reads in one
// piece (its fgets buffer is MAXBUF, 1024 bytes, including the NUL).
const maxPhysicalLine = 1023

// reader holds the state of one Read. It is not safe for concurrent use.
type reader struct {
	fs       FileSystem
	configID string
	lim      limits

	checks     includeFlags // include_check in force for the file being read
	defs       map[string]*definition
	collecting *definition // multi-line definition being read, if any
	rng        *rand.Rand
	files      []string // stack of files being read, innermost last
	work       int
	stopped    bool

	lines []Line
	sink  func(Line) // if set, lines go here instead of into lines
	diags Diagnostics
	words *wordTable // the tokens' texts
	// scratch, when not nil, holds the tokens of every line in turn
	// (readStream's reuse).
	scratch []Token
}

// newReader returns a reader with the predefined definitions installed.
func newReader(opts ReadOptions, lim limits) *reader {
	r := &reader{
		fs:       opts.FS,
		configID: opts.ConfigID,
		lim:      lim,
		defs:     predefined(),
		words:    newWordTable(),
		// keepalived seeds random() from the time unless random_seed is set.
		rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0)),
	}
	if r.fs == nil {
		r.fs = OSFS{}
	}
	if opts.AllChecks {
		r.checks = includeAll
	}
	return r
}

// readMain reads the files matching the main configuration path. keepalived
// reads every match, warning when there is more than one.
func (r *reader) readMain(pattern string) {
	at := Pos{File: pattern}
	g := r.glob(pattern)
	if len(g.matches) == 0 {
		r.diags.add(at, ClassFileNotFound, "Config files missing '%s'.", pattern)
		r.diags[len(r.diags)-1].MissingConfig = true
		return
	}
	if len(g.matches) > 1 {
		r.diags.add(at, ClassMultipleFiles, "multiple configuration file matches of '%s', starting with '%s'",
			pattern, g.matches[0])
	}
	for _, name := range g.matches {
		if msg := r.unusable(name, name); msg != "" {
			r.diags.add(Pos{File: name}, ClassFileNotFound, "%s", msg)
			continue
		}
		if err := r.readFile(name); err != nil {
			r.diags.add(Pos{File: name}, ClassFileNotFound, "Configuration file '%s' open problem (%v) - skipping", name, err)
		}
	}
}

// readFile reads one configuration file and processes its lines.
func (r *reader) readFile(name string) error {
	f, err := openFile(r.fs, name)
	if err != nil {
		return err
	}
	defer f.Close()
	saved := r.checks
	r.files = append(r.files, name)
	defer func() {
		r.files = r.files[:len(r.files)-1]
		r.checks = saved // keepalived restores include_check when a file ends
	}()
	// Lines are read one at a time, so a large file is never held whole,
	// into the reader's buffer (long ones into long), which physicalLine
	// copies what it keeps from.
	br := bufio.NewReaderSize(f, 64<<10)
	var long []byte
	for n := 1; !r.stopped; n++ {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], raw...)
			for err == bufio.ErrBufferFull {
				raw, err = br.ReadSlice('\n')
				long = append(long, raw...)
			}
			raw = long
		}
		if len(raw) == 0 && err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		r.physicalLine(name, n, bytes.TrimSuffix(raw, []byte{'\n'}))
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// openFile opens name for reading, streaming it when the file system can.
func openFile(fsys FileSystem, name string) (io.ReadCloser, error) {
	if o, ok := fsys.(interface {
		Open(name string) (io.ReadCloser, error)
	}); ok {
		return o.Open(name)
	}
	data, err := fsys.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (r *reader) physicalLine(name string, n int, raw []byte) {
	raw = bytes.TrimRight(raw, "\r")
	if len(raw) > maxPhysicalLine {
		r.diags.add(Pos{File: name, Line: n, Col: 1}, ClassNote, "line longer than 1024 bytes")
	}
	if len(raw) == 0 {
		if r.collecting != nil {
			r.endCollecting()
		}
		return
	}
	pt := decomment(newPText(string(raw), name, n))
	switch {
	case pt.empty():
	case r.collecting != nil:
		r.collect(pt)
	default:
		r.processLine(pt, 0)
	}
}

// curFile returns the file being read.
func (r *reader) curFile() string {
	if len(r.files) == 0 {
		return ""
	}
	return r.files[len(r.files)-1]
}

// spend uses one unit of the work budget and reports whether any was left.
func (r *reader) spend(at Pos) bool {
	if r.stopped {
		return false
	}
	r.work++
	if r.work > r.lim.work {
		r.diags.add(at, ClassFatal, "configuration expands to more than %d lines - giving up", r.lim.work)
		r.stopped = true
		return false
	}
	return true
}

// processLine runs one logical line through pre-processing: the line, then
// any text after a brace on it, then the further lines of any multi-line
// definition it used.
func (r *reader) processLine(pt ptext, depth int) {
	if !r.spend(pt.pos(0)) {
		return
	}
	if depth > r.lim.depth {
		r.diags.add(pt.pos(0), ClassGeneral,
			"~SEQ/~LST blocks or multi-line definitions nested more than %d deep - is a definition recursive?", r.lim.depth)
		return
	}
	var deferred [][]ptext
	for more := true; more && !pt.empty(); {
		pt, more = r.processOne(pt, depth, &deferred)
	}
	// The innermost multi-line expansion continues first, as keepalived's
	// multiline stack does.
	for i := len(deferred) - 1; i >= 0; i-- {
		for _, l := range deferred[i] {
			r.processLine(l, depth+1)
		}
	}
}

// processOne applies conditionals, definitions, sequences, substitution and
// include to one logical line, emits it split at its first brace and
// returns the rest of it (more is false when nothing is left).
func (r *reader) processOne(pt ptext, depth int, deferred *[][]ptext) (rest ptext, more bool) {
	budget := r.lim.substs
	for {
		if pt.hasPrefix("@") {
			var keep bool
			if pt, keep = r.conditional(pt); !keep {
				return ptext{}, false
			}
		}
		if pt.hasPrefix("$") && r.define(pt) {
			return ptext{}, false
		}
		if pt.hasPrefix("~SEQ") || pt.hasPrefix("~LST") {
			r.expandBlock(pt, depth)
			return ptext{}, false
		}
		if pt.hasPrefix("~") || !strings.Contains(pt.s, "$") {
			break
		}
		changed, ok := r.substitute(&pt, deferred, &budget)
		if !ok {
			return ptext{}, false
		}
		if !changed {
			break
		}
		pt = decomment(pt)
		if !pt.hasPrefix("@") && !strings.Contains(pt.s, "$") && !pt.hasPrefix("~SEQ") && !pt.hasPrefix("~LST") {
			break
		}
	}
	if pt.empty() {
		return ptext{}, false
	}
	if inc, ok := parseInclude(pt); ok {
		r.include(inc)
		return ptext{}, false
	}
	return r.emitSplit(pt)
}

// emitSplit emits the text of pt up to its first brace outside double
// quotes (or the brace itself when the line starts with one) and returns
// the remainder.
func (r *reader) emitSplit(pt ptext) (rest ptext, more bool) {
	b := findBrace(pt.s)
	switch {
	case b < 0:
		r.emit(pt)
		return ptext{}, false
	case b == 0:
		r.emit(pt.slice(0, 1))
		rest = pt.slice(1, len(pt.s)).trimLeft().trimRight()
	default:
		r.emit(pt.slice(0, b).trimRight())
		rest = pt.slice(b, len(pt.s)).trimRight()
	}
	return rest, !rest.empty()
}

// findBrace returns the index of the first '{' or '}' of s outside double
// quotes, or -1. An unterminated quote hides the rest of the line.
func findBrace(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{', '}':
			return i
		case '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return -1
			}
			i += end + 1
		}
	}
	return -1
}

// emit tokenises pt and appends it to the output, noting the keywords the
// reader itself acts on.
func (r *reader) emit(pt ptext) {
	toks, bad := tokenise(pt, r.words, r.scratch)
	if r.scratch != nil {
		r.scratch = toks[:0]
	}
	if bad >= 0 {
		r.diags.add(pt.pos(bad), ClassUnmatchedQuote, "Unmatched quote: '%s'", pt.s)
	}
	if len(toks) == 0 {
		return
	}
	if ln := (Line{Tokens: toks, Raw: pt.s, Pos: pt.pos(0)}); r.sink != nil {
		r.sink(ln)
	} else {
		r.lines = append(r.lines, ln)
	}
	switch toks[0].Text {
	case "include_check":
		r.checks = parseIncludeCheck(r.checks, toks[1:])
	case "random_seed":
		if len(toks) > 1 {
			if seed, n := strtoul(toks[1].Text); n > 0 && n == len(toks[1].Text) {
				r.rng = rand.New(rand.NewPCG(seed, 0))
			}
		}
	}
}
