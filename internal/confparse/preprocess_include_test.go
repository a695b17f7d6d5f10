package confparse

import (
	"io/fs"
	"strconv"
	"testing"
)

// includeTree returns the tree the include tests read, beside the main file.
func includeTree() map[string]string {
	return map[string]string{
		"/etc/keepalived/inc/ok.conf":    "ok_kw\n",
		"/etc/keepalived/inc/exe.conf":   "exe_kw\n",
		"/etc/keepalived/inc/.hid.conf":  "hidden_kw\n",
		"/etc/keepalived/inc/sub/s.conf": "s_kw\n",
	}
}

// includeModes gives inc/exe.conf an execute bit.
func includeModes() map[string]fs.FileMode {
	return map[string]fs.FileMode{"/etc/keepalived/inc/exe.conf": 0o755}
}

// TestReadIncludeChecks checks each include variant against what
// keepalived 2.2.7 does (measured with keepalived -t: a [noconfig]
// diagnostic is its exit code 6, a Note is a message with exit code 0).
func TestReadIncludeChecks(t *testing.T) {
	const (
		ok  = "ok_kw@ok.conf:1:1"
		sub = "s_kw@s.conf:1:1"
	)
	tests := []struct {
		line string
		want []string
		diag string
	}{
		{"include inc/ok.conf", []string{ok}, ""},
		{"include inc/nonexist.conf", nil, "1:1 Note Config files missing 'inc/nonexist.conf'."},
		{"include inc/none*.conf", nil, "1:1 Note No config files matched 'inc/none*.conf'."},
		{"include inc/{a,b}.conf", nil, "1:1 Note Config files missing 'inc/{a,b}.conf'."},
		{"include inc/{ok,zz}.conf", []string{ok}, `1:1 Note Some config files missing: "inc/{ok,zz}.conf".`},
		{"include inc/exe.conf", nil, "1:1 Note Configuration file 'inc/exe.conf' is not a regular non-executable file - skipping"},
		{"include inc/sub", nil, "1:1 Note Configuration file 'inc/sub/' is a directory - skipping"},
		{"include inc/{sub,zz}/*.conf", []string{sub}, `1:1 Note Some config files missing: "inc/{sub,zz}/*.conf".`},
		{"include inc/*.conf", []string{ok}, "1:1 Note Configuration file 'inc/exe.conf' is not a regular non-executable file - skipping"},
		{"include inc/.h*.conf", []string{"hidden_kw@.hid.conf:1:1"}, ""},
		{"includer inc/exe.conf", nil, "1:1 FileNotFound Configuration file 'inc/exe.conf' is not a regular non-executable file - skipping [noconfig]"},
		{"includer inc/s*", nil, "1:1 FileNotFound Configuration file 'inc/sub/' is a directory - skipping [noconfig]"},
		{"includer inc/nonexist.conf", nil, "1:1 Note Config files missing 'inc/nonexist.conf'."},
		{"includem inc/nonexist.conf", nil, "1:1 FileNotFound Config files missing 'inc/nonexist.conf'. [noconfig]"},
		{"includem inc/none*.conf", nil, "1:1 Note No config files matched 'inc/none*.conf'."},
		{"includem inc/{a,b}.conf", nil, "1:1 Note Config files missing 'inc/{a,b}.conf'."},
		{"includem inc/{ok,zz}.conf", []string{ok}, `1:1 Note Some config files missing: "inc/{ok,zz}.conf".`},
		{"includem inc/nonedir/*.conf", nil, "1:1 FileNotFound Config files missing 'inc/nonedir/*.conf'. [noconfig]"},
		{"includem inc/s*/x.conf", nil, "1:1 FileNotFound Config files missing 'inc/s*/x.conf'. [noconfig]"},
		{"includew inc/none*.conf", nil, "1:1 FileNotFound No config files matched 'inc/none*.conf'. [noconfig]"},
		{"includew inc/nonexist.conf", nil, "1:1 FileNotFound Config files missing 'inc/nonexist.conf'. [noconfig]"},
		{"includew inc/{a,b}.conf", nil, "1:1 Note Config files missing 'inc/{a,b}.conf'."},
		{"includew inc/{a,b}*.conf", nil, "1:1 FileNotFound No config files matched 'inc/{a,b}*.conf'. [noconfig]"},
		{"includew inc/{ok,zz*}.conf", []string{ok}, ""},
		{"includeb inc/{a,b}.conf", nil, "1:1 FileNotFound Config files missing 'inc/{a,b}.conf'. [noconfig]"},
		{"includeb inc/{ok,zz}.conf", nil, `1:1 FileNotFound Some config files missing: "inc/{ok,zz}.conf". [noconfig]`},
		{"includeb inc/{zz,ok*}.conf", nil, `1:1 FileNotFound Some config files missing: "inc/{zz,ok*}.conf". [noconfig]`},
		{"includeb inc/{a,b*}.conf", nil, "1:1 FileNotFound Config files missing 'inc/{a,b*}.conf'. [noconfig]"},
		{"includeb inc/nonexist.conf", nil, "1:1 Note Config files missing 'inc/nonexist.conf'."},
		{"includea inc/{ok,zz*}.conf", []string{ok}, ""},
		{"includea inc/[z]z.conf", nil, "1:1 FileNotFound No config files matched 'inc/[z]z.conf'. [noconfig]"},
		{"includea inc/{ok,{s*,x}}.conf", nil, `1:1 FileNotFound Some config files missing: "inc/{ok,{s*,x}}.conf". [noconfig]`},
	}
	var cases []readCase
	for _, tc := range tests {
		c := readCase{name: tc.line, conf: tc.line + "\n", files: includeTree(), modes: includeModes(), want: tc.want}
		if tc.diag != "" {
			c.wantDiags = []string{tc.diag}
		}
		cases = append(cases, c)
	}
	runReadCases(t, cases)
}

