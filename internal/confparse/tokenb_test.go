package confparse

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitCommand covers tokeniser B (reference §1.3, man keepalived.conf
// "Quoted strings").
func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" \t ", nil},
		{"/bin/true", []string{"/bin/true"}},
		{"  a \t b\fc\vd  ", []string{"a", "b", "c", "d"}},
		{`abcd" efg h jkl "mnop`, []string{"abcd efg h jkl mnop"}},
		{`abcd "efg h jkl" mnop`, []string{"abcd", "efg h jkl", "mnop"}},
		{`/bin/echo 'a b' c`, []string{"/bin/echo", "a b", "c"}},
		{`notify "/bin/echo 'a b' c" root`, []string{"notify", "/bin/echo 'a b' c", "root"}},
		{`'say "hi"' "it's"`, []string{`say "hi"`, "it's"}},
		{`"" ''`, []string{"", ""}},
		{`a\ b`, []string{"a b"}},
		{`\"a\" \'`, []string{`"a"`, "'"}},
		{`\\ \q`, []string{`\`, "q"}},
		{`\a\b\E\f\n\r\t\v`, []string{"\a\b\x1b\f\n\r\t\v"}},
		{`\101\60x \0 \1234`, []string{"A0x", "\x00", "S4"}},
		{`\777`, []string{"\xff"}},
		{`\x41\x4a4b \xz \x`, []string{"AK", "xz", "x"}},
		{`\cA\c[ \c`, []string{"\x01\x1b", "c"}},
		{`"\t" '\n'`, []string{"\t", "\n"}},
		{`"é ü"`, []string{"é ü"}},
	}
	for _, tc := range tests {
		got, err := SplitCommand(tc.in)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestSplitCommandErrors checks the strings keepalived rejects.
func TestSplitCommandErrors(t *testing.T) {
	for _, in := range []string{`"abc`, `a 'b c`, `abc\`, `"abc\"`, `'x'"`} {
		if got, err := SplitCommand(in); err == nil {
			t.Errorf("SplitCommand(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzSplitCommand checks SplitCommand never panics and that unquoted,
// unescaped words come back unchanged.
func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{`a "b c" 'd'`, `\x41\101\cA`, `"unterminated`, `x\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitCommand(s)
		if strings.ContainsAny(s, `"'\`) {
			return
		}
		want := strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && strings.ContainsRune(whiteSpace, r) })
		if err != nil || !slices.Equal(words, want) && len(want)+len(words) > 0 {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", s, words, err, want)
		}
	})
}

// TestSplitCommandTwice checks a script line the way keepalived derives
// argv (raw line, then its second word again), against what keepalived
// 2.2.7 dumped for the same vrrp_script line.
func TestSplitCommandTwice(t *testing.T) {
	raw := `script "/bin/echo 'a b' c\x41\101\\q d\"e\" \x4a4b \cA\c[ \777 \1234 \xz"`
	words, err := SplitCommand(raw)
	if err != nil || len(words) != 2 {
		t.Fatalf("SplitCommand(raw) = %q, %v", words, err)
	}
	argv, err := SplitCommand(words[1])
	want := []string{"/bin/echo", "a b", "cAAq", "de", "K", "\x01\x1b", "\xff", "S4", "xz"}
	if err != nil || !slices.Equal(argv, want) {
		t.Errorf("argv = %q, %v; want %q", argv, err, want)
	}
}
