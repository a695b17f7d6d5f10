package config

import "slices"

// Node is one statement of the configuration: the words of its line and,
// when a block follows, the statements inside it.
//
// While Load lowers a configuration, a Node, its Words, its Line's tokens
// and its Children are valid until the top-level statement they belong to
// is lowered: the next statement reuses their memory, which spares the
// garbage collector most of the work of checking a large configuration
// (README.md, "Benchmark: the config check"; confparse reuses it). What keeps a Node beyond that
// keeps a Clone of it, as the NotRun blocks do.
type Node struct {
	Words    []Token
	Line     Line
	Children []*Node
	HasBlock bool
	Open     Pos // position of the block's "{"
}

// Clone returns a copy of n that shares no memory the parser reuses.
func (n *Node) Clone() *Node {
	c := *n
	c.Line.Tokens = slices.Clone(n.Line.Tokens)
	c.Words = c.Line.Tokens
	if len(n.Words) != len(n.Line.Tokens) || len(n.Words) > 0 && &n.Words[0] != &n.Line.Tokens[0] {
		c.Words = slices.Clone(n.Words)
	}
	if n.Children != nil {
		c.Children = make([]*Node, len(n.Children))
		for i, ch := range n.Children {
			c.Children[i] = ch.Clone()
		}
	}
	return &c
}

// Keyword returns the statement's first word.
func (n *Node) Keyword() string { return n.Words[0].Text }

// Pos returns the position of the statement's first word.
func (n *Node) Pos() Pos { return n.Words[0].Pos }

// Args returns the words after the keyword.
func (n *Node) Args() []Token { return n.Words[1:] }
