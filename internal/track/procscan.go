package track

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// procRoot is where the process table is read.
const procRoot = "/proc"

// procStat is what a scan needs from /proc/PID/stat.
type procStat struct {
	comm  string
	state byte
	ppid  int
}

// parseStat reads the name, state and parent of a process from the text
// of /proc/PID/stat: "PID (COMM) S PPID ...". COMM may hold spaces and
// parentheses, so it ends at the last ')'.
func parseStat(b []byte) (procStat, bool) {
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	rest := bytes.Fields(b[end+1:])
	if len(rest) < 2 || len(rest[0]) != 1 {
		return procStat{}, false
	}
	ppid, err := strconv.Atoi(string(rest[1]))
	if err != nil {
		return procStat{}, false
	}
	return procStat{comm: string(b[open+1 : end]), state: rest[0][0], ppid: ppid}, true
}

// snapshot is one scan of the process table: for each matcher, the
// processes it counts, with their parents; and which of the processes
// looked at closely (those counted now or before) are alive.
type snapshot struct {
	matched []map[int]int // per matcher: pid → parent pid
	alive   map[int]bool  // live processes among those read (zombies are not)
}

// scanner reads the process table for a set of matchers.
type scanner struct {
	ms    []matcher
	comm  bool           // a matcher matches names: read /proc/PID/comm
	need  int            // bytes of /proc/PID/cmdline the matchers need; 0: none
	skip  map[int]bool   // processes not to count (reported exited)
	known func(int) bool // processes counted before, whose liveness matters
}

// newScanner returns a scanner for ms.
func newScanner(ms []matcher) *scanner {
	sc := &scanner{ms: ms, known: func(int) bool { return false }}
	for _, m := range ms {
		if m.full {
			sc.need = max(sc.need, m.cmdlineNeed())
		} else {
			sc.comm = true
		}
	}
	return sc
}

// scan reads the process table and matches every process, as keepalived's
// read_procs does (src track_process/track_process.c): the name from
// /proc/PID/comm if a matcher needs it, the start of /proc/PID/cmdline if
// one needs it, then /proc/PID/stat of the processes that match (or were
// counted before) for their state and parent. Zombies (and dead tasks) are
// not counted: keepalived drops a process at its exit event, when it
// becomes a zombie; nor are the processes in skip. Processes that end
// during the scan are skipped.
func (sc *scanner) scan() (snapshot, error) {
	d, err := os.Open(procRoot)
	if err != nil {
		return snapshot{}, fmt.Errorf("track process: %w", err)
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return snapshot{}, fmt.Errorf("track process: read %s: %w", procRoot, err)
	}
	s := newSnapshot(len(sc.ms))
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil || pid <= 0 || sc.skip[pid] {
			continue
		}
		sc.add(&s, pid)
	}
	return s, nil
}

// newSnapshot returns an empty snapshot for n matchers.
func newSnapshot(n int) snapshot {
	s := snapshot{matched: make([]map[int]int, n), alive: map[int]bool{}}
	for i := range s.matched {
		s.matched[i] = map[int]int{}
	}
	return s
}

// matchesAny reports whether process pid is one a matcher counts.
func (sc *scanner) matchesAny(pid int) bool {
	s := newSnapshot(len(sc.ms))
	sc.add(&s, pid)
	for _, m := range s.matched {
		if len(m) > 0 {
			return true
		}
	}
	return false
}

// add reads process pid and records it in s.
func (sc *scanner) add(s *snapshot, pid int) {
	dir := procRoot + "/" + strconv.Itoa(pid)
	var comm string
	if sc.comm {
		b, err := readHead(dir+"/comm", 64)
		if err != nil {
			return
		}
		comm = string(bytes.TrimSuffix(b, []byte("\n")))
	}
	var cmdline []byte
	if sc.need > 0 {
		var err error
		if cmdline, err = readHead(dir+"/cmdline", sc.need); err != nil {
			return
		}
	}
	var hits []int
	for i, m := range sc.ms {
		if m.match(comm, cmdline) {
			hits = append(hits, i)
		}
	}
	if len(hits) == 0 && !sc.known(pid) {
		return
	}
	b, err := readHead(dir+"/stat", 512)
	if err != nil {
		return
	}
	st, ok := parseStat(b)
	if !ok || st.state == 'Z' || st.state == 'X' || st.state == 'x' {
		return
	}
	s.alive[pid] = true
	for _, i := range hits {
		s.matched[i][pid] = st.ppid
	}
}
