package config

import (
	"fmt"
	"strings"
)

// Pos is a position in a configuration file: file name, 1-based line and
// 1-based column (in bytes). The zero Pos means "no position".
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as FILE:LINE:COL, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.File == "" && p.Line == 0:
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Token is one word of a logical line, as keepalived's keyword tokeniser
// (tokeniser A of the reference, §1.3) splits it: whitespace separates,
// double quotes group and are removed. A brace outside quotes is a token of
// its own on a line of its own.
type Token struct {
	Text   string
	Pos    Pos
	Quoted bool // the token was written in double quotes
}

// IsBrace reports whether t is an unquoted "{" or "}".
func (t Token) IsBrace() bool { return !t.Quoted && (t.Text == "{" || t.Text == "}") }

// Line is one logical line after pre-processing: its tokens and its text
// after comment removal, parameter substitution and brace splitting. Raw is
// kept because script commands are tokenised a second time from it with the
// quote-and-escape tokeniser (B).
type Line struct {
	Tokens []Token
	Raw    string
	Pos    Pos // position of the first character of Raw
}

// String returns the line's tokens joined by spaces (for messages).
func (l Line) String() string {
	parts := make([]string, len(l.Tokens))
	for i, t := range l.Tokens {
		parts[i] = t.Text
	}
	return strings.Join(parts, " ")
}
