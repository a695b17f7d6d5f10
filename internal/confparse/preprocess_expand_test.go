package confparse

import (
	"strconv"
	"strings"
	"testing"
)

// TestReadConditional covers @ID and @^ID (reference §1.7).
func TestReadConditional(t *testing.T) {
	conf := "@main a\n@^main b\n@backup c\n@^backup d\n@main\n@mainx e\n@main\tf g\n@ h\n@^ i\n"
	runReadCases(t, []readCase{
		{name: "config-id main", conf: conf, want: []string{"a@1:7", "d@4:10", "f@7:7 g@7:9", "i@9:4"}},
		{name: "config-id backup", conf: conf, id: "backup", want: []string{"b@2:8", "c@3:9", "i@9:4"}},
		{name: "via a parameter", conf: "$IF_MAIN=@main\n$IF_MAIN priority 240\n$IF_B=@backup\n$IF_B priority 1\n",
			want: []string{"priority@2:10 240@2:19"}},
		{name: "definition under a condition", conf: "@main $P=240\n@backup $P=200\npriority $P\n",
			want: []string{"priority@3:1 240@3:10"}},
	})
}

// TestReadParameters covers $NAME definitions and uses (reference §1.7).
func TestReadParameters(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "define and use", conf: "$A=192.0.2.1\nunicast_peer $A\n", want: []string{"unicast_peer@2:1 192.0.2.1@2:14"}},
		{name: "braces anywhere", conf: "$N=5\nx 198.51.100.${N}/24 a${N}b\n", want: []string{"x@2:1 198.51.100.5/24@2:3 a5b@2:22"}},
		{name: "terminators", conf: "$A=1\nx $A,$A) $A\t$A\n", want: []string{"x@2:1 1,1)@2:3 1@2:10 1@2:13"}},
		{name: "not followed by a terminator", conf: "$A=1\nx $A/24 $AB\n", want: []string{"x@2:1 $A/24@2:3 $AB@2:9"}},
		{name: "undefined left verbatim", conf: "x $UNDEF $1 $\n", want: []string{"x@1:1 $UNDEF@1:3 $1@1:10 $@1:13"}},
		{name: "blank before = is no definition", conf: "$A = 5\n", want: []string{"$A@1:1 =@1:4 5@1:6"}},
		{name: "blanks after = skipped, empty value", conf: "$A=   v w\n$E=\n<${A}|${E}>\n[${E}]\n",
			want: []string{"<v@3:1 w|>@3:2", "[]@4:1"}},
		{name: "late and recursive", conf: "$BASE=192.0.2.${SUB}\n$SUB=10\n${BASE}/32\n$SUB=11\n${BASE}/32\n",
			want: []string{"192.0.2.10/32@3:1", "192.0.2.11/32@5:1"}},
		{name: "value with blanks makes tokens", conf: "$V=a \"b c\"\nx $V\n", want: []string{`x@2:1 a@2:3 "b c"@2:3`}},
		{name: "double dollar", conf: "$A=1\n$$A\n", want: []string{"$1@2:1"}},
		{name: "substituted comment character", conf: "$H=\"x#y\"\n$H a\n", want: []string{`"x#y"@2:1 a@2:4`}},
		{name: "recursion stops", conf: "$A=$A\n$A\nok\n", want: []string{"ok@3:1"},
			wantDiags: []string{"2:1 General parameter substitution of $A does not end - is a definition recursive? Line skipped"}},
		{name: "growing recursion stops", conf: "$A=x$A\n$A\n", want: nil,
			wantDiags: []string{"2:1 General parameter substitution of $A does not end - is a definition recursive? Line skipped"}},
	})
}

