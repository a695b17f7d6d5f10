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
	Block *astBlock `parser:"Line @@?"`
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
	tokLine lexer.TokenType = -(iota + 2)
	tokLBrace
	tokRBrace
)

func (tokenDef) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": tokEOF, "Line": tokLine, "LBrace": tokLBrace, "RBrace": tokRBrace,
	}
}

func (tokenDef) Lex(string, io.Reader) (lexer.Lexer, error) {
	return nil, fmt.Errorf("confparse: the statement grammar reads pre-processed lines, not text")
}

// grammar is a built participle parser. Building it is cheap enough to do
// per parse, and keeps the package free of package-level state.
func newGrammar() (*participle.Parser[astFile], error) {
	return participle.Build[astFile](participle.Lexer(tokenDef{}))
}

// maxShapes bounds the block shapes a blockParser remembers, and
// maxShapeLen the length of one, so that a configuration of endlessly
// different blocks costs memory only for the first ones.
const (
	maxShapes   = 1024
	maxShapeLen = 4096
)

// blockParser runs the grammar over the balanced lines of one top-level
// statement at a time and builds the statement tree.
//
// The grammar gives participle one token per run of lines, not one per
// word: a brace line is LBrace or RBrace, and consecutive lines of words are
// one Line token (a run). The grammar parses a run as one statement, which
// may be followed by a block: the block belongs to the run's last line, and
// the others are statements without a block, which is how the grammar parses
// them one line at a time whatever their words are. The tree then depends
// only on the sequence of token types, the shape of the statement (such as
// "L{L{L}L}" for an instance with one sub-block), so the parser remembers the
// tree of each shape and runs participle once per shape: a configuration of
// thousands of instances has a handful of shapes, and parsing every block
// with participle was the largest cost of checking one (README.md,
// "Benchmark: the config check"). The words of each statement are taken from
// its line, which keeps their quoting and positions.
//
// A blockParser is not safe for concurrent use.
type blockParser struct {
	g      *participle.Parser[astFile]
	shapes map[string][]shapeStmt
	runs   []lineRun // scratch: the runs of the lines being parsed
	key    []byte    // scratch: their shape
	words  int       // the number of lines of words among them
	slab   []Node    // the Nodes of the last parse, reused by the next
}

// lineRun is lines[start:start+n], which the grammar sees as one token.
type lineRun struct{ start, n int }

// shapeStmt is a statement of a shape: its run and, when it has a block,
// which belongs to the run's last line, the run of its "{" line and its
// statements.
type shapeStmt struct {
	run      int
	open     int // -1 without a block
	children []shapeStmt
}

func newBlockParser() (*blockParser, error) {
	g, err := newGrammar()
	if err != nil {
		return nil, err
	}
	return &blockParser{g: g, shapes: map[string][]shapeStmt{}}, nil
}

// parse returns the statement tree of balanced lines. The Nodes are valid
// until the next parse, which reuses them.
func (p *blockParser) parse(lines []Line) ([]*Node, error) {
	p.split(lines)
	shape, ok := p.shapes[string(p.key)]
	if !ok {
		var err error
		if shape, err = p.parseShape(lines); err != nil {
			return nil, err
		}
		if len(p.shapes) < maxShapes && len(p.key) <= maxShapeLen {
			p.shapes[string(p.key)] = shape
		}
	}
	if cap(p.slab) < p.words {
		p.slab = make([]Node, p.words)
	}
	// Cleared, so that a Node kept from the last parse shows.
	clear(p.slab[:cap(p.slab)])
	b := nodeBuilder{lines: lines, runs: p.runs, slab: p.slab[:p.words]}
	return b.build(shape), nil
}

// split groups lines into runs and sets the shape key: '{' and '}' for a
// brace line, 'L' for a run of lines of words. Lines without tokens are
// left out, and end a run.
func (p *blockParser) split(lines []Line) {
	p.runs, p.key, p.words = p.runs[:0], p.key[:0], 0
	inRun := false // the last run is of lines of words, and may grow
	for i, ln := range lines {
		if len(ln.Tokens) == 0 {
			inRun = false
			continue
		}
		c := shapeByte(ln)
		if c == 'L' {
			p.words++
			if inRun {
				p.runs[len(p.runs)-1].n++
				continue
			}
		}
		p.runs = append(p.runs, lineRun{i, 1})
		p.key = append(p.key, c)
		inRun = c == 'L'
	}
}

