package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// daemonKind names the VRRP daemon a host runs in a scenario.
type daemonKind string

const (
	daemonGK daemonKind = "gokeepalived"
	daemonKA daemonKind = "keepalived"
)

// start starts the daemon of the given kind on h with conf.
func (h *host) start(kind daemonKind, conf string) *nstest.Process {
	h.lab.t.Helper()
	if kind == daemonKA {
		return h.startKA(conf)
	}
	return h.startGK(conf)
}

// haproxy stands in for the haproxy of the second seed article: a copy of
// sleep under a name unique to the run (derived from the host's namespace),
// so that a check by process name sees only this one, on this host.
type haproxy struct {
	h    *host
	name string
	path string
	proc *nstest.Process
}

// newHaproxy copies sleep into the lab's directory as "hap" followed by the
// namespace's name without its dash (at most 15 characters, the length of a
// process name the kernel keeps).
func newHaproxy(h *host) *haproxy {
	t := h.lab.t
	t.Helper()
	src := nstest.RequireBinaries(t, "sleep")[0]
	name := "hap" + strings.ReplaceAll(h.ns.Name(), "-", "")
	body, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(h.lab.dir, name)
	if err := os.WriteFile(p, body, 0o755); err != nil {
		t.Fatal(err)
	}
	return &haproxy{h: h, name: name, path: p}
}

// start starts the fake haproxy in its host's namespace.
func (p *haproxy) start() {
	p.h.lab.t.Helper()
	p.proc = p.h.ns.Start(p.h.lab.t, p.path, "infinity")
}

// kill ends the fake haproxy with SIGKILL and waits until it is reaped.
func (p *haproxy) kill() {
	t := p.h.lab.t
	t.Helper()
	if err := p.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if _, err := p.proc.Wait(5 * time.Second); errors.Is(err, nstest.ErrTimeout) {
		t.Fatal(err)
	}
}

// checkScript is a vrrp_script named chk_haproxy that checks p by name as
// the seed does (there with `killall -0 haproxy`; pgrep is used here as
// procps is installed everywhere the tests run, psmisc not). The bare name
// is resolved through PATH by both daemons, with keepalived's warning.
func (p *haproxy) checkScript(weight int) string {
	return fmt.Sprintf("vrrp_script chk_haproxy {\n    script \"pgrep -x %s\"\n    interval 1\n    fall 2\n    rise 2\n    weight %d\n}\n",
		p.name, weight)
}

// notifyRec records one host's notify scripts in two files: the generic
// notify's arguments, one line per call, and the fixed words given to
// notify_master, notify_backup, notify_fault and notify_stop.
type notifyRec struct {
	t      *testing.T
	host   string
	script string
	notify string // the generic notify's lines
	kind   string // the state-specific scripts' lines
}

// newNotifyRec writes the recording script into dir: it appends its
// arguments after the first, on one line, to the file named by the first.
func newNotifyRec(t *testing.T, dir, host string) *notifyRec {
	t.Helper()
	r := &notifyRec{t: t, host: host, script: filepath.Join(dir, "record.sh"),
		notify: filepath.Join(dir, host+".notify"), kind: filepath.Join(dir, host+".kind")}
	body := "#!/bin/sh\nf=$1\nshift\necho \"$*\" >>\"$f\"\n"
	if err := os.WriteFile(r.script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return r
}

// conf returns the instance lines that configure the notify scripts.
func (r *notifyRec) conf() []string {
	c := []string{fmt.Sprintf("notify \"%s %s\"", r.script, r.notify)}
	for _, s := range []string{"master", "backup", "fault", "stop"} {
		c = append(c, fmt.Sprintf("notify_%s \"%s %s %s-%s\"", s, r.script, r.kind, r.host, s))
	}
	return c
}

// read returns the lines recorded so far: the generic notify's and the
// state-specific scripts'.
func (r *notifyRec) read() (notify, kind []string) {
	return readLines(r.notify), readLines(r.kind)
}

// readLines returns the lines of the file at path, none if it does not
// exist yet.
func readLines(path string) []string {
	b, _ := os.ReadFile(path) // A file not yet written has no lines.
	if len(b) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// waitLast waits until the last generic notify line is notify and the last
// state-specific line is "HOST-kind".
func (r *notifyRec) waitLast(timeout time.Duration, notify, kind string) {
	r.t.Helper()
	kind = r.host + "-" + kind
	nstest.WaitFor(r.t, timeout, 10*time.Millisecond, func() (bool, string) {
		n, k := r.read()
		ok := len(n) > 0 && n[len(n)-1] == notify && len(k) > 0 && k[len(k)-1] == kind
		return ok, fmt.Sprintf("%s: want last lines %q and %q; notify lines %q, notify_<state> lines %q", r.host, notify, kind, n, k)
	})
}

// notifyLogs is what a scenario recorded, keyed by host and what: "a
// notify" and "a kind" (the two files of a's notifyRec), "a log" (a's
// state log lines, see stateLines), and the same for b.
type notifyLogs map[string][]string

var (
	notifyKeys = []string{"a notify", "a kind", "b notify", "b kind"}
	stateKeys  = []string{"a log", "b log"}
)

// collect adds what r recorded and the state lines of h's daemon to logs.
func (r *notifyRec) collect(logs notifyLogs, h *host) {
	logs[r.host+" notify"], logs[r.host+" kind"] = r.read()
	logs[r.host+" log"] = stateLines(h.proc.Output())
}

// stateLines returns a daemon's "(VI_1) Entering ..." log lines (reference
// §8) without their time stamps.
func stateLines(out string) []string {
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, "(VI_1) Entering "); i >= 0 {
			lines = append(lines, line[i:])
		}
	}
	return lines
}

