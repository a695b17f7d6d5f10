package confparse

import (
	"fmt"
	"strings"
)

// SplitCommand is keepalived's quote-and-escape tokeniser (tokeniser B of
// the reference, §1.3), used for script command lines: whitespace separates
// words; both " and ' quote, and quotes may be glued to text (abc" d"e is
// the one word "abc de"); backslash escapes work inside and outside quotes:
// \a \b \E \f \n \r \t \v, \nnn (up to three octal digits), \xHH... (all
// the hex digits that follow), \cC (control-C) and \C for any other C is C.
// It returns an error for an unterminated quote or a backslash at the end.
func SplitCommand(s string) ([]string, error) {
	var words []string
	i := 0
	for {
		for i < len(s) && strings.IndexByte(whiteSpace, s[i]) >= 0 {
			i++
		}
		if i == len(s) {
			return words, nil
		}
		word, next, err := commandWord(s, i)
		if err != nil {
			return nil, err
		}
		words = append(words, word)
		i = next
	}
}

// commandWord reads the word of s starting at i and returns it with the
// index after it.
func commandWord(s string, i int) (word string, next int, err error) {
	var b []byte
	var quote byte
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 == len(s) {
				return "", 0, fmt.Errorf("missing escape character at end of %q", s)
			}
			var e byte
			e, i = unescape(s, i+1)
			b = append(b, e)
			continue
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b = append(b, c)
		case c == '"' || c == '\'':
			quote = c
		case strings.IndexByte(whiteSpace, c) >= 0:
			return string(b), i, nil
		default:
			b = append(b, c)
		}
		i++
	}
	if quote != 0 {
		return "", 0, fmt.Errorf("string %q: missing terminating %c", s, quote)
	}
	return string(b), i, nil
}

// unescape decodes the escape sequence whose first character (after the
// backslash) is s[i], returning the byte and the index after the sequence.
// Like keepalived, values wider than a byte wrap.
func unescape(s string, i int) (byte, int) {
	c := s[i]
	switch {
	case c == 'x' && i+1 < len(s) && digitVal(s[i+1]) < 16:
		var v byte
		for i++; i < len(s) && digitVal(s[i]) < 16; i++ {
			v = v<<4 | byte(digitVal(s[i]))
		}
		return v, i
	case c == 'c' && i+1 < len(s):
		return s[i+1] & 0x1f, i + 2
	case '0' <= c && c <= '7':
		v := c - '0'
		for n, j := 1, i+1; n < 3 && j < len(s) && '0' <= s[j] && s[j] <= '7'; n, j = n+1, j+1 {
			v = v<<3 + (s[j] - '0')
			i = j
		}
		return v, i + 1
	}
	switch c {
	case 'a':
		c = '\a'
	case 'b':
		c = '\b'
	case 'E':
		c = 0x1b
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'v':
		c = '\v'
	}
	return c, i + 1
}