func shapeByte(ln Line) byte {
	if t := ln.Tokens[0]; len(ln.Tokens) == 1 && t.IsBrace() {
		return t.Text[0]
	}
	return 'L'
}

// parseShape runs the grammar over the runs of lines and returns the tree
// by run index.
func (p *blockParser) parseShape(lines []Line) ([]shapeStmt, error) {
	pl, err := lexer.Upgrade(&runLexer{lines: lines, runs: p.runs, key: p.key})
	if err != nil {
		return nil, err
	}
	f, err := p.g.ParseFromLexer(pl)
	if err != nil {
		return nil, err
	}
	return shapeOf(f.Stmts), nil
}

func shapeOf(stmts []*astStmt) []shapeStmt {
	out := make([]shapeStmt, len(stmts))
	for i, s := range stmts {
		out[i] = shapeStmt{run: s.Pos.Offset, open: -1}
		if s.Block != nil {
			out[i].open = s.Block.Pos.Offset
			out[i].children = shapeOf(s.Block.Stmts)
		}
	}
	return out
}

// runLexer feeds participle one token per run of lines, of the type its
// shape byte says; a token's Offset holds the index of its run.
type runLexer struct {
	lines []Line
	runs  []lineRun
	key   []byte
	i     int
}

func (r *runLexer) Next() (lexer.Token, error) {
	if r.i >= len(r.runs) {
		return lexer.Token{Type: tokEOF}, nil
	}
	typ := tokLine
	switch r.key[r.i] {
	case '{':
		typ = tokLBrace
	case '}':
		typ = tokRBrace
	}
	t := r.lines[r.runs[r.i].start].Tokens[0]
	r.i++
	return lexer.Token{Type: typ, Value: t.Text, Pos: lexer.Position{
		Filename: t.Pos.File, Line: t.Pos.Line, Column: t.Pos.Col, Offset: r.i - 1}}, nil
}

// nodeBuilder turns a shape back into the statements of its lines, taking
// the Nodes from one allocation, one Node per line of words.
type nodeBuilder struct {
	lines []Line
	runs  []lineRun
	slab  []Node
}

func (b *nodeBuilder) node() *Node {
	nd := &b.slab[0]
	b.slab = b.slab[1:]
	return nd
}