// compareLogs fails t for each of keys whose lines differ between got and
// want.
func compareLogs(t *testing.T, what string, got, want notifyLogs, keys []string) {
	t.Helper()
	for _, k := range keys {
		if !slices.Equal(got[k], want[k]) {
			t.Errorf("%s: %s lines:\n  %s\nwant:\n  %s", what, k, strings.Join(got[k], "\n  "), strings.Join(want[k], "\n  "))
		}
	}
}

// wantPathWarning requires keepalived's warning for the check's bare
// command name in the daemon's log (reference §4.1): the name resolved
// through PATH and the result's symbolic links.
func wantPathWarning(t *testing.T, h *host) {
	t.Helper()
	p, err := filepath.EvalSymlinks(nstest.RequireBinaries(t, "pgrep")[0])
	if err != nil {
		t.Fatal(err)
	}
	want := "WARNING - script `pgrep` resolved by path search to `" + p + "`. Please specify full path."
	if !strings.Contains(h.proc.Output(), want) {
		t.Errorf("%s's log lacks %q", h.name, want)
	}
}

// holdMaster checks for d that master keeps vip and the others never get
// it: a window in which something must not happen, not a wait.
func holdMaster(t *testing.T, d time.Duration, vip string, master *host, others ...*host) {
	t.Helper()
	var what string
	err := nstest.Poll(t.Context(), d, 20*time.Millisecond, func() (bool, string) {
		if !master.hasVIP(vip) {
			what = master.name + " lost " + vip
			return true, what
		}
		for _, o := range others {
			if o.hasVIP(vip) {
				what = o.name + " took " + vip
				return true, what
			}
		}
		return false, ""
	})
	if err == nil {
		t.Fatalf("within %v: %s", d, what)
	}
	if !errors.Is(err, nstest.ErrTimeout) {
		t.Fatal(err)
	}
}

const (
	seedVRID = 5
	seedVIP  = "192.0.2.100"
)

// seedConf is the second seed article's configuration for one host: its
// check script with weight 0 (a failing check means FAULT, as the article
// says), advert_int 1, the VIP as a /32 on eth0, and the notify scripts.
// With preempt the first master is "state MASTER" as in the article; for
// nopreempt keepalived requires state BACKUP on both.
func seedConf(p *haproxy, r *notifyRec, prio int, preempt, first bool) string {
	extra := []string{"advert_int 1", "state BACKUP"}
	switch {
	case !preempt:
		extra = append(extra, "nopreempt")
	case first:
		extra[1] = "state MASTER"
	}
	extra = append(extra, "track_script {", "    chk_haproxy", "}")
	extra = append(extra, r.conf()...)
	return p.checkScript(0) + instanceConf(seedVRID, prio, seedVIP+"/32 dev eth0", extra...)
}

// seedWant is the notify lines of the seed scenario (see runSeed), as
// Debian's keepalived 2.2.7 writes them (TestIntegrationNotifyCompare...).
func seedWant(preempt bool) notifyLogs {
	if preempt {
		return notifyLogs{
			"a notify": {"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 FAULT 100",
				"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 STOP 100"},
			"a kind":   {"a-backup", "a-master", "a-fault", "a-backup", "a-master", "a-stop"},
			"b notify": {"INSTANCE VI_1 BACKUP 90", "INSTANCE VI_1 MASTER 90", "INSTANCE VI_1 BACKUP 90", "INSTANCE VI_1 STOP 90"},
			"b kind":   {"b-backup", "b-master", "b-backup", "b-stop"},
		}
	}
	return notifyLogs{
		"a notify": {"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 FAULT 100",
			"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 STOP 100"},
		"a kind":   {"a-backup", "a-master", "a-fault", "a-backup", "a-stop"},
		"b notify": {"INSTANCE VI_1 BACKUP 90", "INSTANCE VI_1 MASTER 90", "INSTANCE VI_1 STOP 90"},
		"b kind":   {"b-backup", "b-master", "b-stop"},
	}
}

