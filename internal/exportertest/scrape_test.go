package exportertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// fakeDaemon answers the scraper's signals in its Kill, at once, with
// files of its dump directory: what each signal does is up to the test.
type fakeDaemon struct {
	t       *testing.T
	dir     string
	signals []syscall.Signal
	onKill  func(n int, sig syscall.Signal) // n counts from 1
}

func newFake(t *testing.T) (*fakeDaemon, *Scraper) {
	t.Helper()
	f := &fakeDaemon{t: t, dir: t.TempDir()}
	pidfile := filepath.Join(f.dir, "pid")
	if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Scraper{PIDFile: pidfile, Dir: f.dir, Mode: JSON,
		Signals: map[string]syscall.Signal{"DATA": syscall.SIGUSR1, "STATS": syscall.SIGUSR2, "JSON": 36},
		Kill: func(pid int, sig syscall.Signal) error {
			if pid != os.Getpid() {
				t.Errorf("signalled pid %d, want the pidfile's %d", pid, os.Getpid())
			}
			f.signals = append(f.signals, sig)
			if f.onKill != nil {
				f.onKill(len(f.signals), sig)
			}
			return nil
		}}
	return f, s
}

// replace writes name as the daemons do: a new file renamed in.
func (f *fakeDaemon) replace(name, content string) {
	f.t.Helper()
	tmp := filepath.Join(f.dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(f.dir, name)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakeDaemon) remove(name string) {
	f.t.Helper()
	if err := os.Remove(filepath.Join(f.dir, name)); err != nil {
		f.t.Fatal(err)
	}
}

const oneInstance = `[{"data":{"iname":"VI_1","state":2,"wantstate":2,"ifp_ifname":"eth0","vrid":51},"stats":{"advert_sent":%d}}]`

func jsonDump(sent int) string { return fmt.Sprintf(oneInstance, sent) }

// TestScrapeStale tells a scrape that read the file that was there before
// its signal (a daemon that had not written yet) from one that read a file
// written since, even with the same content.
func TestScrapeStale(t *testing.T) {
	f, s := newFake(t)
	f.replace(JSONFile, jsonDump(1))
	r := s.Scrape(t.Context())
	if r.Err != nil || r.Attempts != 1 || !r.Stale() || len(r.VRRPs) != 1 {
		t.Errorf("daemon that writes nothing: %+v, want one stale read", r)
	}
	f.onKill = func(int, syscall.Signal) { f.replace(JSONFile, jsonDump(1)) }
	r = s.Scrape(t.Context())
	if r.Err != nil || r.Attempts != 1 || r.Stale() || r.VRRPs[0].Name != "VI_1" || r.VRRPs[0].State != 2 {
		t.Errorf("daemon that rewrites the same dump at once: %+v, want one fresh read", r)
	}
	if got := s.Sent()[JSONFile]; got != 2 {
		t.Errorf("Sent counts %d JSON signals, want 2", got)
	}
	if len(f.signals) != 2 || f.signals[0] != 36 {
		t.Errorf("signals %v, want 36 twice", f.signals)
	}
}

// TestScrapeRetries follows the exporter on a missing file and on an empty
// one (keepalived renames an empty file in before writing it): it signals
// and reads again, and a file written for an earlier signal of the same
// scrape is not stale.
func TestScrapeRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, s := newFake(t)
		f.replace(JSONFile, jsonDump(1))
		f.onKill = func(n int, _ syscall.Signal) {
			switch n {
			case 1:
				f.remove(JSONFile)
			case 2:
				f.replace(JSONFile, "")
			case 3:
				f.replace(JSONFile, jsonDump(3))
			}
		}
		start := time.Now()
		r := s.Scrape(t.Context())
		if r.Err != nil || r.Attempts != 3 || r.Missing != 1 || r.Unparsable != 1 || r.Stale() || r.VRRPs[0].Stats.AdvertSent != 3 {
			t.Errorf("%+v: want a missing, an unparsable and a fresh attempt", r)
		}
		if d := time.Since(start); d != 25*time.Millisecond {
			t.Errorf("the retries took %v, want the exporter's 10 ms then 15 ms", d)
		}
	})
}

// TestScrapeGivesUp stops, as the exporter does, when the next wait would
// take it past 2 s, and reports the last error.
func TestScrapeGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, s := newFake(t)
		start := time.Now()
		r := s.Scrape(context.Background())
		if !errors.Is(r.Err, os.ErrNotExist) || r.Missing != r.Attempts || r.Attempts < 5 {
			t.Errorf("%+v: want every attempt missing and the last error kept", r)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("gave up after %v, past the exporter's 2 s", d)
		}
	})
}

// TestScrapeText signals STATS then DATA and reads the data dump twice and
// the statistics once, in the exporter's order; a data dump whose instances
// the statistics lack is unparsable.
func TestScrapeText(t *testing.T) {
	f, s := newFake(t)
	s.Mode = Text
	data := " VRRP Instance = VI_1\n   State = MASTER\n   Interface = eth0\n   Virtual Router ID = 51\n" +
		"------< VRRP Scripts >------\n VRRP Script = chk\n   Status = GOOD\n   State = idle\n"
	stats := "VRRP Instance: VI_1\n  Advertisements:\n    Received: 0\n    Sent: 7\n  Became master: 1\n"
	f.onKill = func(n int, sig syscall.Signal) {
		switch sig {
		case syscall.SIGUSR2:
			f.replace(StatsFile, stats)
		case syscall.SIGUSR1:
			f.replace(DataFile, data)
		}
	}
	r := s.Scrape(t.Context())
	if r.Err != nil || r.Stale() || len(r.VRRPs) != 1 || r.VRRPs[0].Stats.AdvertSent != 7 || r.VRRPs[0].Stats.BecomeMaster != 1 ||
		len(r.Scripts) != 1 || r.Scripts[0] != (Script{"chk", "GOOD", "idle"}) {
		t.Errorf("%+v", r)
	}
	var order []string
	for _, rd := range r.Reads {
		order = append(order, rd.File)
	}
	if want := []string{DataFile, StatsFile, DataFile}; !slices.Equal(order, want) || !slices.Equal(f.signals, []syscall.Signal{12, 10}) {
		t.Errorf("read %v after signals %v, want %v after 12, 10", order, f.signals, want)
	}

	f.onKill = func(n int, sig syscall.Signal) {
		if sig == syscall.SIGUSR1 {
			f.replace(DataFile, data+" VRRP Instance = VI_2\n   State = BACKUP\n")
		}
	}
	f.replace(StatsFile, stats)
	synctest.Test(t, func(t *testing.T) {
		if r := s.Scrape(t.Context()); r.Err == nil || r.Unparsable != r.Attempts {
			t.Errorf("data with an instance the statistics lack: %+v, want every attempt unparsable", r)
		}
	})
}
