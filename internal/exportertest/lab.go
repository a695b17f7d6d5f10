package exportertest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// LabConfig is the configuration of a [Host]: two instances on eth0 and
// two vrrp_scripts. VI_1 tracks chk_up, which succeeds, and becomes MASTER
// alone on its LAN; VI_2 tracks chk_down, which fails, with weight 0, and
// stays in FAULT. Steady tells when a scrape shows that.
const LabConfig = `vrrp_script chk_up {
    script "/bin/true"
    interval 1
}
vrrp_script chk_down {
    script "/bin/false"
    interval 1
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_script {
        chk_up
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.101/24
    }
    track_script {
        chk_down weight 0
    }
}
`

// The numbers of instances and vrrp_scripts of LabConfig.
const (
	LabInstances = 2
	LabScripts   = 2
)

// Steady reports whether r shows LabConfig settled: VI_1 MASTER, VI_2 FAULT
// and, in text mode, chk_up GOOD and chk_down BAD; otherwise it says what
// it shows.
func Steady(r Result, mode Mode) (bool, string) {
	if r.Err != nil {
		return false, r.Err.Error()
	}
	var got []string
	for _, v := range r.VRRPs {
		got = append(got, v.Name+" "+stateName(v.State))
	}
	want := []string{"VI_1 MASTER", "VI_2 FAULT"}
	if mode == Text {
		for _, s := range r.Scripts {
			got = append(got, s.Name+" "+s.Status)
		}
		want = append(want, "chk_up GOOD", "chk_down BAD")
	}
	return slices.Equal(got, want), strings.Join(got, ", ")
}

func stateName(s int) string {
	if s >= 0 && s < len(States) {
		return States[s]
	}
	return fmt.Sprint(s)
}

// Daemon is a daemon to run and scrape.
type Daemon struct {
	// Name is "keepalived" or "gokeepalived".
	Name string
	// Bin is a directory holding a command named keepalived that runs the
	// daemon: Debian's, or a link to gokeepalived as the compatibility
	// package installs it. It goes first in the exporter's PATH, and the
	// daemon is started as Bin/keepalived.
	Bin string
}

// Host is a daemon running LabConfig in a namespace of its own, with
// eth0 (192.0.2.1/24) a veth to a second namespace, its own pidfiles and
// its own $TMPDIR, watched by a [Watcher].
type Host struct {
	Daemon  Daemon
	Dir     string // $TMPDIR, where the dumps go
	PIDFile string // the main pidfile
	Proc    *nstest.Process
	Watcher *Watcher

	ns, peer *nstest.Netns
}

// StartHost starts d on LabConfig with its files under dir. On error it
// removes what it made; otherwise the caller must Close the host.
func StartHost(ctx context.Context, d Daemon, dir string) (h *Host, err error) {
	h = &Host{Daemon: d, Dir: filepath.Join(dir, "tmp")}
	defer func() {
		if err != nil {
			err = errors.Join(err, h.Close())
		}
	}()
	if err := os.MkdirAll(h.Dir, 0o755); err != nil {
		return h, err
	}
	if h.ns, err = nstest.Create(ctx, "scr"); err != nil {
		return h, err
	}
	if h.peer, err = nstest.Create(ctx, "scrp"); err != nil {
		return h, err
	}
	if err = h.ns.AddVeth(ctx, "eth0", h.peer, "eth0"); err != nil {
		return h, err
	}
	if err = h.ns.AddAddr(ctx, "eth0", "192.0.2.1/24"); err != nil {
		return h, err
	}
	conf := filepath.Join(dir, "keepalived.conf")
	// Not executable: keepalived refuses executable configuration files.
	if err := os.WriteFile(conf, []byte(LabConfig), 0o644); err != nil {
		return h, err
	}
	if h.Watcher, err = Watch(h.Dir); err != nil {
		return h, err
	}
	h.PIDFile = conf + ".pid"
	args := []string{"TMPDIR=" + h.Dir, filepath.Join(d.Bin, "keepalived"),
		"-n", "-l", "-D", "-G", "-f", conf, "-p", h.PIDFile, "-r", conf + ".vrrp.pid"}
	if d.Name == "keepalived" {
		args = append(args, "-P", "-c", conf+".checkers.pid", "-b", conf+".bfd.pid")
	}
	if h.Proc, err = h.ns.StartProcess("env", args...); err != nil {
		return h, err
	}
	return h, nil
}

// Scraper returns a scraper of the host in mode with the probe's signals.
func (h *Host) Scraper(mode Mode, p Probe) *Scraper {
	return &Scraper{PIDFile: h.PIDFile, Dir: h.Dir, Mode: mode, Signals: p.Signals}
}

