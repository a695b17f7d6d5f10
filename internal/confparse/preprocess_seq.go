package confparse

import (
	"math"
	"strconv"
	"strings"
)

// seqBlock is a parsed ~SEQ(var, start, step, end) or ~LST(var, v1, ...)
// prefix: the variables, the value sets to give them in turn and the text
// to repeat.
type seqBlock struct {
	vars   []string
	values [][]string // for ~LST; nil for ~SEQ
	start  int64      // for ~SEQ
	step   int64
	end    int64
	hex    bool
	text   int // index in the line of the text to repeat
}

// expandBlock expands a line starting with ~SEQ or ~LST: the rest of the
// line is processed once per value, with the variables defined. Blocks
// nest, since the repeated text may itself start with one.
func (r *reader) expandBlock(pt ptext, depth int) {
	var blk seqBlock
	var msg string
	if pt.hasPrefix("~SEQ") {
		blk, msg = r.parseSeq(pt)
	} else {
		blk, msg = parseLst(pt.s)
	}
	if msg != "" {
		r.diags.add(pt.pos(0), ClassGeneral, "%s '%s'", msg, pt.s)
		return
	}
	text := pt.slice(blk.text, len(pt.s))
	if blk.values != nil {
		for _, set := range blk.values {
			if !r.spend(pt.pos(0)) {
				return
			}
			for i, v := range blk.vars {
				r.setDef(v, set[i])
			}
			r.processLine(text, depth+1)
		}
		return
	}
	for v := blk.start; ; v += blk.step {
		if !r.spend(pt.pos(0)) {
			return
		}
		if blk.hex {
			r.setDef(blk.vars[0], strconv.FormatUint(uint64(v), 16))
		} else {
			r.setDef(blk.vars[0], strconv.FormatInt(v, 10))
		}
		r.processLine(text, depth+1)
		if blk.step > 0 && (v > math.MaxInt64-blk.step || v+blk.step > blk.end) ||
			blk.step < 0 && (v < math.MinInt64-blk.step || v+blk.step < blk.end) {
			return
		}
	}
}

// parseSeq parses "~SEQ(var, [start,] [step,] end) text" (or ~SEQx, whose
// values are written in hex). The numbers are C integers (0x hex, 0 octal)
// and may use parameters. On error it returns keepalived's message.
func (r *reader) parseSeq(pt ptext) (blk seqBlock, msg string) {
	const invalid = "Invalid ~SEQ definition"
	s := pt.s
	p := len("~SEQ")
	if p < len(s) && s[p] == 'x' {
		blk.hex = true
		p++
	}
	p = skipBlanks(s, p)
	if p == len(s) || s[p] != '(' {
		return blk, "Invalid ~SEQ specification"
	}
	p = skipBlanks(s, p+1)
	v := p + strcspn(s[p:], " \t,)")
	blk.vars = []string{s[p:v]}
	p = skipBlanks(s, v)
	if p == len(s) || s[p] != ',' || v == len(s) || blk.vars[0] == "" {
		return blk, invalid
	}
	p = skipBlanks(s, p+1)
	close := strings.IndexByte(s[p:], ')')
	if close < 0 {
		return blk, invalid
	}
	close += p
	// The numbers may be parameters: substitute them (no deferral can
	// happen, since a multi-line parameter is only used at the end of a line).
	nums := pt.slice(p, close+1)
	budget := r.lim.substs
	var deferred [][]ptext
	if _, ok := r.substitute(&nums, &deferred, &budget); !ok {
		return blk, invalid
	}
	if msg := blk.setNumbers(nums.s); msg != "" {
		return blk, msg
	}
	blk.text = skipBlanks(s, close+1)
	return blk, ""
}

// setNumbers parses "end)", "start, end)" or "start, step, end)". On error
// it returns keepalived's message.
func (blk *seqBlock) setNumbers(s string) string {
	var nums []int64
	for {
		v, n := strtol(s)
		nums = append(nums, v)
		s = strings.TrimLeft(s[n:], " \t")
		if strings.HasPrefix(s, ")") {
			break
		}
		if !strings.HasPrefix(s, ",") || len(nums) == 3 {
			return "Invalid ~SEQ definition"
		}
		s = s[1:]
	}
	switch len(nums) {
	case 1:
		blk.end = nums[0]
		blk.step, blk.start = 1, 1
		if blk.end < 1 {
			blk.step = -1
		}
		if blk.end < 0 {
			blk.start = -1
		}
	case 2:
		blk.start, blk.end, blk.step = nums[0], nums[1], 1
		if blk.start > blk.end {
			blk.step = -1
		}
	default:
		blk.start, blk.step, blk.end = nums[0], nums[1], nums[2]
		if blk.step == 0 || blk.start < blk.end && blk.step < 0 || blk.start > blk.end && blk.step > 0 {
			return "Invalid ~SEQ values"
		}
	}
	if blk.hex && (blk.start < 0 || blk.end < 0) {
		return "~SEQx is only valid for positive numbers"
	}
	return ""
}

// parseLst parses "~LST(var, v1, v2, ...) text" and
// "~LST({var1, var2}, {v1, v2}, ...) text"; missing values of a set are
// empty. On error it returns keepalived's message.
func parseLst(s string) (blk seqBlock, msg string) {
	const invalid = "Invalid ~LST specification"
	p := skipBlanks(s, len("~LST"))
	if p == len(s) || s[p] != '(' {
		return blk, invalid
	}
	vars, p, msg := lstGroup(s, skipBlanks(s, p+1), " \t,}", -1)
	if msg != "" || p == len(s) || s[p] != ',' {
		return blk, invalid
	}
	blk.vars = vars
	p = skipBlanks(s, p+1)
	for {
		set, q, msg := lstGroup(s, p, " \t,})", len(vars))
		if msg != "" {
			return blk, msg
		}
		for len(set) < len(vars) {
			set = append(set, "")
		}
		blk.values = append(blk.values, set)
		if q < len(s) && s[q] == ')' {
			blk.text = skipBlanks(s, q+1)
			return blk, ""
		}
		if q == len(s) || s[q] != ',' {
			return blk, invalid
		}
		p = skipBlanks(s, q+1)
	}
}

// lstGroup reads one ~LST group at s[p]: a single word, or words in braces
// separated by commas. max limits the number of words (-1: no limit). It
// returns the index after the group and any blanks following it, or
// keepalived's message for an invalid group.
func lstGroup(s string, p int, stop string, max int) (words []string, next int, msg string) {
	if p < len(s) && s[p] == '{' {
		p = skipBlanks(s, p+1)
		for {
			w := p + strcspn(s[p:], stop)
			words = append(words, s[p:w])
			p = skipBlanks(s, w)
			if p < len(s) && s[p] == '}' {
				return words, skipBlanks(s, p+1), ""
			}
			if p == len(s) || s[p] != ',' {
				return nil, p, "Invalid ~LST specification"
			}
			if max >= 0 && len(words) >= max {
				return nil, p, "~LST specification has too many values"
			}
			p = skipBlanks(s, p+1)
		}
	}
	w := p + strcspn(s[p:], stop)
	return []string{s[p:w]}, skipBlanks(s, w), ""
}

// skipBlanks returns the index of the first byte at or after p of s that
// is not a space or tab.
func skipBlanks(s string, p int) int {
	for p < len(s) && (s[p] == ' ' || s[p] == '\t') {
		p++
	}
	return p
}

// strcspn returns the length of the prefix of s without bytes of reject.
func strcspn(s, reject string) int {
	if i := strings.IndexAny(s, reject); i >= 0 {
		return i
	}
	return len(s)
}