// TestReadMultiline covers multi-line definitions (reference §1.7).
func TestReadMultiline(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "basic", conf: "$I= \\\nvrrp_instance VI_${NUM} { \\\n  priority 1${NUM} \\\n}\n$NUM=0\n$I\n$NUM=1\n$I\n",
			want: []string{"vrrp_instance@6:1 VI_0@6:1", "{@6:1", "priority@6:1 10@6:1", "}@6:1",
				"vrrp_instance@8:1 VI_1@8:1", "{@8:1", "priority@8:1 11@8:1", "}@8:1"}},
		{name: "nested", conf: "$RS=rs ${R} \\\nw\n$VS=vs \\\n$R=1 \\\n$RS \\\n$R=2 \\\n$RS \\\nend\n  x $VS\n",
			want: []string{"x@9:3 vs@9:5", "rs@9:5 1@9:5", "w@9:5", "rs@9:5 2@9:5", "w@9:5", "end@9:5"}},
		{name: "only at the end of a line", conf: "$M=a \\\nb\n$M x\n${M}x\n", want: []string{"$M@3:1 x@3:4", "$@4:1", "{@4:2", "M@4:3", "}@4:4", "x@4:5"}},
		{name: "blank line ends it", conf: "$M=a \\\nb \\\n\nc\n$M\n", want: []string{"c@4:1", "a@5:1", "b@5:1"}},
		{name: "comment line does not end it", conf: "$M=a \\\n# note\nb\n$M\n", want: []string{"a@4:1", "b@4:1"}},
		{name: "lines are raw until used", conf: "$M=\\\n@main m1 \\\n@other m2 \\\n~SEQ(K,2) k$K\n$M\n",
			want: []string{"m1@5:1", "k1@5:1", "k2@5:1"}},
		{name: "one continuation line is a plain value", conf: "$A=\\\n~x y\nz $A w\n", want: []string{"z@3:1 ~x@3:3 y@3:3 w@3:6"}},
		{name: "recursion stops", conf: "$M=\\\na \\\n$M\n$M\nok\n",
			want:      append(repeat("a@4:1", 65), "ok@5:1"),
			wantDiags: []string{"4:1 General ~SEQ/~LST blocks or multi-line definitions nested more than 64 deep - is a definition recursive?"}},
	})
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// TestReadPredefined covers ${_PWD}, ${_INSTANCE}, ${_HASH}, ${_BANG} and
// overriding them (reference §1.7).
func TestReadPredefined(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "pwd", conf: "script ${_PWD}/chk.sh\ninclude sub/x.conf\n",
			files: map[string]string{"/etc/keepalived/sub/x.conf": "script ${_PWD}/y\n"},
			want:  []string{"script@1:1 /etc/keepalived/chk.sh@1:8", "script@x.conf:1:1 /etc/keepalived/sub/y@x.conf:1:8"}},
		{name: "instance", conf: "router_id r_${_INSTANCE}\nr2 $_INSTANCE\n", id: "lb1",
			want: []string{"router_id@1:1 r_lb1@1:11", "r2@2:1 lb1@2:4"}},
		{name: "hash and bang in quotes", conf: `x "a${_HASH}b${_BANG}c"` + "\n", want: []string{`x@1:1 "a#b!c"@1:3`}},
		{name: "hash outside quotes starts a comment", conf: "a${_HASH}b c\n", want: []string{"a@1:1"}},
		{name: "override", conf: "$_HASH=h\n$_INSTANCE=i\nx ${_HASH} ${_INSTANCE}\n", want: []string{"x@3:1 h@3:3 i@3:12"}},
		{name: "parameters only where accepted", conf: "x ${_PWD 1}\n", want: []string{"x@1:1 $@1:3", "{@1:4", "_PWD@1:5 1@1:10", "}@1:11"}},
	})
}

