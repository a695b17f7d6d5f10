package confparse

import (
	"math"
	"strings"
)

// ptext is a piece of configuration text that remembers, for every byte,
// the column it came from. All bytes of a ptext come from one physical
// line: text produced by substitution or by a multi-line definition carries
// the column of the $NAME reference that produced it.
type ptext struct {
	s    string
	file string
	line int
	// cols holds the 1-based source column of each byte of s; when it is
	// nil, byte i came from column base+i+1, as the bytes of a physical
	// line that pre-processing did not rewrite do. Most lines are never
	// rewritten, and a slice of columns per line (eight bytes per byte of
	// text) was most of what reading a large file allocated.
	cols []int
	base int
}

// newPText returns the physical line s of file at line n.
func newPText(s, file string, n int) ptext {
	return ptext{s: s, file: file, line: n}
}

// col returns the source column of byte i of pt.
func (pt ptext) col(i int) int {
	if pt.cols == nil {
		return pt.base + i + 1
	}
	return pt.cols[i]
}

// colSlice returns a new slice of the source columns of pt's bytes.
func (pt ptext) colSlice() []int {
	if pt.cols != nil {
		return append([]int(nil), pt.cols...)
	}
	cols := make([]int, len(pt.s))
	for i := range cols {
		cols[i] = pt.base + i + 1
	}
	return cols
}

// uniform returns s with every byte attributed to the same position.
func uniform(s string, at Pos) ptext {
	cols := make([]int, len(s))
	for i := range cols {
		cols[i] = at.Col
	}
	return ptext{s: s, file: at.File, line: at.Line, cols: cols}
}

// pos returns the position of byte i (or of the last byte, or of the start
// of the line when pt is empty).
func (pt ptext) pos(i int) Pos {
	col := 1
	switch {
	case i < len(pt.s):
		col = pt.col(i)
	case len(pt.s) > 0:
		col = pt.col(len(pt.s) - 1)
	}
	return Pos{File: pt.file, Line: pt.line, Col: col}
}

func (pt ptext) empty() bool             { return pt.s == "" }
func (pt ptext) hasPrefix(p string) bool { return strings.HasPrefix(pt.s, p) }
func (pt ptext) slice(i, j int) ptext {
	if pt.cols == nil {
		return ptext{pt.s[i:j], pt.file, pt.line, nil, pt.base + i}
	}
	return ptext{pt.s[i:j], pt.file, pt.line, pt.cols[i:j], 0}
}
func (pt ptext) trimLeft() ptext {
	return pt.slice(len(pt.s)-len(strings.TrimLeft(pt.s, " \t")), len(pt.s))
}
func (pt ptext) trimRight() ptext                 { return pt.slice(0, len(strings.TrimRight(pt.s, " \t"))) }
func (pt ptext) withText(b []byte, c []int) ptext { return ptext{string(b), pt.file, pt.line, c, 0} }