func (b *nodeBuilder) build(shape []shapeStmt) []*Node {
	n := 0
	for _, s := range shape {
		n += b.runs[s.run].n
	}
	nodes := make([]*Node, 0, n)
	for _, s := range shape {
		r := b.runs[s.run]
		for i := r.start; i < r.start+r.n; i++ {
			nd := b.node()
			nd.Line = b.lines[i]
			nd.Words = nd.Line.Tokens
			nodes = append(nodes, nd)
		}
		if s.open >= 0 {
			nd := nodes[len(nodes)-1]
			nd.HasBlock = true
			nd.Open = b.lines[b.runs[s.open].start].Tokens[0].Pos
			nd.Children = b.build(s.children)
		}
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
	// blocks are the keywords of the kept open blocks, outermost first;
	// prevKw is the keyword of the previous statement line.
	blocks []string
	prevKw string
	// braceless is the value-block keyword line just read without its
	// '{' (see valueBlocks), until the next line shows whether one follows.
	braceless     *Line
	bracelessLine Line // what braceless points to
	// reuse is set when emit keeps nothing of the lines it is given once it
	// returns: the tokens of pending lines are then copied into toks, whose
	// array holds the next statement's tokens after a flush, so that the
	// line's own tokens can be the reader's reused ones.
	reuse bool
	toks  []Token
}

// valueBlocks lists, by the block they are in ("" for the top level), the
// keywords whose block keepalived reads with alloc_value_block or
// read_value_block (lib/parser.c): a list of entries. Written without a
// '{' on their line, keepalived still takes the lines that follow, up to
// the next '}', as the block's entries (after reporting any words after
// the keyword as extra parameters), and the block around it goes on.
var valueBlocks = map[string]map[string]bool{
	"": set("static_ipaddress", "static_routes", "static_rules", "linkbeat_interfaces",
		"interface_up_down_delays", "virtual_server_group"),
	"global_defs":     set("notification_email"),
	"track_group":     set("group"),
	"garp_group":      set("interfaces"),
	"vrrp_sync_group": set("group", "track_interface", "track_script", "track_file", "track_process", "track_bfd"),
	"vrrp_instance": set("virtual_ipaddress", "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules",
		"track_interface", "track_script", "track_file", "track_process", "track_bfd", "unicast_peer"),
}

func (a *assembler) push(ln Line) {
	if len(ln.Tokens) == 0 {
		return
	}
	if b := a.braceless; b != nil {
		a.braceless = nil
		if !isBraceLine(ln, "{") {
			kw := b.Tokens[0]
			// keepalived's VRRP process reads the block's entries from the
			// lines that follow, up to the next '}', and goes on in the
			// block around it; its first pass, which counts braces, takes
			// that '}' as the end of the block around and reports what
			// follows as misplaced, so -t fails.
			a.diags.add(kw.Pos, ClassGeneral, "'%s' has no '{' on its line: its entries are read from the lines that follow, up to the next '}', as keepalived's VRRP process reads them; keepalived's -t counts braces, ends the block around it at that '}' and fails", kw.Text)
			a.diags[len(a.diags)-1].Hint = "put '{' at the end of the line"
			a.push(Line{Tokens: []Token{{Text: "{", Pos: ln.Tokens[0].Pos}}, Raw: "{", Pos: ln.Pos})
		}
	}
	t := ln.Tokens[0]
	a.last = ln.Tokens[len(ln.Tokens)-1].Pos
	owned := false
	switch {
	case isBraceLine(ln, "{"):
		if !a.prevIsStmt {
			a.diags.add(t.Pos, ClassUnexpectedBOB, "unexpected '{' with no keyword before it - ignoring the braces")
			a.stack = append(a.stack, true)
			return
		}
		a.stack = append(a.stack, false)
		a.live++
		a.blocks = append(a.blocks, a.prevKw)
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
		a.blocks = a.blocks[:len(a.blocks)-1]
	default:
		if a.live == 0 {
			a.flush()
		}
		ln = a.own(ln)
		owned = true
		a.prevKw = t.Text
		parent := ""
		if n := len(a.blocks); n > 0 {
			parent = a.blocks[n-1]
		}
		if valueBlocks[parent][t.Text] {
			a.bracelessLine = ln // kept in the assembler: no allocation per line
			a.braceless = &a.bracelessLine
			first := 1
			if t.Text == "virtual_server_group" {
				first = 2 // after the group's name
			}
			if len(ln.Tokens) > first {
				a.diags.add(ln.Tokens[first].Pos, ClassGeneral, "Block %s has extra parameters %s ... - they are ignored", t.Text, ln.Tokens[first].Text)
				a.diags[len(a.diags)-1].Hint = "a block's entries go on the lines after its '{'"
			}
		}
	}
	if !owned {
		ln = a.own(ln)
	}
	a.pending = append(a.pending, ln)
	a.prevIsStmt = !t.IsBrace()
	if a.live == 0 && isBraceLine(ln, "}") {
		a.flush()
	}
}

// own returns ln with its tokens copied into the assembler's, when emit
// keeps nothing.
func (a *assembler) own(ln Line) Line {
	if !a.reuse {
		return ln
	}
	start := len(a.toks)
	a.toks = append(a.toks, ln.Tokens...)
	ln.Tokens = a.toks[start:len(a.toks):len(a.toks)]
	return ln
}

func (a *assembler) flush() {
	if len(a.pending) > 0 {
		a.emit(a.pending)
		// emit does not keep the slice: its array holds the next
		// statement's lines. Cleared tokens make a kept one show.
		clear(a.pending)
		a.pending = a.pending[:0]
		clear(a.toks)
		a.toks = a.toks[:0]
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
	a.stack, a.live, a.blocks, a.braceless = nil, 0, nil, nil
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
	p, err := newBlockParser()
	if err != nil {
		return nil, fmt.Errorf("building grammar: %w", err)
	}
	return p.parse(lines)
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