// TestReadRandom covers ${_RANDOM [MIN [MAX]]} and random_seed.
func TestReadRandom(t *testing.T) {
	conf := "global_defs {\n random_seed 42\n}\n~SEQ(I,20) v ${_RANDOM} ${_RANDOM 5 9} ${_RANDOM 30000} ${_RANDOM 7 7}\n"
	read := func() [][]int {
		lines, diags := Read(mainConf, ReadOptions{FS: MemFS{mainConf: conf}})
		if len(diags) != 0 {
			t.Fatalf("diagnostics: %v", diags)
		}
		var out [][]int
		for _, l := range lines[4:] {
			var row []int
			for _, tok := range l.Tokens[1:] {
				n, err := strconv.Atoi(tok.Text)
				if err != nil {
					t.Fatalf("not a number: %q", tok.Text)
				}
				row = append(row, n)
			}
			out = append(out, row)
		}
		return out
	}
	first, second := read(), read()
	if len(first) != 20 {
		t.Fatalf("got %d lines", len(first))
	}
	ranges := [][2]int{{0, 32767}, {5, 9}, {30000, 32767}, {7, 7}}
	varied := false
	for i, row := range first {
		for j, v := range row {
			if v < ranges[j][0] || v > ranges[j][1] {
				t.Errorf("value %d of column %d outside %v", v, j, ranges[j])
			}
			if second[i][j] != v {
				t.Errorf("random_seed did not make the values repeatable: %v vs %v", first, second)
			}
		}
		varied = varied || row[1] != first[0][1]
	}
	if !varied {
		t.Errorf("${_RANDOM 5 9} never varied: %v", first)
	}
	runReadCases(t, []readCase{
		{name: "too many parameters", conf: "global_defs {\nrandom_seed 1\n}\nx ${_RANDOM 3 3 9}\n",
			want:      []string{"global_defs@1:1", "{@1:13", "random_seed@2:1 1@2:13", "}@3:1", "x@4:1 3@4:3"},
			wantDiags: []string{"4:3 Note Too many parameters or extra text for ${_RANDOM 3 3 9}"}},
		{name: "blank before brace is no use", conf: "x ${_RANDOM 5 }\n",
			want: []string{"x@1:1 $@1:3", "{@1:4", "_RANDOM@1:5 5@1:13", "}@1:15"}},
	})
}

// TestReadSeq covers ~SEQ and ~SEQx (reference §1.8).
func TestReadSeq(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "start step end", conf: "~SEQ(N, 0, 5, 10) ip_address 192.0.2.${N}\n",
			want: []string{"ip_address@1:19 192.0.2.0@1:30", "ip_address@1:19 192.0.2.5@1:30", "ip_address@1:19 192.0.2.10@1:30"}},
		{name: "end only", conf: "~SEQ(N,3) a$N\n", want: []string{"a1@1:11", "a2@1:11", "a3@1:11"}},
		{name: "end zero counts down", conf: "~SEQ(N,0) a$N\n", want: []string{"a1@1:11", "a0@1:11"}},
		{name: "negative end", conf: "~SEQ(N,-2) a$N\n", want: []string{"a-1@1:12", "a-2@1:12"}},
		{name: "start end down", conf: "~SEQ(N,3,1) a$N\n", want: []string{"a3@1:13", "a2@1:13", "a1@1:13"}},
		{name: "C numbers", conf: "~SEQ(N,010,0x0a) a$N\n", want: []string{"a8@1:18", "a9@1:18", "a10@1:18"}},
		{name: "hex", conf: "~SEQx(H, 0x90, 0x10, 0xc0) 2001:db8::${H}\n",
			want: []string{"2001:db8::90@1:28", "2001:db8::a0@1:28", "2001:db8::b0@1:28", "2001:db8::c0@1:28"}},
		{name: "parameters in the numbers", conf: "$END=2\n~SEQ(N,${END}) a$N\n", want: []string{"a1@2:16", "a2@2:16"}},
		{name: "nested", conf: "~SEQ(A,1,2) ~SEQ(B,2) x${A}${B}\n",
			want: []string{"x11@1:23", "x12@1:23", "x21@1:23", "x22@1:23"}},
		{name: "inside a block", conf: "virtual_ipaddress {\n  ~SEQ(N,1,2) 192.0.2.${N}/32\n}\n",
			want: []string{"virtual_ipaddress@1:1", "{@1:19", "192.0.2.1/32@2:15", "192.0.2.2/32@2:15", "}@3:1"}},
		{name: "text with braces", conf: "~SEQ(M,1,2) k_$M { v$M }\n",
			want: []string{"k_1@1:13", "{@1:18", "v1@1:20", "}@1:24", "k_2@1:13", "{@1:18", "v2@1:20", "}@1:24"}},
		{name: "via a parameter", conf: "$S=~SEQ(N,2) s$N\n$S\n", want: []string{"s1@2:1", "s2@2:1"}},
		{name: "variable stays defined", conf: "~SEQ(N,2) a\nlast $N\n", want: []string{"a@1:11", "a@1:11", "last@2:1 2@2:6"}},
		{name: "errors", conf: "~SEQ(N,$X) a\n~SEQ(N,1,0,5) a\n~SEQ(N,5,1,1) a\n~SEQx(N,-1,2) a\n~SEQ N) a\n~SEQ(,1) a\n~SEQ(N,1 a\n~SEQ(N,1,2,3,4) a\n~SEQUENCE x\n~OTHER x\n",
			want: []string{"~OTHER@10:1 x@10:8"},
			wantDiags: []string{
				"1:1 General Invalid ~SEQ definition '~SEQ(N,$X) a'",
				"2:1 General Invalid ~SEQ values '~SEQ(N,1,0,5) a'",
				"3:1 General Invalid ~SEQ values '~SEQ(N,5,1,1) a'",
				"4:1 General ~SEQx is only valid for positive numbers '~SEQx(N,-1,2) a'",
				"5:1 General Invalid ~SEQ specification '~SEQ N) a'",
				"6:1 General Invalid ~SEQ definition '~SEQ(,1) a'",
				"7:1 General Invalid ~SEQ definition '~SEQ(N,1 a'",
				"8:1 General Invalid ~SEQ definition '~SEQ(N,1,2,3,4) a'",
				"9:1 General Invalid ~SEQ specification '~SEQUENCE x'",
			}},
	})
}