// Path is the exporter's PATH for the host: its Bin first.
func (h *Host) Path() string {
	return h.Daemon.Bin + string(filepath.ListSeparator) + os.Getenv("PATH")
}

// WaitSteady scrapes in text mode until [Steady] holds, failing after
// timeout or as soon as the daemon exits.
func (h *Host) WaitSteady(ctx context.Context, s *Scraper, timeout time.Duration) error {
	var last string
	err := nstest.Poll(ctx, timeout, 100*time.Millisecond, func() (bool, string) {
		select {
		case <-h.Proc.Exited():
			return true, ""
		default:
		}
		ok, got := Steady(s.Scrape(ctx), s.Mode)
		last = got
		return ok, got
	})
	select {
	case <-h.Proc.Exited():
		return fmt.Errorf("%s exited:\n%s", h.Daemon.Name, h.Proc.Output())
	default:
	}
	if err != nil {
		return fmt.Errorf("%s did not settle (last scrape: %s): %w\n%s", h.Daemon.Name, last, err, h.Proc.Output())
	}
	return nil
}

// Close stops the daemon and removes the namespaces.
func (h *Host) Close() error {
	var errs []error
	if h.Watcher != nil {
		errs = append(errs, h.Watcher.Close())
	}
	for _, ns := range []*nstest.Netns{h.ns, h.peer} {
		if ns != nil {
			errs = append(errs, ns.Close())
		}
	}
	return errors.Join(errs...)
}

// Measurement is what [Measure] saw of one host.
type Measurement struct {
	// Tallies and Results are by mode, the results in order.
	Tallies map[Mode]*Tally
	Results map[Mode][]Result
}

// Measure waits until every host has settled, then does rounds rounds of
// scrapes: in each, one text scrape of every host, then one JSON scrape of
// every host, the hosts in turn (their order swapped from one round to the
// next). A scrape starts once every dump asked for before it has been
// written (up to 5 s; a wait that ends short counts as coalesced) and, as
// an exporter scrapes at an interval, once interval has passed since the
// dumps of the host's previous scrape in the same mode were. Interleaving
// the hosts' scrapes gives them the same conditions: whether a read right
// after a signal beats the daemon depends on the machine's load of the
// moment. The measurements come in the hosts' order.
func Measure(ctx context.Context, hosts []*Host, probes []Probe, rounds int, interval time.Duration) ([]*Measurement, error) {
	scrapers := make([][]*Scraper, len(hosts))
	ms := make([]*Measurement, len(hosts))
	ready := make([][2]time.Time, len(hosts)) // by host and mode: when the next scrape may start
	for i, h := range hosts {
		scrapers[i] = []*Scraper{h.Scraper(Text, probes[i]), h.Scraper(JSON, probes[i])}
		ms[i] = &Measurement{Tallies: map[Mode]*Tally{Text: {}, JSON: {}}, Results: map[Mode][]Result{}}
		if err := h.WaitSteady(ctx, scrapers[i][0], time.Minute); err != nil {
			return ms, err
		}
	}
	// quiet waits until host i's daemon has written every dump asked for.
	quiet := func(i int) (short bool, err error) {
		sent := scrapers[i][0].Sent()
		maps.Copy(sent, scrapers[i][1].Sent())
		missing, err := hosts[i].Watcher.Wait(ctx, sent, 5*time.Second)
		return len(missing) > 0, err
	}
	for i := range hosts {
		if _, err := quiet(i); err != nil {
			return ms, err
		}
		ready[i] = [2]time.Time{time.Now().Add(interval), time.Now().Add(interval)}
	}
	for round := range rounds {
		for _, mode := range []Mode{Text, JSON} {
			for k := range hosts {
				i := k
				if round%2 == 1 {
					i = len(hosts) - 1 - k
				}
				short, err := quiet(i)
				if err != nil {
					return ms, err
				}
				if err := until(ctx, ready[i][mode]); err != nil {
					return ms, err
				}
				s := scrapers[i][mode] // Text is 0, JSON 1
				t := ms[i].Tallies[s.Mode]
				if short {
					t.Coalesced++
				}
				r := s.Scrape(ctx)
				if ctx.Err() != nil {
					return ms, ctx.Err()
				}
				t.Add(r, s.Mode, LabInstances, LabScripts)
				ms[i].Results[s.Mode] = append(ms[i].Results[s.Mode], r)
				if short, err = quiet(i); err != nil {
					return ms, err
				}
				if short {
					t.Coalesced++
				}
				ready[i][mode] = time.Now().Add(interval)
			}
		}
	}
	return ms, nil
}

// until waits until t, the start of a scrape at the exporter's interval.
func until(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
