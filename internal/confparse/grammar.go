package confparse

import (
	"fmt"
	"io"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar is keepalived's, reduced to its shape: a file is a list of
// statements; a statement is one logical line of words, optionally followed
// by a block, which is a "{" line, statements and a "}" line. Which keywords
// take blocks, and what the words mean, is the lowering stage's business.

type astFile struct {
	Stmts []*astStmt `parser:"@@*"`
}

type astStmt struct {
	Words []*astWord `parser:"@@+ EOL"`
	Block *astBlock  `parser:"@@?"`
}

type astBlock struct {
	Pos   lexer.Position
	Stmts []*astStmt `parser:"LBrace EOL @@*"`
	Close *astClose  `parser:"@@"`
}

type astClose struct {
	Pos   lexer.Position
	Brace string `parser:"@RBrace EOL"`
}

type astWord struct {
	Pos    lexer.Position
	Plain  *string `parser:"  @Word"`
	Quoted *string `parser:"| @Quoted"`
}

// tokenDef is the participle lexer definition for the pre-processed token
// stream. Lexing text is never asked of it: tokens come from Lines.
type tokenDef struct{}

const (
	tokEOF  lexer.TokenType = lexer.EOF
	tokWord lexer.TokenType = -(iota + 2)
	tokQuoted
	tokLBrace
	tokRBrace
	tokEOL
)

func (tokenDef) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": tokEOF, "Word": tokWord, "Quoted": tokQuoted,
		"LBrace": tokLBrace, "RBrace": tokRBrace, "EOL": tokEOL,
	}
}

func (tokenDef) Lex(string, io.Reader) (lexer.Lexer, error) {
	return nil, fmt.Errorf("confparse: the statement grammar reads pre-processed lines, not text")
}

// sliceLexer feeds participle a ready-made token slice.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		return lexer.Token{Type: tokEOF}, nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}

// grammar is a built participle parser. Building it is cheap enough to do
// per parse, and keeps the package free of package-level state.
func newGrammar() (*participle.Parser[astFile], error) {
	return participle.Build[astFile](participle.Lexer(tokenDef{}), participle.UseLookahead(2))
}

// lexLines turns logical lines into participle tokens. A token's Offset
// holds the index of its logical line, so statements can find their Line.
func lexLines(lines []Line) []lexer.Token {
	var toks []lexer.Token
	for i, ln := range lines {
		var last Pos
		for _, t := range ln.Tokens {
			typ := tokWord
			switch {
			case t.Quoted:
				typ = tokQuoted
			case t.Text == "{":
				typ = tokLBrace
			case t.Text == "}":
				typ = tokRBrace
			}
			toks = append(toks, lexer.Token{Type: typ, Value: t.Text, Pos: toLexPos(t.Pos, i)})
			last = t.Pos
		}
		toks = append(toks, lexer.Token{Type: tokEOL, Value: "\n", Pos: toLexPos(last, i)})
	}
	return toks
}

func toLexPos(p Pos, line int) lexer.Position {
	return lexer.Position{Filename: p.File, Line: p.Line, Column: p.Col, Offset: line}
}

func fromLexPos(p lexer.Position) Pos {
	return Pos{File: p.Filename, Line: p.Line, Col: p.Column}
}

// Node is one statement of the configuration: the words of its line and,
// when a block follows, the statements inside it.
type Node struct {
	Words    []Token
	Line     Line
	Children []*Node
	HasBlock bool
	Open     Pos // position of the block's "{"
	Close    Pos // position of the block's "}"
}

// Keyword returns the statement's first word.
func (n *Node) Keyword() string { return n.Words[0].Text }

// Pos returns the position of the statement's first word.
func (n *Node) Pos() Pos { return n.Words[0].Pos }

// Args returns the words after the keyword.
func (n *Node) Args() []Token { return n.Words[1:] }

// parseStatements runs the grammar over balanced lines and returns the
// statement tree.
func parseStatements(lines []Line) ([]*Node, error) {
	g, err := newGrammar()
	if err != nil {
		return nil, fmt.Errorf("building grammar: %w", err)
	}
	pl, err := lexer.Upgrade(&sliceLexer{toks: lexLines(lines)})
	if err != nil {
		return nil, err
	}
	f, err := g.ParseFromLexer(pl)
	if err != nil {
		return nil, err
	}
	return convertStmts(f.Stmts, lines), nil
}

func convertStmts(stmts []*astStmt, lines []Line) []*Node {
	nodes := make([]*Node, 0, len(stmts))
	for _, s := range stmts {
		n := &Node{Words: make([]Token, len(s.Words))}
		for i, w := range s.Words {
			t := Token{Pos: fromLexPos(w.Pos)}
			if w.Plain != nil {
				t.Text = *w.Plain
			} else {
				t.Text, t.Quoted = *w.Quoted, true
			}
			n.Words[i] = t
		}
		n.Line = lines[s.Words[0].Pos.Offset]
		if s.Block != nil {
			n.HasBlock = true
			n.Open = fromLexPos(s.Block.Pos)
			n.Close = fromLexPos(s.Block.Close.Pos)
			n.Children = convertStmts(s.Block.Stmts, lines)
		}
		nodes = append(nodes, n)
	}
	return nodes
}

// balance checks brace nesting before the grammar sees the lines, so that
// one misplaced brace gives one diagnostic instead of a cascade. A "{" that
// does not follow a statement line is reported and dropped with its matching
// "}"; an extra "}" is reported and dropped; blocks still open at the end
// are reported and closed.
func balance(lines []Line) ([]Line, Diagnostics) {
	var diags Diagnostics
	out := make([]Line, 0, len(lines))
	type open struct {
		pos     Pos
		dropped bool
	}
	var stack []open
	for _, ln := range lines {
		if len(ln.Tokens) == 0 {
			continue
		}
		t := ln.Tokens[0]
		switch {
		case len(ln.Tokens) == 1 && t.IsBrace() && t.Text == "{":
			prevIsStmt := len(out) > 0 && !out[len(out)-1].Tokens[0].IsBrace()
			if !prevIsStmt {
				diags.add(t.Pos, ClassUnexpectedBOB, "unexpected '{' with no keyword before it - ignoring the braces")
				stack = append(stack, open{pos: t.Pos, dropped: true})
				continue
			}
			stack = append(stack, open{pos: t.Pos})
		case len(ln.Tokens) == 1 && t.IsBrace() && t.Text == "}":
			if len(stack) == 0 {
				diags.add(t.Pos, ClassUnexpectedBOB, "extra '}' with no block open - ignoring it")
				continue
			}
			top := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if top.dropped {
				continue
			}
		}
		out = append(out, ln)
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].dropped {
			continue
		}
		diags.add(stack[i].pos, ClassMissingBOB, "block opened here is never closed: missing '}'")
		last := Pos{}
		if len(out) > 0 {
			l := out[len(out)-1]
			last = l.Tokens[len(l.Tokens)-1].Pos
		}
		out = append(out, Line{Tokens: []Token{{Text: "}", Pos: last}}, Raw: "}", Pos: last})
	}
	return out, diags
}
