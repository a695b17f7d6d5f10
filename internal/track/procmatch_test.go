package track

import (
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// cmd builds a /proc/PID/cmdline: each word followed by a NUL.
func cmd(words ...string) []byte {
	return []byte(strings.Join(words, "\x00") + "\x00")
}

// TestMatcher checks matching as keepalived's (src vrrp/vrrp_parser.c
// vrrp_tprocess_process_handler: arguments make it full_command with
// param_match exact; track_process/track_process.c: strcmp of the comm or
// argv[0], then check_params: exact, partial = the configured arguments
// whole, initial = the last one may be longer; man keepalived.conf "VRRP
// track processes").
func TestMatcher(t *testing.T) {
	sleep := cmd("/usr/bin/sleep", "3600", "10")
	for _, tc := range []struct {
		name    string
		cfg     config.TrackProcess
		comm    string
		cmdline []byte
		want    bool
	}{
		{"comm", config.TrackProcess{Process: "sleep"}, "sleep", sleep, true},
		{"comm is exact, not a pattern", config.TrackProcess{Process: "slee"}, "sleep", sleep, false},
		{"comm, not argv[0]", config.TrackProcess{Process: "/usr/bin/sleep"}, "sleep", sleep, false},
		{"comm longer than 15 never matches", config.TrackProcess{Process: "a-very-long-name"}, "a-very-long-nam", cmd("a-very-long-name"), false},
		{"comm truncated to 15", config.TrackProcess{Process: "a-very-long-nam"}, "a-very-long-nam", cmd("a-very-long-name"), true},
		{"full_command: argv[0], any arguments", config.TrackProcess{Process: "/usr/bin/sleep", FullCommand: true}, "sleep", sleep, true},
		{"full_command: argv[0] exact", config.TrackProcess{Process: "sleep", FullCommand: true}, "sleep", sleep, false},
		{"arguments: exact", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600", "10"}}, "x", sleep, true},
		{"arguments: exact, one more", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600"}}, "x", sleep, false},
		{"arguments: exact, one fewer", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600", "10", "1"}}, "x", sleep, false},
		{"arguments: exact, a prefix", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600", "1"}}, "x", sleep, false},
		{"partial: the first arguments", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600"}, ParamMatch: "partial"}, "x", sleep, true},
		{"partial: whole arguments", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600", "1"}, ParamMatch: "partial"}, "x", sleep, false},
		{"partial: all of them", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600", "10"}, ParamMatch: "partial"}, "x", sleep, true},
		{"initial: the last may be longer", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600", "1"}, ParamMatch: "initial"}, "x", sleep, true},
		{"initial: only the last", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"36", "10"}, ParamMatch: "initial"}, "x", sleep, false},
		{"initial: more than there are", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{"3600", "10", "5"}, ParamMatch: "initial"}, "x", sleep, false},
		{"initial: an empty argument", config.TrackProcess{Process: "/usr/bin/sleep", Params: []string{""}, ParamMatch: "initial"}, "x", sleep, true},
		{"bare param_match: no arguments", config.TrackProcess{Process: "/usr/bin/sleep", ParamMatch: "exact"}, "x", sleep, false},
		{"bare param_match: none there", config.TrackProcess{Process: "/usr/bin/sleep", ParamMatch: "exact"}, "x", cmd("/usr/bin/sleep"), true},
		{"param_match with no arguments: any", config.TrackProcess{Process: "/usr/bin/sleep", ParamMatch: "partial"}, "x", sleep, true},
		{"no NUL after argv[0]", config.TrackProcess{Process: "nginx: master", FullCommand: true}, "nginx", []byte("nginx: master"), true},
		{"no NUL after argv[0], exact arguments", config.TrackProcess{Process: "nginx: master", Params: []string{"x"}}, "nginx", []byte("nginx: master"), false},
		{"kernel thread: empty command line", config.TrackProcess{Process: "kthreadd", FullCommand: true}, "kthreadd", nil, false},
	} {
		m := newMatcher(&tc.cfg)
		if got := m.match(tc.comm, tc.cmdline); got != tc.want {
			t.Errorf("%s: match = %v; want %v", tc.name, got, tc.want)
		}
	}
}

// TestParseStat checks reading /proc/PID/stat, whose name may hold spaces
// and parentheses.
func TestParseStat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want procStat
		ok   bool
	}{
		{"42 (sleep) S 1 42 42 0 -1", procStat{"sleep", 'S', 1}, true},
		{"7 (a) (b c) Z 3 0", procStat{"a) (b c", 'Z', 3}, true},
		{"7 () R 0 0", procStat{"", 'R', 0}, true},
		{"7 (x S 1", procStat{}, false},
		{"7 (x) S", procStat{}, false},
		{"7 (x) S y", procStat{}, false},
	} {
		got, ok := parseStat([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseStat(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
