package confparse

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// includeFlags are keepalived's include checks: which include problems are
// errors (a failed check makes keepalived exit 6) rather than notes.
type includeFlags uint8

const (
	includeRead     includeFlags = 1 << iota // a match is a directory, unreadable or executable
	includeMatch                             // nothing matches a pattern without wildcards
	includeWildcard                          // nothing matches a pattern with wildcards
	includeBrace                             // an alternative of a {a,b} pattern matches nothing

	includeAll = includeRead | includeMatch | includeWildcard | includeBrace
)

// includeKind maps the letter after "include" to the checks the variant
// adds for its own files (includer, includem, includew, includeb, includea).
func includeKind(c byte) (includeFlags, bool) {
	switch c {
	case 'r':
		return includeRead, true
	case 'm':
		return includeRead | includeMatch, true
	case 'w':
		return includeRead | includeMatch | includeWildcard, true
	case 'b':
		return includeRead | includeBrace, true
	case 'a':
		return includeAll, true
	}
	return 0, false
}

// parseIncludeCheck applies "include_check [+|-]TYPE ...": a plain first
// word sets the checks (with "read"), later plain words are ignored, '+'
// adds and '-' removes a check; no word at all means every check. The type
// names are keepalived 2.2.7's: read, match, wildcard_match, brace_match.
// Unknown names are left for the lowering stage to report.
func parseIncludeCheck(cur includeFlags, words []Token) includeFlags {
	if len(words) == 0 {
		return includeAll
	}
	for i, w := range words {
		name, mode := w.Text, byte(0)
		if name != "" && (name[0] == '+' || name[0] == '-') {
			name, mode = name[1:], name[0]
		} else if i > 0 {
			continue // keepalived: "Duplicate include_check"
		} else {
			cur = 0
		}
		flag := map[string]includeFlags{
			"read": includeRead, "match": includeMatch,
			"wildcard_match": includeWildcard, "brace_match": includeBrace,
		}[name]
		switch {
		case flag == 0:
		case mode == '+':
			cur |= flag
		case mode == '-':
			cur &^= flag
		default:
			cur = includeRead | flag
		}
	}
	return cur
}

// includeDirective is an include line: "include PATTERN" or one of its
// variants. The pattern is the rest of the line, blanks included.
type includeDirective struct {
	pattern string
	kind    includeFlags
	at      Pos
}

// parseInclude recognises an include line, after conditionals and
// parameter substitution (as keepalived 2.2.7 really does, whatever its
// manual says).
func parseInclude(pt ptext) (includeDirective, bool) {
	s := pt.s
	if !strings.HasPrefix(s, "include") || len(s) < 9 {
		return includeDirective{}, false
	}
	inc := includeDirective{at: pt.pos(0)}
	start := 8
	if !isCSpace(s[7]) {
		kind, ok := includeKind(s[7])
		if !ok || !isCSpace(s[8]) {
			return includeDirective{}, false
		}
		inc.kind, start = kind, 9
	}
	inc.pattern = s[skipBlanks(s, start):]
	return inc, inc.pattern != ""
}

// isCSpace reports whether c is a space for C's isspace.
func isCSpace(c byte) bool { return strings.IndexByte(" \t\n\v\f\r", c) >= 0 }

// include reads the files an include directive names, relative to the
// directory of the file being read, reporting missing files as notes or,
// when an include check asks for it, as errors that stop keepalived.
func (r *reader) include(inc includeDirective) {
	checks := r.checks | inc.kind
	report := func(flag includeFlags, format string, args ...any) {
		d := Diagnostic{Pos: inc.at, Class: ClassNote, Msg: fmt.Sprintf(format, args...)}
		if checks&flag != 0 {
			d.Class, d.NoConfig = ClassFileNotFound, true
		}
		r.diags = append(r.diags, d)
	}
	dir := filepath.Dir(r.curFile())
	full, prefix := inc.pattern, ""
	if !filepath.IsAbs(inc.pattern) && dir != "." {
		prefix = strings.TrimSuffix(dir, "/") + "/"
		full = globEscape(prefix) + inc.pattern
	}
	g := r.glob(full)
	switch {
	case len(g.matches) == 0 && g.missing > 0:
		flag := includeMatch
		if hasBrace(inc.pattern) {
			flag = includeBrace
		}
		report(flag, "Config files missing '%s'.", inc.pattern)
		return
	case len(g.matches) == 0:
		report(includeWildcard, "No config files matched '%s'.", inc.pattern)
		return
	case g.missing > 0:
		report(includeBrace, "Some config files missing: \"%s\".", inc.pattern)
		if checks&includeBrace != 0 {
			return
		}
	}
	for _, name := range g.matches {
		if msg := r.unusable(name, strings.TrimPrefix(name, prefix)); msg != "" {
			report(includeRead, "%s", msg)
			continue
		}
		name = filepath.Clean(name)
		if len(r.files) >= r.lim.includeDepth || slices.ContainsFunc(r.files, func(f string) bool { return sameFile(f, name) }) {
			r.diags.add(inc.at, ClassGeneral, "include recursion: '%s' is already being read - skipping", name)
			continue
		}
		if err := r.readFile(name); err != nil {
			report(includeRead, "Configuration file '%s' open problem (%v) - skipping", name, err)
		}
	}
}

// sameFile reports whether two names are the same file name.
func sameFile(a, b string) bool {
	abs := func(s string) string {
		if p, err := filepath.Abs(s); err == nil {
			return p
		}
		return filepath.Clean(s)
	}
	return abs(a) == abs(b)
}

