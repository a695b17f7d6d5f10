package scripts

import (
	"slices"
	"syscall"
	"testing"
)

// Reference §4.1: rise/fall counter; "fall 2: KO after 2nd failure" (EXP).
func TestCounterTable(t *testing.T) {
	tests := []struct {
		name             string
		rise, fall       int
		initFail         bool
		results          string // s = success, f = failure
		changed, okAfter string // per result: c = changed, . = not; o = OK, x = KO
	}{
		{"first success decides", 2, 2, false, "s", "c", "o"},
		{"first failure decides", 2, 2, false, "f", "c", "x"},
		{"fall 2 rise 2", 2, 2, false, "sffssfs", "c.c.c..", "ooxxooo"},
		{"fall 2 rise 2 from KO", 2, 2, false, "fsfss", "c...c", "xxxxo"},
		{"fall 3", 1, 3, false, "sfffs", "c..cc", "oooxo"},
		{"rise 1 fall 1", 1, 1, false, "sfsf", "cccc", "oxox"},
		{"init_fail rise 2", 2, 1, true, "fssf", "..cc", "xxox"},
		{"init_fail rise 1", 1, 1, true, "s", "c", "o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCounter("chk", tt.rise, tt.fall, tt.initFail, nil)
			for i, r := range tt.results {
				changed, ok := c.Result(r == 's')
				if changed != (tt.changed[i] == 'c') || ok != (tt.okAfter[i] == 'o') || ok != c.OK() {
					t.Fatalf("result %d (%c): changed %v ok %v, want %c %c", i+1, r, changed, ok, tt.changed[i], tt.okAfter[i])
				}
				if v := c.Value(); v < 0 || v > tt.rise+tt.fall-1 {
					t.Fatalf("counter %d outside [0,%d]", v, tt.rise+tt.fall-1)
				}
			}
		})
	}
}

// Log lines of vrrp_scheduler.c on changes (reference §8).
func TestCounterLogLines(t *testing.T) {
	log, rec := newLog()
	c := NewCounter("chk", 1, 1, false, log)
	for _, r := range []Result{
		{ExitCode: 0},
		{ExitCode: 1},
		{ExitCode: 0},
		{TimedOut: true, Signal: syscall.SIGTERM},
		{ExitCode: 0},
		{Signal: syscall.SIGKILL},
		{ExitCode: 2},
	} {
		c.Observe(r)
	}
	want := []string{
		"VRRP_Script(chk) succeeded",
		"Script `chk` now returning 1",
		"VRRP_Script(chk) failed (exited with status 1)",
		"Script `chk` now returning 0",
		"VRRP_Script(chk) succeeded",
		"VRRP_Script(chk) timed_out",
		"VRRP_Script(chk) succeeded",
		"VRRP_Script(chk) failed (due to signal 9)",
		"Script `chk` now returning 2",
	}
	if got := rec.Lines(); !slices.Equal(got, want) {
		t.Errorf("log:\n%q\nwant:\n%q", got, want)
	}
}
