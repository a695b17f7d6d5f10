package confparse

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"
)

// mainConf is where the tests put the main configuration file.
const mainConf = "/etc/keepalived/keepalived.conf"

// className names a Class in test output.
func className(c Class) string {
	return [...]string{"Note", "FileNotFound", "BadIf", "Fatal", "MultipleFiles", "UnknownKeyword",
		"UnexpectedBOB", "MissingBOB", "UnmatchedQuote", "MissingParameter", "InvalidNumber",
		"General", "Warning", "Deprecated", "Security"}[c]
}

// renderLines shows each line as its tokens, each "text@LINE:COL" (with the
// file's base name when it is not the main file, quotes when quoted).
func renderLines(lines []Line) []string {
	out := []string{}
	for _, l := range lines {
		var toks []string
		for _, t := range l.Tokens {
			text := t.Text
			if t.Quoted {
				text = `"` + text + `"`
			}
			where := fmt.Sprintf("%d:%d", t.Pos.Line, t.Pos.Col)
			if t.Pos.File != mainConf {
				where = path.Base(t.Pos.File) + ":" + where
			}
			toks = append(toks, text+"@"+where)
		}
		out = append(out, strings.Join(toks, " "))
	}
	return out
}

// renderDiags shows each diagnostic as "LINE:COL Class message", with the
// file's base name when it is not the main file and " [noconfig]" for a
// failed include check.
func renderDiags(ds Diagnostics) []string {
	out := []string{}
	for _, d := range ds {
		where := fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Col)
		if d.Pos.File != mainConf {
			where = path.Base(d.Pos.File) + ":" + where
		}
		s := where + " " + className(d.Class) + " " + d.Msg
		if d.NoConfig {
			s += " [noconfig]"
		}
		out = append(out, s)
	}
	return out
}

// readCase is one table-driven Read test on a MemFS.
type readCase struct {
	name      string
	conf      string            // the main file
	files     map[string]string // other files
	modes     map[string]fs.FileMode
	id        string   // config-id; "" means "main"
	all       bool     // AllChecks
	want      []string // renderLines
	wantDiags []string // renderDiags
}

func runReadCases(t *testing.T, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mfs := MemFS{mainConf: tc.conf}
			for k, v := range tc.files {
				mfs[k] = v
			}
			id := tc.id
			if id == "" {
				id = "main"
			}
			var fsys FileSystem = mfs
			if tc.modes != nil {
				fsys = modeFS{mfs, tc.modes}
			}
			lines, diags := Read(mainConf, ReadOptions{FS: fsys, ConfigID: id, AllChecks: tc.all})
			checkRendered(t, "lines", renderLines(lines), tc.want)
			checkRendered(t, "diagnostics", renderDiags(diags), tc.wantDiags)
			checkLineInvariants(t, lines)
		})
	}
}