// decomment removes a comment (from '#' or '!' outside double quotes to the
// end of the line) and leading and trailing blanks, as keepalived's
// decomment(): "\#" and "\!" outside quotes stand for the character itself,
// and a trailing backslash is kept, glued to the text before it.
func decomment(pt ptext) ptext {
	pt = pt.trimLeft()
	s := pt.s
	if strings.IndexByte(s, '\\') < 0 {
		// Without escapes the result is a prefix of the line.
		return pt.slice(0, commentStart(s)).trimRight()
	}
	b := make([]byte, 0, len(s))
	c := make([]int, 0, len(s))
	put := func(i int) { b, c = append(b, s[i]), append(c, pt.col(i)) }
	quote, comment, cont := false, -1, -1
scan:
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			if comment < 0 {
				quote = !quote
			}
			put(i)
		case '\\':
			if i+1 == len(s) {
				cont = i
				break scan
			}
			if quote || (s[i+1] != '#' && s[i+1] != '!') {
				put(i)
			}
			i++
			put(i)
		case '#', '!':
			if !quote && comment < 0 {
				comment = len(b)
			}
			put(i)
		default:
			put(i)
		}
	}
	if comment >= 0 {
		b, c = b[:comment], c[:comment]
	}
	out := pt.withText(b, c).trimRight()
	if cont >= 0 {
		out = ptext{out.s + `\`, pt.file, pt.line, append(out.colSlice(), pt.col(cont)), 0}
	}
	return out
}

// commentStart returns the index of the '#' or '!' outside double quotes
// that starts a comment in s, which has no backslash, or len(s).
func commentStart(s string) int {
	quote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quote = !quote
		case '#', '!':
			if !quote {
				return i
			}
		}
	}
	return len(s)
}

// whiteSpace is keepalived's WHITE_SPACE: the characters that separate
// tokens.
const whiteSpace = " \t\f\n\r\v"

// tokenise splits pt with keepalived's keyword tokeniser (tokeniser A of the
// reference, §1.3): whitespace separates, double quotes group and are
// removed, a double quote also ends an unquoted token. bad is the index of
// an unmatched quote, or -1; the tokens before it are returned. The tokens'
// texts come from w (nil: substrings of pt); the tokens go into buf's array
// when it is not nil, into a new one otherwise.
func tokenise(pt ptext, w *wordTable, buf []Token) (toks []Token, bad int) {
	s := pt.s
	if toks = buf[:0]; buf == nil {
		toks = make([]Token, 0, countWords(s))
	}
	i := 0
	for {
		for i < len(s) && strings.IndexByte(whiteSpace, s[i]) >= 0 {
			i++
		}
		if i == len(s) {
			return toks, -1
		}
		if s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				return toks, i
			}
			toks = append(toks, Token{Text: w.word(s[i+1 : i+1+end]), Pos: pt.pos(i), Quoted: true})
			i += end + 2
			continue
		}
		j := i
		for j < len(s) && s[j] != '"' && strings.IndexByte(whiteSpace, s[j]) < 0 {
			j++
		}
		toks = append(toks, Token{Text: w.word(s[i:j]), Pos: pt.pos(i)})
		i = j
	}
}

// countWords returns the number of runs of non-blanks in s, which is the
// number of tokens tokenise finds unless quotes split or join words.
func countWords(s string) int {
	n, in := 0, false
	for i := 0; i < len(s); i++ {
		blank := strings.IndexByte(whiteSpace, s[i]) >= 0
		if !blank && !in {
			n++
		}
		in = !blank
	}
	return n
}

// strtol parses an integer prefix of s as C's strtol(s, &end, 0) does:
// leading whitespace, a sign, then hex (0x), octal (0) or decimal digits;
// out-of-range values saturate. n is the number of bytes used, 0 if no
// digits were found.
func strtol(s string) (v int64, n int) {
	i := 0
	for i < len(s) && strings.IndexByte(whiteSpace, s[i]) >= 0 {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if rest := s[i:]; strings.HasPrefix(rest, "0") {
		base = 8
		if len(rest) > 2 && (rest[1] == 'x' || rest[1] == 'X') && digitVal(rest[2]) < 16 {
			base, i = 16, i+2
		}
	}
	mag, used := parseDigits(s[i:], base)
	if used == 0 {
		return 0, 0
	}
	if neg {
		if mag > math.MaxInt64 {
			return math.MinInt64, i + used
		}
		return -int64(mag), i + used
	}
	if mag > math.MaxInt64 {
		return math.MaxInt64, i + used
	}
	return int64(mag), i + used
}

// strtoul parses a decimal prefix of s (after optional whitespace),
// saturating at the maximum; n is the number of bytes used.
func strtoul(s string) (v uint64, n int) {
	i := 0
	for i < len(s) && strings.IndexByte(whiteSpace, s[i]) >= 0 {
		i++
	}
	v, used := parseDigits(s[i:], 10)
	if used == 0 {
		return 0, 0
	}
	return v, i + used
}

// parseDigits reads digits of base from the start of s, saturating at the
// maximum uint64.
func parseDigits(s string, base uint64) (v uint64, n int) {
	for n < len(s) {
		d := digitVal(s[n])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-d)/base {
			v = math.MaxUint64
		} else {
			v = v*base + d
		}
		n++
	}
	return v, n
}

// digitVal returns the value of a hex digit, or 99.
func digitVal(c byte) uint64 {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0')
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}
