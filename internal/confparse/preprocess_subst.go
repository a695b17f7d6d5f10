package confparse

import (
	"path/filepath"
	"strconv"
	"strings"
)

// predef names the predefined parameters whose value is computed at use.
type predef int

const (
	userDef predef = iota
	defPWD
	defInstance
	defRandom
)

// definition is one $NAME parameter.
type definition struct {
	value     string
	multiline bool // lines of value are separated by '\n'
	fn        predef
	maxParams int // ${_RANDOM MIN MAX} takes two
}

// predefined returns the parameters keepalived defines itself.
func predefined() map[string]*definition {
	return map[string]*definition{
		"_PWD":      {fn: defPWD},
		"_INSTANCE": {fn: defInstance},
		"_RANDOM":   {fn: defRandom, maxParams: 2},
		"_HASH":     {value: "#"},
		"_BANG":     {value: "!"},
	}
}

// setDef defines (or redefines, even a predefined one) name as value.
func (r *reader) setDef(name, value string) {
	r.defs[name] = &definition{value: value}
}

// conditional applies "@ID rest" and "@^ID rest": it returns rest without
// the condition, or keep = false when the line is not for this config-id.
// A line with nothing after the condition is dropped.
func (r *reader) conditional(pt ptext) (rest ptext, keep bool) {
	ofs, negate := 1, false
	if pt.hasPrefix("@^") {
		ofs, negate = 2, true
	}
	blank := strings.IndexAny(pt.s[ofs:], " \t")
	if blank < 0 {
		return ptext{}, false
	}
	match := r.configID != "" && pt.s[ofs:ofs+blank] == r.configID
	if match == negate {
		return ptext{}, false
	}
	return pt.slice(ofs+blank, len(pt.s)).trimLeft(), true
}

// isNameStart and isNameChar classify the characters of a parameter name.
func isNameStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isNameChar(c byte) bool  { return isNameStart(c) || '0' <= c && c <= '9' }

