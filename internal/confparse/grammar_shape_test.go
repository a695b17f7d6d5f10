package confparse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// oneTokenPerLine feeds participle one token per logical line, without
// grouping lines into runs: the plain use of the grammar that blockParser
// must agree with.
type oneTokenPerLine struct {
	lines []Line
	i     int
}

func (s *oneTokenPerLine) Next() (lexer.Token, error) {
	if s.i >= len(s.lines) {
		return lexer.Token{Type: tokEOF}, nil
	}
	ln := s.lines[s.i]
	typ := tokLine
	switch shapeByte(ln) {
	case '{':
		typ = tokLBrace
	case '}':
		typ = tokRBrace
	}
	t := ln.Tokens[0]
	s.i++
	return lexer.Token{Type: typ, Value: t.Text, Pos: lexer.Position{
		Filename: t.Pos.File, Line: t.Pos.Line, Column: t.Pos.Col, Offset: s.i - 1}}, nil
}

// plainTree parses lines with the grammar alone and renders the tree.
func plainTree(t *testing.T, lines []Line) string {
	t.Helper()
	g, err := newGrammar()
	if err != nil {
		t.Fatal(err)
	}
	pl, err := lexer.Upgrade(&oneTokenPerLine{lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	f, err := g.ParseFromLexer(pl)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(stmts []*astStmt, depth int)
	walk = func(stmts []*astStmt, depth int) {
		for _, s := range stmts {
			ln := lines[s.Pos.Offset]
			fmt.Fprintf(&b, "%s%s @%s", strings.Repeat("  ", depth), ln.String(), ln.Tokens[0].Pos)
			if s.Block != nil {
				open := lines[s.Block.Pos.Offset].Tokens[0].Pos
				fmt.Fprintf(&b, " { @%s\n", open)
				walk(s.Block.Stmts, depth+1)
				continue
			}
			b.WriteString("\n")
		}
	}
	walk(f.Stmts, 0)
	return b.String()
}

// nodeTree renders a statement tree as plainTree does.
func nodeTree(nodes []*Node) string {
	var b strings.Builder
	var walk func(nodes []*Node, depth int)
	walk = func(nodes []*Node, depth int) {
		for _, n := range nodes {
			fmt.Fprintf(&b, "%s%s @%s", strings.Repeat("  ", depth), n.Line.String(), n.Pos())
			if strings.Join(tokenTexts(n.Words), " ") != n.Line.String() {
				b.WriteString(" (words differ from the line)")
			}
			if n.HasBlock {
				fmt.Fprintf(&b, " { @%s\n", n.Open)
				walk(n.Children, depth+1)
				continue
			}
			b.WriteString("\n")
		}
	}
	walk(nodes, 0)
	return b.String()
}

func tokenTexts(ts []Token) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Text
	}
	return out
}

// TestBlockParserMatchesGrammar checks that grouping lines into runs and
// remembering trees by shape gives, for every top-level statement of every
// testdata configuration, the tree the grammar gives one line at a time,
// whether the shape is new to the parser or remembered.
func TestBlockParserMatchesGrammar(t *testing.T) {
	confs, err := filepath.Glob(filepath.Join(configDir, "*.conf"))
	if err != nil || len(confs) == 0 {
		t.Fatalf("no configs in %s: %v", configDir, err)
	}
	extra := "vrrp_instance A {\n a\n b {\n c\n d\n }\n e {\n }\n f\n}\nx\ny\nz {\n}\n"
	p, err := newBlockParser()
	if err != nil {
		t.Fatal(err)
	}
	statements := 0
	check := func(name string, lines []Line) {
		statements++
		want := plainTree(t, lines)
		for _, pass := range []string{"first", "remembered"} {
			nodes, err := p.parse(lines)
			if err != nil {
				t.Fatalf("%s: %s parse: %v", name, pass, err)
			}
			if got := nodeTree(nodes); got != want {
				t.Fatalf("%s: %s parse:\n%s\nwant:\n%s", name, pass, got, want)
			}
		}
	}
	for _, conf := range append(confs, "extra") {
		var lines []Line
		if conf == "extra" {
			lines, _ = Read("/extra.conf", ReadOptions{FS: MemFS{"/extra.conf": extra}})
		} else {
			text, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			lines, _ = Read("/c.conf", ReadOptions{FS: MemFS{"/c.conf": string(text)}, ConfigID: "gk1"})
		}
		balanced, _ := balance(lines)
		check(conf+" (whole)", balanced)
		a := &assembler{emit: func(ls []Line) { check(conf, append([]Line(nil), ls...)) }}
		for _, ln := range lines {
			a.push(ln)
		}
		a.finish()
	}
	if len(p.shapes) >= statements {
		t.Errorf("%d shapes remembered for %d statements: shapes are not shared", len(p.shapes), statements)
	}
}

// TestDuplicateVRIDOrder checks that each instance reusing a VRID is
// reported once, in file order, against the first instance with it.
func TestDuplicateVRIDOrder(t *testing.T) {
	var b strings.Builder
	for i, vrid := range []int{1, 2, 1, 2, 1, 3} {
		fmt.Fprintf(&b, "vrrp_instance VI_%d {\n interface eth0\n virtual_router_id %d\n virtual_ipaddress {\n  192.0.2.%d\n }\n}\n", i+1, vrid, i+1)
	}
	b.WriteString("vrrp_instance VI_7 {\n interface eth1\n virtual_router_id 1\n virtual_ipaddress {\n  192.0.2.7\n }\n}\n")
	_, diags := Load("/v.conf", Options{
		Read: ReadOptions{FS: MemFS{"/v.conf": b.String()}},
		Env:  newTestEnv("eth0", "eth1"),
	})
	var got []string
	for _, d := range diags {
		if strings.Contains(d.Msg, "both use VRID") {
			got = append(got, d.Msg)
		}
	}
	want := []string{
		"VI_1 and VI_3 both use VRID 1 with IPv4 on interface eth0",
		"VI_2 and VI_4 both use VRID 2 with IPv4 on interface eth0",
		"VI_1 and VI_5 both use VRID 1 with IPv4 on interface eth0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