// TestReadLst covers ~LST (reference §1.8).
func TestReadLst(t *testing.T) {
	runReadCases(t, []readCase{
		{name: "values", conf: "~LST(IF, eth0, eth1) track_interface $IF\n",
			want: []string{"track_interface@1:22 eth0@1:38", "track_interface@1:22 eth1@1:38"}},
		{name: "tuples", conf: "~LST({IP, IP1}, {10,1},{20,4} , {5}) 198.51.${IP}.${IP1}\n",
			want: []string{"198.51.10.1@1:38", "198.51.20.4@1:38", "198.51.5.@1:38"}},
		{name: "nested with seq", conf: "~LST({A,B},{1,2},{3,4}) ~SEQ(C,10,2,12) 203.0.113.${A}${B}${C}\n",
			want: []string{"203.0.113.1210@1:41", "203.0.113.1212@1:41", "203.0.113.3410@1:41", "203.0.113.3412@1:41"}},
		{name: "nested lists", conf: "~LST(X, a, b) ~LST(Y, c) $X$Y ${X}${Y}\n",
			want: []string{"$Xc@1:26 ac@1:31", "$Xc@1:26 bc@1:31"}},
		{name: "empty value", conf: "~LST(V,,x) [$V]\n", want: []string{"[$V]@1:12", "[$V]@1:12"}},
		{name: "errors", conf: "~LST(A) x\n~LST({A},{1,2}) x\n~LST(A,1 x\n~LST A,1) x\n",
			wantDiags: []string{
				"1:1 General Invalid ~LST specification '~LST(A) x'",
				"2:1 General ~LST specification has too many values '~LST({A},{1,2}) x'",
				"3:1 General Invalid ~LST specification '~LST(A,1 x'",
				"4:1 General Invalid ~LST specification '~LST A,1) x'",
			}},
	})
}

// TestReadLimits checks that expansion bombs end with a diagnostic.
func TestReadLimits(t *testing.T) {
	conf := "~SEQ(A,1000) ~SEQ(B,1000) ~SEQ(C,1000) x\nafter\n"
	r := newReader(ReadOptions{FS: MemFS{mainConf: conf}}, limits{depth: 8, includeDepth: 4, work: 1000, substs: 10, lineLen: 100})
	r.readMain(mainConf)
	if len(r.lines) == 0 || len(r.lines) > 1000 {
		t.Errorf("got %d lines", len(r.lines))
	}
	got := renderDiags(r.diags)
	if len(got) != 1 || !strings.Contains(got[0], "Fatal configuration expands to more than 1000 lines") {
		t.Errorf("diagnostics %q", got)
	}
}