// define handles "$NAME=VALUE" (no blank before '='; blanks after it are
// skipped). A value ending in a backslash starts a multi-line definition
// that takes the following physical lines. It reports whether pt was a
// definition.
func (r *reader) define(pt ptext) bool {
	s := pt.s
	if len(s) < 2 || !isNameStart(s[1]) {
		return false
	}
	eq := 2
	for eq < len(s) && isNameChar(s[eq]) {
		eq++
	}
	if eq == len(s) || s[eq] != '=' {
		return false
	}
	value := strings.TrimLeft(s[eq+1:], " \t")
	def := &definition{value: value}
	if strings.HasSuffix(value, `\`) {
		def.multiline = true
		def.value = strings.TrimRight(strings.TrimSuffix(value, `\`), " \t")
		if def.value != "" {
			def.value += "\n"
		}
		r.collecting = def
	}
	r.defs[s[1:eq]] = def
	return true
}

// collect adds one physical line to the multi-line definition being read:
// a line ending in a backslash continues it, any other line ends it.
func (r *reader) collect(pt ptext) {
	line, cont := strings.CutSuffix(pt.s, `\`)
	if cont {
		line = strings.TrimRight(line, " \t") + "\n"
	}
	def := r.collecting
	if !cont {
		r.endCollecting() // before the last line: "$X=\" plus one line is a plain definition
	}
	if len(line) >= 2 || line != "" && !cont {
		def.value += line
	}
}

// endCollecting ends the multi-line definition being read; an empty one is
// an ordinary empty definition.
func (r *reader) endCollecting() {
	if r.collecting.value == "" {
		r.collecting.multiline = false
	}
	r.collecting = nil
}

// paramRef is a use of a parameter found in a line.
type paramRef struct {
	name   string
	end    int    // index after the reference
	params string // "MIN MAX" of ${_RANDOM MIN MAX}
}

// findRef recognises a parameter use at s[i] == '$': $NAME followed by a
// blank, ',', ')' or the end of the line, or ${NAME} anywhere, or
// ${NAME DIGITS...} for parameters that take arguments.
func findRef(s string, i int) (paramRef, bool) {
	j := i + 1
	braces := j < len(s) && s[j] == '{'
	if braces {
		j++
	}
	if j >= len(s) || !isNameStart(s[j]) {
		return paramRef{}, false
	}
	k := j + 1
	for k < len(s) && isNameChar(s[k]) {
		k++
	}
	ref := paramRef{name: s[j:k]}
	if !braces {
		if k < len(s) && strings.IndexByte(" \t,)", s[k]) < 0 {
			return paramRef{}, false
		}
		ref.end = k
		return ref, true
	}
	p := k
	for p < len(s) && (s[p] == ' ' || '0' <= s[p] && s[p] <= '9') {
		p++
	}
	if p == len(s) || s[p] != '}' {
		return paramRef{}, false
	}
	ref.params = strings.TrimLeft(s[k:p], " ")
	if ref.params != "" && strings.HasSuffix(ref.params, " ") {
		return paramRef{}, false // keepalived rejects a blank before '}'
	}
	ref.end = p + 1
	return ref, true
}

// lookup returns the definition a reference uses, if any: a multi-line
// definition only matches at the end of the line, parameters only where
// they are accepted.
func (r *reader) lookup(ref paramRef, atEnd bool) *definition {
	def := r.defs[ref.name]
	if def == nil || def.multiline && !atEnd || ref.params != "" && def.maxParams == 0 {
		return nil
	}
	return def
}

// substitute replaces the parameter uses in pt, rescanning each
// replacement so that substitution is recursive, as keepalived does. The
// further lines of a multi-line definition are appended to deferred. It
// reports whether anything changed; ok is false (with a diagnostic) when a
// recursive definition exhausted the budget.
func (r *reader) substitute(pt *ptext, deferred *[][]ptext, budget *int) (changed, ok bool) {
	b := []byte(pt.s)
	cols := pt.colSlice()
	for i := 0; i+1 < len(b); {
		d := strings.IndexByte(string(b[i:len(b)-1]), '$')
		if d < 0 {
			break
		}
		i += d
		ref, found := findRef(string(b), i)
		var def *definition
		if found {
			def = r.lookup(ref, ref.end == len(b))
		}
		if def == nil {
			i++
			continue
		}
		// Each substitution costs one, and one more per 256 bytes of the line
		// it rewrites: a recursive definition that grows the line ends after
		// about 2.5 MB of copying, not 10,000 copies of a 64 KiB line.
		*budget -= 1 + len(b)/256
		if *budget < 0 || len(b) > r.lim.lineLen {
			r.diags.add(pt.pos(0), ClassGeneral,
				"parameter substitution of $%s does not end - is a definition recursive? Line skipped", ref.name)
			return false, false
		}
		at := Pos{File: pt.file, Line: pt.line, Col: cols[i]}
		value := r.value(def, ref, at)
		first, more, hasMore := value, "", false
		if def.multiline {
			first, more, hasMore = strings.Cut(value, "\n")
		}
		b = append(b[:i:i], append([]byte(first), b[ref.end:]...)...)
		cols = append(cols[:i:i], append(sameCols(len(first), at.Col), cols[ref.end:]...)...)
		if hasMore {
			*deferred = append(*deferred, splitLines(more, at))
		}
		changed = true
		if strings.HasPrefix(strings.TrimLeft(value, " \t"), "~") {
			break // the line is now a ~SEQ/~LST block; its variable is set later
		}
	}
	*pt = pt.withText(b, cols)
	return changed, true
}

// sameCols returns n copies of col.
func sameCols(n, col int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = col
	}
	return c
}

// splitLines splits the further lines of a multi-line definition, all
// attributed to the reference that used it.
func splitLines(s string, at Pos) []ptext {
	var out []ptext
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, uniform(l, at))
		}
	}
	return out
}

// value returns the replacement text of a definition.
func (r *reader) value(def *definition, ref paramRef, at Pos) string {
	switch def.fn {
	case defPWD:
		dir := filepath.Dir(r.curFile())
		if abs, err := filepath.Abs(dir); err == nil && !filepath.IsAbs(dir) {
			dir = abs
		}
		return dir
	case defInstance:
		return r.configID
	case defRandom:
		return r.random(ref.params, at)
	}
	return def.value
}

// random returns ${_RANDOM [MIN [MAX]]}: an integer in [MIN, MAX],
// by default [0, 32767].
func (r *reader) random(params string, at Pos) string {
	lo, hi := uint64(0), uint64(32767)
	if params != "" {
		var n int
		lo, n = strtoul(params)
		if rest := params[n:]; rest != "" {
			var m int
			hi, m = strtoul(rest)
			if rest[m:] != "" {
				r.diags.add(at, ClassNote, "Too many parameters or extra text for ${_RANDOM %s}", params)
			}
		}
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	span := hi - lo + 1
	if span == 0 {
		return strconv.FormatUint(r.rng.Uint64(), 10)
	}
	return strconv.FormatUint(lo+r.rng.Uint64N(span), 10)
}