// TestReadInclude covers where includes may appear, how paths resolve and
// how include_check applies (reference §1.6).
func TestReadInclude(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "inside a block, positions kept",
			conf:  "vrrp_instance X {\n  virtual_ipaddress {\n    192.0.2.1/24\n    include vips.conf\n  }\n}\n",
			files: map[string]string{"/etc/keepalived/vips.conf": "# extra\n\n  192.0.2.2/24 dev eth0\n"},
			want: []string{"vrrp_instance@1:1 X@1:15", "{@1:17", "virtual_ipaddress@2:3", "{@2:21", "192.0.2.1/24@3:5",
				"192.0.2.2/24@vips.conf:3:3 dev@vips.conf:3:16 eth0@vips.conf:3:20", "}@5:3", "}@6:1"}},
		{name: "relative to the including file",
			conf: "include conf.d/a.conf\nback\n",
			files: map[string]string{
				"/etc/keepalived/conf.d/a.conf":      "a1\ninclude ../shared/b.conf\ninclude more/*.conf\na2\n",
				"/etc/keepalived/shared/b.conf":      "b1\n",
				"/etc/keepalived/conf.d/more/c.conf": "c1\n",
				"/etc/keepalived/conf.d/more/d.conf": "d1\n",
			},
			want: []string{"a1@a.conf:1:1", "b1@b.conf:1:1", "c1@c.conf:1:1", "d1@d.conf:1:1", "a2@a.conf:4:1", "back@2:1"}},
		{name: "absolute path and brace order",
			conf:  "include /srv/k/{z,a}.conf\n",
			files: map[string]string{"/srv/k/a.conf": "a\n", "/srv/k/z.conf": "z\n"},
			want:  []string{"z@z.conf:1:1", "a@a.conf:1:1"}},
		{name: "definitions cross files",
			conf:  "$X=main\ninclude d.conf\nuse $Y $X\n",
			files: map[string]string{"/etc/keepalived/d.conf": "$Y=inc\nsee $X\n"},
			want:  []string{"see@d.conf:2:1 main@d.conf:2:5", "use@3:1 inc@3:5 main@3:8"}},
		{name: "after conditionals and parameters",
			conf:  "@main include a.conf\n@^main include b.conf\n$F=c.conf\ninclude $F\n",
			files: map[string]string{"/etc/keepalived/a.conf": "a\n", "/etc/keepalived/b.conf": "b\n", "/etc/keepalived/c.conf": "c\n"},
			want:  []string{"a@a.conf:1:1", "c@c.conf:1:1"}},
		{name: "in a sequence, in order",
			conf:  "~SEQ(N,2) include ${N}.conf\n",
			files: map[string]string{"/etc/keepalived/1.conf": "one\n", "/etc/keepalived/2.conf": "two\n"},
			want:  []string{"one@1.conf:1:1", "two@2.conf:1:1"}},
		{name: "not an include", conf: "include\nincluder\ninclude_check\nincludex a\n",
			want: []string{"include@1:1", "includer@2:1", "include_check@3:1", "includex@4:1 a@4:10"}},
		{name: "the pattern is the rest of the line",
			conf: "include a.conf b.conf\n", wantDiags: []string{"1:1 Note Config files missing 'a.conf b.conf'."}},
		{name: "recursion", conf: "top\ninclude keepalived.conf\nend\n",
			want:      []string{"top@1:1", "end@3:1"},
			wantDiags: []string{"2:1 General include recursion: '/etc/keepalived/keepalived.conf' is already being read - skipping"}},
		{name: "indirect recursion", conf: "include a.conf\n",
			files: map[string]string{"/etc/keepalived/a.conf": "a\ninclude keepalived.conf\n"},
			want:  []string{"a@a.conf:1:1"},
			wantDiags: []string{"a.conf:2:1 General include recursion: '/etc/keepalived/keepalived.conf' " +
				"is already being read - skipping"}},
	})
}