// unusable returns why the matched file name cannot be read as a
// configuration file (keepalived wants a regular file with no execute
// bit), or "". display is the name to show.
func (r *reader) unusable(name, display string) string {
	st, err := r.fs.Stat(name)
	switch {
	case err == nil && st.IsDir():
		return fmt.Sprintf("Configuration file '%s/' is a directory - skipping", strings.TrimSuffix(display, "/"))
	case err != nil || !st.Mode().IsRegular() || st.Mode()&0o111 != 0:
		return fmt.Sprintf("Configuration file '%s' is not a regular non-executable file - skipping", display)
	}
	return ""
}

// globResult is what a brace-expanded glob found: the matches, in order,
// and how many directories or files without wildcards were missing
// (glibc's GLOB_ALTDIRFUNC hooks count them for keepalived).
type globResult struct {
	matches []string
	missing int
}

// maxBraceAlternatives bounds the expansion of {a,b}{c,d}... patterns.
const maxBraceAlternatives = 1024

// glob expands pattern like glob(3) with GLOB_BRACE: each alternative of
// the braces is globbed in turn and its matches sorted.
func (r *reader) glob(pattern string) globResult {
	var g globResult
	for _, alt := range braceExpand(pattern, maxBraceAlternatives) {
		matches, missing := r.walk(alt)
		g.matches = append(g.matches, matches...)
		g.missing += missing
	}
	return g
}

// walk globs one pattern without braces, component by component, as glibc
// does: a component without wildcards must exist (else it counts as
// missing), a component with wildcards is matched in each directory found
// so far (a missing directory counts as missing). Hidden files only match
// a component starting with '.'.
func (r *reader) walk(pattern string) (matches []string, missing int) {
	root, rest := "", pattern
	if strings.HasPrefix(pattern, "/") {
		root, rest = "/", strings.TrimLeft(pattern, "/")
	}
	parts := strings.FieldsFunc(rest, func(c rune) bool { return c == '/' })
	if !slices.ContainsFunc(parts, hasMeta) {
		if _, err := r.fs.Stat(pattern); err != nil {
			return nil, 1
		}
		return []string{pattern}, 0
	}
	cur := []string{root}
	for i, part := range parts {
		var next []string
		for _, dir := range cur {
			if !hasMeta(part) {
				name := joinPath(dir, part)
				if _, err := r.fs.Stat(name); err != nil {
					missing++
					continue
				}
				next = append(next, name)
				continue
			}
			found, ok := r.matchIn(dir, part, i < len(parts)-1)
			if !ok {
				missing++
			}
			next = append(next, found...)
		}
		cur = next
	}
	return cur, missing
}

// matchIn returns the entries of dir matching the wildcard component part
// (only directories when dirsOnly), sorted; ok is false when dir cannot be
// read as a directory.
func (r *reader) matchIn(dir, part string, dirsOnly bool) (found []string, ok bool) {
	d := dir
	if d == "" {
		d = "."
	}
	if st, err := r.fs.Stat(d); err != nil || !st.IsDir() {
		return nil, false
	}
	names, err := r.fs.Glob(joinPath(globEscape(dir), part))
	if err != nil {
		return nil, true
	}
	slices.Sort(names)
	for _, name := range names {
		if part[0] != '.' && strings.HasPrefix(filepath.Base(name), ".") {
			continue
		}
		if dirsOnly {
			if st, err := r.fs.Stat(name); err != nil || !st.IsDir() {
				continue
			}
		}
		found = append(found, name)
	}
	return found, true
}

// joinPath appends a component to a directory ("" is the current one).
func joinPath(dir, part string) string {
	switch dir {
	case "":
		return part
	case "/":
		return "/" + part
	}
	return dir + "/" + part
}

// hasMeta reports whether a glob component needs matching rather than a
// plain lookup (glibc treats a backslash as such too).
func hasMeta(part string) bool { return strings.ContainsAny(part, `*?[\`) }

// globEscape quotes the glob and brace metacharacters of a literal path.
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[\{},`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[\{},`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// hasBrace reports whether a pattern has an unescaped '{', as keepalived's
// have_brace().
func hasBrace(p string) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			return true
		}
	}
	return false
}

// braceExpand expands the first {a,b,...} group of p (nested groups
// included) and then the groups of each result, giving at most max
// patterns. An unbalanced '{' is literal.
func braceExpand(p string, max int) []string {
	open, end, commas := findBraceGroup(p)
	if open < 0 {
		return []string{p}
	}
	var out []string
	start := open + 1
	for _, c := range append(commas, end) {
		alt := p[:open] + p[start:c] + p[end+1:]
		out = append(out, braceExpand(alt, max-len(out))...)
		if len(out) >= max {
			return out[:max]
		}
		start = c + 1
	}
	return out
}

// findBraceGroup returns the first unescaped '{' of p, its matching '}' and
// the commas at its top level, or open = -1.
func findBraceGroup(p string) (open, end int, commas []int) {
	open, depth := -1, 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '{':
			if depth == 0 {
				open, commas = i, nil
			}
			depth++
		case ',':
			if depth == 1 {
				commas = append(commas, i)
			}
		case '}':
			if depth == 0 {
				continue
			}
			depth--
			if depth == 0 {
				return open, i, commas
			}
		}
	}
	return -1, -1, nil
}
