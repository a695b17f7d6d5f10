package metrics

import (
	"bufio"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// textWriter writes Prometheus' text exposition format (version 0.0.4)
// with one reused buffer: a scrape of thousands of instances allocates
// next to nothing per sample. It is not safe for concurrent use.
type textWriter struct {
	w      *bufio.Writer
	buf    []byte
	header []byte // the family's HELP and TYPE lines, until its first sample
	labels int    // labels written in the current sample
	err    error
}

// family begins a family: its HELP and TYPE lines go out with its first
// sample, so that a family without samples is left out, as client_golang
// leaves it out.
func (t *textWriter) family(name, typ, help string) {
	t.header = append(t.header[:0], "# HELP "...)
	t.header = append(t.header, name...)
	t.header = append(t.header, ' ')
	t.header = appendEscaped(t.header, help, false)
	t.header = append(t.header, "\n# TYPE "...)
	t.header = append(t.header, name...)
	t.header = append(t.header, ' ')
	t.header = append(t.header, typ...)
	t.header = append(t.header, '\n')
}

// start begins a sample of the metric name, optionally with a suffix
// (_bucket, _sum, _count).
func (t *textWriter) start(name, suffix string) {
	t.buf = append(t.buf[:0], t.header...)
	t.header = t.header[:0]
	t.buf = append(t.buf, name...)
	t.buf = append(t.buf, suffix...)
	t.labels = 0
}

// label adds a label to the current sample.
func (t *textWriter) label(k, v string) {
	t.sep()
	t.buf = append(t.buf, k...)
	t.buf = append(t.buf, `="`...)
	t.buf = appendEscaped(t.buf, v, true)
	t.buf = append(t.buf, '"')
}

// raw adds labels already written as k="v" pairs, comma-separated.
func (t *textWriter) raw(pairs string) {
	if pairs == "" {
		return
	}
	t.sep()
	t.buf = append(t.buf, pairs...)
}

func (t *textWriter) sep() {
	if t.labels == 0 {
		t.buf = append(t.buf, '{')
	} else {
		t.buf = append(t.buf, ',')
	}
	t.labels++
}

// end writes the sample's value and its line.
func (t *textWriter) end(v float64) {
	if t.labels > 0 {
		t.buf = append(t.buf, '}')
	}
	t.buf = append(t.buf, ' ')
	t.buf = appendFloat(t.buf, v)
	t.buf = append(t.buf, '\n')
	t.flush()
}

func (t *textWriter) flush() {
	if t.err == nil {
		_, t.err = t.w.Write(t.buf)
	}
}

// appendFloat formats v as the text format does: the shortest 'g' form,
// +Inf, -Inf, NaN.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendEscaped appends s escaped for a HELP line (backslash and newline)
// or a label value (those and the double quote). Invalid UTF-8, which the
// format does not allow, becomes U+FFFD.
func appendEscaped(b []byte, s string, quote bool) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// labelPairs writes k="v" pairs, comma-separated, for textWriter.raw.
func labelPairs(kv ...string) string {
	var b []byte
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, kv[i]...)
		b = append(b, `="`...)
		b = appendEscaped(b, kv[i+1], true)
		b = append(b, '"')
	}
	return string(b)
}