// TestReadIncludeCheck covers include_check and -e (reference §1.6).
func TestReadIncludeCheck(t *testing.T) {
	gd := func(words string) string { return "global_defs {\ninclude_check" + words + "\n}\n" }
	gdLines := func(words ...string) []string {
		l := "include_check@2:1"
		col := 15
		for _, w := range words {
			l += " " + w + "@2:" + strconv.Itoa(col)
			col += len(w) + 1
		}
		return []string{"global_defs@1:1", "{@1:13", l, "}@3:1"}
	}
	missing := func(line int, noconfig bool) []string {
		if noconfig {
			return []string{strconv.Itoa(line) + ":1 FileNotFound Config files missing 'none.conf'. [noconfig]"}
		}
		return []string{strconv.Itoa(line) + ":1 Note Config files missing 'none.conf'."}
	}
	runReadCases(t, []readCase{
		{name: "match", conf: gd(" match") + "include none.conf\n", want: gdLines("match"), wantDiags: missing(4, true)},
		{name: "wildcard_match alone", conf: gd(" wildcard_match") + "include none.conf\n", want: gdLines("wildcard_match"), wantDiags: missing(4, false)},
		{name: "all", conf: gd("") + "include none.conf\n", want: gdLines(), wantDiags: missing(4, true)},
		{name: "removed", conf: gd(" match -match") + "include none.conf\n", want: gdLines("match", "-match"), wantDiags: missing(4, false)},
		{name: "readable is not 2.2.7's name", conf: gd(" readable") + "include inc/exe.conf\n",
			files: includeTree(), modes: includeModes(), want: gdLines("readable"),
			wantDiags: []string{"4:1 Note Configuration file 'inc/exe.conf' is not a regular non-executable file - skipping"}},
		{name: "read", conf: gd(" read") + "include inc/exe.conf\n",
			files: includeTree(), modes: includeModes(), want: gdLines("read"),
			wantDiags: []string{"4:1 FileNotFound Configuration file 'inc/exe.conf' is not a regular non-executable file - skipping [noconfig]"}},
		{name: "all-config", conf: "include none.conf\n", all: true, wantDiags: missing(1, true)},
		{name: "all-config then removed", conf: gd(" -match") + "include none.conf\n", all: true,
			want: gdLines("-match"), wantDiags: missing(4, false)},
		{name: "restored after an included file", conf: "include set.conf\ninclude none.conf\n",
			files: map[string]string{"/etc/keepalived/set.conf": "include_check\ninclude none.conf\n"},
			want:  []string{"include_check@set.conf:1:1"},
			wantDiags: []string{"set.conf:2:1 FileNotFound Config files missing 'none.conf'. [noconfig]",
				"2:1 Note Config files missing 'none.conf'."}},
		{name: "inherited by included files", conf: gd(" match") + "include sub.conf\n",
			files:     map[string]string{"/etc/keepalived/sub.conf": "include none.conf\n"},
			want:      gdLines("match"),
			wantDiags: []string{"sub.conf:1:1 FileNotFound Config files missing 'none.conf'. [noconfig]"}},
		{name: "a variant's checks are not inherited", conf: "includem sub.conf\n",
			files:     map[string]string{"/etc/keepalived/sub.conf": "include none.conf\n"},
			wantDiags: []string{"sub.conf:1:1 Note Config files missing 'none.conf'."}},
	})
}
