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
	Pos   lexer.Position
	Block *astBlock `parser:"Key Word* @@?"`
}

type astBlock struct {
	Pos   lexer.Position
	Stmts []*astStmt `parser:"LBrace @@* RBrace"`
}

// tokenDef is the participle lexer definition for the pre-processed token
// stream. Lexing text is never asked of it: tokens come from Lines.
type tokenDef struct{}

const (
	tokEOF  lexer.TokenType = lexer.EOF
	tokWord lexer.TokenType = -(iota + 2)
	tokLBrace
	tokRBrace
	tokKey
)

func (tokenDef) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": tokEOF, "Word": tokWord,
		"LBrace": tokLBrace, "RBrace": tokRBrace, "Key": tokKey,
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
	return participle.Build[astFile](participle.Lexer(tokenDef{}))
}

// lexLines turns logical lines into participle tokens: the first word of a
// line is a Key, the others Words (quoted or not), and a brace line a brace. A
// token's Offset holds the index of its logical line, so statements can
// find their Line.
func lexLines(lines []Line) []lexer.Token {
	n := 0
	for _, ln := range lines {
		n += len(ln.Tokens)
	}
	toks := make([]lexer.Token, 0, n)
	for i, ln := range lines {
		for j, t := range ln.Tokens {
			typ := tokWord
			switch {
			case t.IsBrace() && len(ln.Tokens) == 1 && t.Text == "{":
				typ = tokLBrace
			case t.IsBrace() && len(ln.Tokens) == 1:
				typ = tokRBrace
			case j == 0:
				typ = tokKey
			}
			toks = append(toks, lexer.Token{Type: typ, Value: t.Text, Pos: toLexPos(t.Pos, i)})
		}
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
}

// Keyword returns the statement's first word.
func (n *Node) Keyword() string { return n.Words[0].Text }

// Pos returns the position of the statement's first word.
func (n *Node) Pos() Pos { return n.Words[0].Pos }

// Args returns the words after the keyword.
func (n *Node) Args() []Token { return n.Words[1:] }

// parseStatements runs the grammar over balanced lines and returns the
// statement tree.
func parseWith(g *participle.Parser[astFile], lines []Line) ([]*Node, error) {
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
		// The words come from the line itself: the grammar only checks
		// the shape, and the line's tokens keep quoting and positions.
		n := &Node{Line: lines[s.Pos.Offset]}
		n.Words = n.Line.Tokens
		if s.Block != nil {
			n.HasBlock = true
			n.Open = fromLexPos(s.Block.Pos)
			n.Children = convertStmts(s.Block.Stmts, lines)
		}
		nodes = append(nodes, n)
	}
	return nodes
}

// assembler receives logical lines one at a time, checks brace nesting
// before the grammar sees them, and hands over each complete top-level
// statement (its line and block) as soon as it is complete, so that one
// misplaced brace gives one diagnostic instead of a cascade and a large
// file is never held whole. A "{" that does not follow a statement line is
// reported and dropped with its matching "}"; an extra "}" is reported and
// dropped; blocks still open at the end are reported and closed.
type assembler struct {
	emit       func([]Line)
	diags      Diagnostics
	stack      []bool // one entry per open brace: true if it was dropped
	live       int    // open braces that were kept
	pending    []Line
	prevIsStmt bool
	last       Pos
}

func (a *assembler) push(ln Line) {
	if len(ln.Tokens) == 0 {
		return
	}
	t := ln.Tokens[0]
	a.last = ln.Tokens[len(ln.Tokens)-1].Pos
	switch {
	case isBraceLine(ln, "{"):
		if !a.prevIsStmt {
			a.diags.add(t.Pos, ClassUnexpectedBOB, "unexpected '{' with no keyword before it - ignoring the braces")
			a.stack = append(a.stack, true)
			return
		}
		a.stack = append(a.stack, false)
		a.live++
	case isBraceLine(ln, "}"):
		if len(a.stack) == 0 {
			a.diags.add(t.Pos, ClassUnexpectedBOB, "extra '}' with no block open - ignoring it")
			return
		}
		dropped := a.stack[len(a.stack)-1]
		a.stack = a.stack[:len(a.stack)-1]
		if dropped {
			return
		}
		a.live--
	default:
		if a.live == 0 {
			a.flush()
		}
	}
	a.pending = append(a.pending, ln)
	a.prevIsStmt = !t.IsBrace()
	if a.live == 0 && isBraceLine(ln, "}") {
		a.flush()
	}
}

func (a *assembler) flush() {
	if len(a.pending) > 0 {
		a.emit(a.pending)
		a.pending = nil
	}
}

// finish closes the blocks left open and hands over the last statement.
func (a *assembler) finish() {
	for i := len(a.stack) - 1; i >= 0; i-- {
		if a.stack[i] {
			continue
		}
		a.pending = append(a.pending, Line{Tokens: []Token{{Text: "}", Pos: a.last}}, Raw: "}", Pos: a.last})
	}
	if a.live > 0 {
		a.diags.add(a.openPos(), ClassMissingBOB, "block opened here is never closed: missing '}'")
	}
	a.stack, a.live = nil, 0
	a.flush()
}

// openPos finds the outermost kept "{" of the pending statement.
func (a *assembler) openPos() Pos {
	for _, ln := range a.pending {
		if isBraceLine(ln, "{") {
			return ln.Tokens[0].Pos
		}
	}
	return a.last
}

func isBraceLine(l Line, brace string) bool {
	return len(l.Tokens) == 1 && l.Tokens[0].IsBrace() && l.Tokens[0].Text == brace
}

// parseStatements runs a freshly built grammar over balanced lines.
func parseStatements(lines []Line) ([]*Node, error) {
	g, err := newGrammar()
	if err != nil {
		return nil, fmt.Errorf("building grammar: %w", err)
	}
	return parseWith(g, lines)
}

// balance runs the assembler over whole lines and returns the balanced
// lines with the brace diagnostics.
func balance(lines []Line) ([]Line, Diagnostics) {
	var out []Line
	a := &assembler{emit: func(ls []Line) { out = append(out, ls...) }}
	for _, ln := range lines {
		a.push(ln)
	}
	a.finish()
	return out, a.diags
}
