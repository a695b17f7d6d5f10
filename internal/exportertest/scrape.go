package exportertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The dump files the exporter reads, in the daemon's dump directory.
const (
	DataFile  = "keepalived.data"
	StatsFile = "keepalived.stats"
	JSONFile  = "keepalived.json"
)

// The exporter's retry schedule (internal/collector/collector.go, Collect):
// cenkalti/backoff's exponential backoff from 10 ms, growing by half each
// time, for at most 2 s in all. The exporter randomizes each interval by
// ±50 %; here each is its middle.
const (
	firstRetry = 10 * time.Millisecond
	retryGrow  = 1.5
	retryTotal = 2 * time.Second
)

// Mode is how the exporter reads: the text dumps (its default) or the JSON
// dump (--ka.json).
type Mode int

// The modes.
const (
	Text Mode = iota
	JSON
)

func (m Mode) String() string {
	if m == JSON {
		return "json"
	}
	return "text"
}

// Files are the dumps a scrape in mode m reads.
func (m Mode) Files() []string {
	if m == JSON {
		return []string{JSONFile}
	}
	return []string{DataFile, StatsFile}
}

// Scraper scrapes one daemon as the exporter's host collector does.
type Scraper struct {
	// PIDFile is the daemon's main pidfile (the exporter's --ka.pid-path).
	PIDFile string
	// Dir is where the daemon writes its dumps: its $TMPDIR; the exporter
	// reads /tmp.
	Dir string
	// Mode is Text or JSON.
	Mode Mode
	// Signals are the signal numbers from the probe (DATA, STATS, JSON).
	Signals map[string]syscall.Signal
	// Kill sends sig to pid; nil does it as the exporter does, with
	// os.FindProcess and Process.Signal.
	Kill func(pid int, sig syscall.Signal) error

	sent map[string]int // signals delivered, by the file each asks for
}

// Result is one scrape: what the exporter would report, and how it got it.
type Result struct {
	// Attempts counts the rounds of signals and reads, Missing and
	// Unparsable the ones that failed for want of a file or on its
	// content.
	Attempts, Missing, Unparsable int
	// Err is the last attempt's error when none succeeded in the 2 s the
	// exporter tries for: it reports keepalived_up 0.
	Err error
	// VRRPs and Scripts are what the successful attempt read, the
	// instances sorted by name.
	VRRPs   []VRRP
	Scripts []Script
	// Reads are the files the successful attempt read, in order.
	Reads []Read
}

// Read is one file read.
type Read struct {
	File string
	Size int
	// Stale is true if the file was there before the scrape's first
	// signal: a dump written for an earlier request.
	Stale bool
}

// Stale reports whether any file the scrape took its values from was
// stale.
func (r Result) Stale() bool {
	for _, rd := range r.Reads {
		if rd.Stale {
			return true
		}
	}
	return false
}

// Sent returns how many signals have been delivered so far, by the file
// each asks for: what a [Watcher] should see written once the daemon has
// caught up.
func (s *Scraper) Sent() map[string]int { return maps.Clone(s.sent) }

// Scrape does one scrape. It holds the dumps that are there open from
// before its first signal to its end, to tell stale reads by their inodes
// (see the package comment).
func (s *Scraper) Scrape(ctx context.Context) Result {
	before := map[string]*os.File{}
	for _, name := range s.Mode.Files() {
		if f, err := os.Open(filepath.Join(s.Dir, name)); err == nil {
			before[name] = f
			defer f.Close()
		}
	}
	var res Result
	start := time.Now()
	delay := firstRetry
	for {
		res.Attempts++
		err := s.attempt(&res, before)
		if err == nil {
			return res
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			res.Missing++
		case errors.Is(err, ErrUnparsable):
			res.Unparsable++
		}
		if time.Since(start)+delay > retryTotal {
			res.Err = err
			return res
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			res.Err = ctx.Err()
			return res
		}
		delay = time.Duration(float64(delay) * retryGrow)
	}
}

// attempt is one round of the exporter's getKeepalivedStats: the signals,
// then at once the files, each read whole as the exporter scans it.
func (s *Scraper) attempt(res *Result, before map[string]*os.File) error {
	res.VRRPs, res.Scripts, res.Reads = nil, nil, nil
	if s.Mode == JSON {
		if err := s.signal("JSON", JSONFile); err != nil {
			return err
		}
		b, err := s.read(res, before, JSONFile)
		if err != nil {
			return err
		}
		res.VRRPs, err = ParseJSON(b)
		return err
	}
	if err := s.signal("STATS", StatsFile); err != nil {
		return err
	}
	if err := s.signal("DATA", DataFile); err != nil {
		return err
	}
	b, err := s.read(res, before, DataFile)
	if err != nil {
		return err
	}
	res.Scripts = ParseScripts(b)
	if b, err = s.read(res, before, StatsFile); err != nil {
		return err
	}
	stats, err := ParseStats(b)
	if err != nil {
		return err
	}
	if b, err = s.read(res, before, DataFile); err != nil {
		return err
	}
	data, err := ParseData(b)
	if err != nil {
		return err
	}
	res.VRRPs, err = Join(data, stats)
	return err
}

// signal sends the signal named name to the pid in the pidfile, read again
// each time as the exporter does.
func (s *Scraper) signal(name, file string) error {
	b, err := os.ReadFile(s.PIDFile)
	if err != nil {
		return fmt.Errorf("pidfile: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSuffix(string(b), "\n"))
	if err != nil {
		return fmt.Errorf("pidfile %s: %w", s.PIDFile, err)
	}
	sig, ok := s.Signals[name]
	if !ok {
		return fmt.Errorf("no %s signal", name)
	}
	if s.Kill != nil {
		err = s.Kill(pid, sig)
	} else {
		// As the exporter: os.FindProcess (a pidfd on Linux) and Signal.
		var p *os.Process
		if p, err = os.FindProcess(pid); err == nil {
			err = p.Signal(sig)
		}
	}
	if err != nil {
		return fmt.Errorf("signal %d to pid %d: %w", sig, pid, err)
	}
	if s.sent == nil {
		s.sent = map[string]int{}
	}
	s.sent[file]++
	return nil
}

// read reads one dump whole and records whether it was there before the
// scrape.
func (s *Scraper) read(res *Result, before map[string]*os.File, name string) ([]byte, error) {
	f, err := os.Open(filepath.Join(s.Dir, name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	rd := Read{File: name, Size: len(b)}
	if old := before[name]; old != nil {
		fi, err1 := f.Stat()
		ofi, err2 := old.Stat()
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		rd.Stale = os.SameFile(fi, ofi)
	}
	res.Reads = append(res.Reads, rd)
	return b, nil
}
