package confparse

import "strings"

// Bounds of a wordTable: it holds at most maxWords distinct words of at
// most maxWordLen bytes.
const (
	maxWords   = 4096
	maxWordLen = 32
)

// wordTable gives the tokens of the configuration strings of their own
// instead of substrings of their lines, one string per distinct word (a
// keyword, an interface or script name, an address), so that a lowered
// configuration keeps the words it uses and not the lines they came from:
// a vrrp_instance keeps its name, its interface and its addresses' devices,
// and their lines cost a check of a large file more memory than the words.
// A wordTable is not safe for concurrent use.
type wordTable struct {
	m map[string]string
}

func newWordTable() *wordTable { return &wordTable{m: map[string]string{}} }

// word returns s, shared when an equal word was seen before. A long word
// stays a substring of its line; once the table is full, a new word gets
// a copy of its own.
func (w *wordTable) word(s string) string {
	if len(s) > maxWordLen || w == nil {
		return s
	}
	if t, ok := w.m[s]; ok {
		return t
	}
	t := strings.Clone(s)
	if len(w.m) < maxWords {
		w.m[t] = t
	}
	return t
}