func checkRendered(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

// checkLineInvariants checks what every output line must satisfy.
func checkLineInvariants(t *testing.T, lines []Line) {
	t.Helper()
	for _, l := range lines {
		if len(l.Tokens) == 0 || !l.Pos.IsValid() || l.Pos.Col < 1 || l.Pos.File == "" {
			t.Errorf("bad line %+v", l)
		}
		for _, tok := range l.Tokens {
			if !tok.Pos.IsValid() || tok.Pos.Col < 1 || tok.Pos.File == "" {
				t.Errorf("token %q has bad position %+v", tok.Text, tok.Pos)
			}
		}
		if (l.Raw == "{" || l.Raw == "}") != (len(l.Tokens) == 1 && l.Tokens[0].IsBrace()) {
			t.Errorf("brace line %q has tokens %v", l.Raw, l.Tokens)
		}
		if l.Raw != strings.Trim(l.Raw, " \t") || l.Raw == "" {
			t.Errorf("raw %q not trimmed", l.Raw)
		}
	}
}

// TestReadLexing covers comments, whitespace and tokeniser A (reference
// §1.1-§1.3).
func TestReadLexing(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "comment after text", conf: "router_id r1 # the id\n", want: []string{"router_id@1:1 r1@1:11"}},
		{name: "bang comment", conf: "router_id r1! x\n", want: []string{"router_id@1:1 r1@1:11"}},
		{name: "comment glued", conf: "a#b c\n", want: []string{"a@1:1"}},
		{name: "comment lines dropped", conf: "# one\n  ! two\n\n   \t\nx\n", want: []string{"x@5:1"}},
		{name: "hash in quotes", conf: `label "eth0:a#b"` + "\n", want: []string{`label@1:1 "eth0:a#b"@1:7`}},
		{name: "comment after quotes", conf: `a "b # c" d # e` + "\n", want: []string{`a@1:1 "b # c"@1:3 d@1:11`}},
		{name: "escaped hash", conf: `a \#b \!c` + "\n", want: []string{"a@1:1 #b@1:4 !c@1:8"}},
		{name: "leading and trailing blanks", conf: " \t a  b \t \n", want: []string{"a@1:4 b@1:7"}},
		{name: "crlf", conf: "a b\r\nc\r\n", want: []string{"a@1:1 b@1:3", "c@2:1"}},
		{name: "no final newline", conf: "a\nb", want: []string{"a@1:1", "b@2:1"}},
		{name: "all whitespace separates", conf: "a\fb\vc\td\r e\n", want: []string{"a@1:1 b@1:3 c@1:5 d@1:7 e@1:10"}},
		{name: "double quotes group", conf: `router_id "my router" x` + "\n", want: []string{`router_id@1:1 "my router"@1:11 x@1:23`}},
		{name: "single quotes do not", conf: "router_id 'my router'\n", want: []string{"router_id@1:1 'my@1:11 router'@1:15"}},
		{name: "quote ends a token", conf: `ab"c d"e` + "\n", want: []string{`ab@1:1 "c d"@1:3 e@1:8`}},
		{name: "empty quotes", conf: `a "" b` + "\n", want: []string{`a@1:1 ""@1:3 b@1:6`}},
		{name: "unmatched quote", conf: `a "b c` + "\n", want: []string{"a@1:1"},
			wantDiags: []string{`1:3 UnmatchedQuote Unmatched quote: 'a "b c'`}},
		{name: "unmatched quote hides comment", conf: `a "b # c` + "\n", want: []string{"a@1:1"},
			wantDiags: []string{`1:3 UnmatchedQuote Unmatched quote: 'a "b # c'`}},
		{name: "trailing backslash is no continuation", conf: "virtual_router_id \\\n52\n",
			want: []string{`virtual_router_id\@1:1`, "52@2:1"}},
		{name: "semicolon is text", conf: "a; b\n", want: []string{"a;@1:1 b@1:4"}},
	})
}

// TestReadBraces covers brace splitting (reference §1.4).
func TestReadBraces(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "brace on keyword line", conf: "vrrp_instance X {\n}\n",
			want: []string{"vrrp_instance@1:1 X@1:15", "{@1:17", "}@2:1"}},
		{name: "brace on next line", conf: "vrrp_instance X\n{\n}\n",
			want: []string{"vrrp_instance@1:1 X@1:15", "{@2:1", "}@3:1"}},
		{name: "block on one line", conf: "virtual_ipaddress { 192.0.2.1 }\n",
			want: []string{"virtual_ipaddress@1:1", "{@1:19", "192.0.2.1@1:21", "}@1:31"}},
		{name: "closing brace after value", conf: "virtual_ipaddress {\n  192.0.2.2/24 }\n",
			want: []string{"virtual_ipaddress@1:1", "{@1:19", "192.0.2.2/24@2:3", "}@2:16"}},
		{name: "glued braces", conf: "a{b}c\n", want: []string{"a@1:1", "{@1:2", "b@1:3", "}@1:4", "c@1:5"}},
		{name: "double closing", conf: "}}\n", want: []string{"}@1:1", "}@1:2"}},
		{name: "quoted brace", conf: `a "{" "x}"` + "\n", want: []string{`a@1:1 "{"@1:3 "x}"@1:7`}},
		{name: "undefined braced parameter splits", conf: "x ${UNDEF} y\n",
			want: []string{"x@1:1 $@1:3", "{@1:4", "UNDEF@1:5", "}@1:10", "y@1:12"}},
		{name: "rest after brace is processed", conf: "k1 { @main k2\nk3 { $E=1\n$E\nk4 { @other k5\n",
			want: []string{"k1@1:1", "{@1:4", "k2@1:12", "k3@2:1", "{@2:4", "1@3:1", "k4@4:1", "{@4:4"}},
	})
}