// seedRun is one run of the seed scenario: hosts a (priority 100, the first
// master) and b (priority 90), each with its haproxy and notify recorder.
type seedRun struct {
	t      *testing.T
	a, b   *host
	ha, hb *haproxy
	ra, rb *notifyRec
}

// runSeed runs the second seed article's check-and-notify scenario with
// both hosts running kind: a becomes master, b backup; haproxy dies on a,
// which goes FAULT after fall 2 and the VIP moves to b; haproxy comes back,
// a goes BACKUP after rise 2 and, with preempt, takes MASTER back, while
// with nopreempt b stays master. Then both daemons are stopped (the backup
// first). It returns what the notify scripts recorded.
func runSeed(t *testing.T, kind daemonKind, preempt bool) notifyLogs {
	l := newLab(t)
	nstest.RequireBinaries(t, "pgrep")
	s := &seedRun{t: t, a: l.host("a", "192.0.2.1/24"), b: l.host("b", "192.0.2.2/24")}
	s.ha, s.hb = newHaproxy(s.a), newHaproxy(s.b)
	s.ra, s.rb = newNotifyRec(t, t.TempDir(), "a"), newNotifyRec(t, t.TempDir(), "b")
	s.ha.start()
	s.hb.start()
	s.a.start(kind, seedConf(s.ha, s.ra, 100, preempt, true))
	waitMaster(t, 15*time.Second, seedVIP, s.a)
	s.ra.waitLast(5*time.Second, "INSTANCE VI_1 MASTER 100", "master")
	s.b.start(kind, seedConf(s.hb, s.rb, 90, preempt, false))
	s.rb.waitLast(10*time.Second, "INSTANCE VI_1 BACKUP 90", "backup")
	waitMaster(t, 5*time.Second, seedVIP, s.a, s.b)

	s.ha.kill() // haproxy dies on the master
	s.a.proc.WaitOutput(t, 10*time.Second, "(VI_1) Entering FAULT STATE")
	waitMaster(t, 10*time.Second, seedVIP, s.b, s.a)
	s.ra.waitLast(5*time.Second, "INSTANCE VI_1 FAULT 100", "fault")
	s.rb.waitLast(5*time.Second, "INSTANCE VI_1 MASTER 90", "master")

	s.ha.start() // and comes back
	if preempt {
		s.recoverPreempt()
	} else {
		s.recoverNopreempt()
	}
	s.ra.waitLast(5*time.Second, "INSTANCE VI_1 STOP 100", "stop")
	s.rb.waitLast(5*time.Second, "INSTANCE VI_1 STOP 90", "stop")
	wantPathWarning(t, s.a)
	wantPathWarning(t, s.b)
	logs := notifyLogs{}
	s.ra.collect(logs, s.a)
	s.rb.collect(logs, s.b)
	return logs
}

// recoverPreempt waits for a to come back and preempt b, then stops the
// daemons, the backup first.
func (s *seedRun) recoverPreempt() {
	waitMaster(s.t, 15*time.Second, seedVIP, s.a, s.b)
	s.ra.waitLast(5*time.Second, "INSTANCE VI_1 MASTER 100", "master")
	s.rb.waitLast(5*time.Second, "INSTANCE VI_1 BACKUP 90", "backup")
	s.b.stop(syscall.SIGTERM)
	s.a.stop(syscall.SIGTERM)
}

// recoverNopreempt waits for a to come back as BACKUP and requires it to
// stay there for longer than its Master_Down_Interval (3 + (256-100)/256 s,
// RFC 3768 §6.1), then stops the daemons, the backup first.
func (s *seedRun) recoverNopreempt() {
	s.ra.waitLast(10*time.Second, "INSTANCE VI_1 BACKUP 100", "backup")
	holdMaster(s.t, 5*time.Second, seedVIP, s.b, s.a)
	s.a.stop(syscall.SIGTERM)
	s.b.stop(syscall.SIGTERM)
}

// TestIntegrationSeedFailover runs the second seed article's scenario (a
// haproxy check with weight 0 and notify scripts) on two gokeepalived, with
// preempt and with nopreempt, and requires keepalived's notify lines.
func TestIntegrationSeedFailover(t *testing.T) {
	for _, preempt := range []bool{true, false} {
		t.Run(map[bool]string{true: "preempt", false: "nopreempt"}[preempt], func(t *testing.T) {
			compareLogs(t, "gokeepalived", runSeed(t, daemonGK, preempt), seedWant(preempt), notifyKeys)
		})
	}
}