// TestReadRawAndPos checks Line.Raw and Line.Pos.
func TestReadRawAndPos(t *testing.T) {
	conf := "  notify \"/bin/echo 'a b' c\" root # who\n$D=/d\nscript \"${D}/x\" { y\n"
	lines, diags := Read(mainConf, ReadOptions{FS: MemFS{mainConf: conf}})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	type rawPos struct {
		raw string
		pos Pos
	}
	var got []rawPos
	for _, l := range lines {
		got = append(got, rawPos{l.Raw, l.Pos})
	}
	want := []rawPos{
		{`notify "/bin/echo 'a b' c" root`, Pos{File: mainConf, Line: 1, Col: 3}},
		{`script "/d/x"`, Pos{File: mainConf, Line: 3, Col: 1}},
		{"{", Pos{File: mainConf, Line: 3, Col: 17}},
		{"y", Pos{File: mainConf, Line: 3, Col: 19}},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	words, err := SplitCommand(lines[0].Raw)
	if err != nil || !slices.Equal(words, []string{"notify", "/bin/echo 'a b' c", "root"}) {
		t.Errorf("SplitCommand(Raw) = %q, %v", words, err)
	}
}

// TestReadLongLine checks the note for lines keepalived would split.
func TestReadLongLine(t *testing.T) {
	long := "a " + strings.Repeat("b", 1100)
	runReadCases(t, []readCase{
		{name: "1023 bytes is fine", conf: strings.Repeat("c", 1023) + "\n", want: []string{strings.Repeat("c", 1023) + "@1:1"}},
		{name: "longer kept whole", conf: long + "\nz\n", want: []string{"a@1:1 " + long[2:] + "@1:3", "z@2:1"},
			wantDiags: []string{"1:1 Note line longer than 1024 bytes"}},
	})
}

// TestReadMain covers the main file itself (reference §1.1).
func TestReadMain(t *testing.T) {
	tests := []struct {
		name      string
		fsys      FileSystem
		path      string
		want      []string
		wantDiags []string
	}{
		{name: "missing", fsys: MemFS{}, path: "/etc/k/none.conf",
			wantDiags: []string{"none.conf:0:0 FileNotFound Config files missing '/etc/k/none.conf'."}},
		{name: "glob with several matches reads all", path: "/etc/k/*.conf",
			fsys: MemFS{"/etc/k/b.conf": "b\n", "/etc/k/a.conf": "a\n"},
			want: []string{"a@a.conf:1:1", "b@b.conf:1:1"},
			wantDiags: []string{"*.conf:0:0 MultipleFiles multiple configuration file matches of " +
				"'/etc/k/*.conf', starting with '/etc/k/a.conf'"}},
		{name: "brace glob", path: "/etc/k/{b,a}.conf",
			fsys: MemFS{"/etc/k/b.conf": "b\n", "/etc/k/a.conf": "a\n"},
			want: []string{"b@b.conf:1:1", "a@a.conf:1:1"},
			wantDiags: []string{"{b,a}.conf:0:0 MultipleFiles multiple configuration file matches of " +
				"'/etc/k/{b,a}.conf', starting with '/etc/k/b.conf'"}},
		{name: "executable", path: "/etc/k/x.conf",
			fsys:      modeFS{MemFS{"/etc/k/x.conf": "a\n"}, map[string]fs.FileMode{"/etc/k/x.conf": 0o755}},
			wantDiags: []string{"x.conf:0:0 FileNotFound Configuration file '/etc/k/x.conf' is not a regular non-executable file - skipping"}},
		{name: "directory", path: "/etc/k",
			fsys:      MemFS{"/etc/k/x.conf": "a\n"},
			wantDiags: []string{"k:0:0 FileNotFound Configuration file '/etc/k/' is a directory - skipping"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines, diags := Read(tc.path, ReadOptions{FS: tc.fsys})
			checkRendered(t, "lines", renderLines(lines), tc.want)
			checkRendered(t, "diagnostics", renderDiags(diags), tc.wantDiags)
		})
	}
}

// modeFS is a MemFS whose files can have other modes (an execute bit).
type modeFS struct {
	MemFS
	modes map[string]fs.FileMode
}

func (m modeFS) Stat(name string) (fs.FileInfo, error) {
	fi, err := m.MemFS.Stat(name)
	if mode, ok := m.modes[name]; ok && err == nil {
		return memFileInfo{name: fi.Name(), size: fi.Size(), mode: mode}, nil
	}
	return fi, err
}

// TestMemFS checks the in-memory file system the tests rely on.
func TestMemFS(t *testing.T) {
	m := MemFS{"/a/b/c.conf": "x", "/a/d.conf": "y", "/a/.h.conf": "z"}
	if got, _ := m.Glob("/a/*"); !slices.Equal(got, []string{"/a/.h.conf", "/a/b", "/a/d.conf"}) {
		t.Errorf("Glob = %q", got)
	}
	if _, err := m.Glob("/a/["); err == nil {
		t.Error("bad pattern accepted")
	}
	if fi, err := m.Stat("/a/b"); err != nil || !fi.IsDir() {
		t.Errorf("Stat dir = %v, %v", fi, err)
	}
	if fi, err := m.Stat("/a/d.conf"); err != nil || fi.Mode() != 0o644 || fi.Size() != 1 {
		t.Errorf("Stat file = %v, %v", fi, err)
	}
	if _, err := m.ReadFile("/a/none"); err == nil {
		t.Error("ReadFile of a missing file succeeded")
	}
}

// FuzzRead reads arbitrary text as a configuration (with an include file
// beside it) and checks that nothing panics and every token has a position.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{
		"global_defs {\n router_id r1 # c\n}\n",
		"vrrp_instance X {\n virtual_ipaddress { 192.0.2.1/24 }\n}\n",
		"$A=x\n$B=${A}y $A\n$B\n@main a\n@^main b\n",
		"$M=a \\\nb $N \\\nc\n$N=1\n$M\n",
		"~SEQ(N,1,3) ~LST({A,B},{1,2},{3}) x$N ${A}${B}\n~SEQx(H,0x9,2,0xf) h$H\n",
		"include inc.conf\nincludea {inc,none}.conf\ninclude_check\ninclude *.conf\n",
		"$A=$A\n$A\n$R=\\\n$R\n\n$R\n",
		"a \"b # c\nd \\#e ${_RANDOM 1 5} ${_PWD} ${_INSTANCE} \"${_HASH}\"\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, conf string) {
		mfs := MemFS{mainConf: conf, "/etc/keepalived/inc.conf": "inc_kw 1\n$I=2\n"}
		lim := limits{depth: 16, includeDepth: 8, work: 5000, substs: 200, lineLen: 4096}
		r := newReader(ReadOptions{FS: mfs, ConfigID: "main"}, lim)
		r.readMain(mainConf)
		checkLineInvariants(t, r.lines)
		for _, d := range r.diags {
			if d.Pos.File == "" {
				t.Errorf("diagnostic without a file: %v", d)
			}
		}
		for _, l := range r.lines {
			_, _ = SplitCommand(l.Raw)
		}
	})
}
