package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/daemon"
)

// runningConfigPath is where the daemon keeps the normalised form of the
// configuration it runs, beside its pidfile, for --check-config to preview
// a reload: /run/keepalived.running.conf by default.
func runningConfigPath(o *options) string {
	pid := o.pidFile
	if pid == "" {
		pid = daemon.DefaultPIDFile
	}
	return strings.TrimSuffix(pid, ".pid") + ".running.conf"
}

// writeRunningConfig saves cfg's normalised form (mode 0600, written to a
// temporary file and renamed, so a reader never sees half of it).
func writeRunningConfig(path string, cfg *config.Config) error {
	var b bytes.Buffer
	if err := confparse.Dump(&b, cfg); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".running-*.conf")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// reloadPreview prints what a reload to cfg would change in the running
// daemon's configuration, if one is running with the same pidfile.
func reloadPreview(o *options, cfg *config.Config, out io.Writer) {
	path := runningConfigPath(o)
	if _, err := os.Stat(path); err != nil {
		return
	}
	running, diags := confparse.Load(path, confparse.Options{Env: anyEnv{}})
	if diags.CannotRun() {
		fmt.Fprintf(out, "%s: cannot read the running configuration for a reload preview\n", path)
		return
	}
	changes := confparse.Diff(running, cfg)
	if len(changes) == 0 {
		fmt.Fprintf(out, "reload preview (against %s): nothing would change\n", path)
		return
	}
	fmt.Fprintf(out, "reload preview (against %s): + added, - removed, ~ changed\n", path)
	for _, c := range changes {
		fmt.Fprintln(out, c.String())
	}
}

// anyEnv accepts every interface, user and program: the running
// configuration was checked when it was loaded.
type anyEnv struct{}

func (anyEnv) InterfaceExists(string) bool                 { return true }
func (anyEnv) InterfaceWithAddr(netip.Addr) (string, bool) { return "", false }
func (anyEnv) UserExists(string) bool                      { return true }
func (anyEnv) LookPath(name string) (string, error)        { return name, nil }
func (anyEnv) Executable(string) bool                      { return true }

// loadReload reads the configuration again for a reload. It returns nil,
// and logs (if log is not nil) and returns every problem, when the new
// configuration cannot run or has errors that the running one did not
// have: the running configuration then stays untouched.
func loadReload(o *options, log *slog.Logger, known map[string]bool) (*config.Config, confparse.Diagnostics, []string) {
	cfg, diags := confparse.Load(o.configFile, confparse.Options{
		Read:              confparse.ReadOptions{ConfigID: o.configID, AllChecks: o.allConfig},
		KeepalivedScripts: o.keepalivedScripts,
	})
	bad := diags.CannotRun()
	var problems []string
	for _, d := range diags {
		if d.Class == confparse.ClassNote || known[diagKey(d)] {
			continue
		}
		if log != nil {
			log.Warn(d.String())
		}
		if d.Class < confparse.ClassWarning || diags.CannotRun() {
			problems = append(problems, d.String())
		}
		if d.Class < confparse.ClassWarning {
			bad = true
		}
	}
	if bad {
		if log != nil {
			log.Error("Reload aborted: " + o.configFile + " has errors; the running configuration is unchanged")
		}
		if len(problems) == 0 {
			problems = []string{o.configFile + ": the configuration cannot run"}
		}
		return nil, nil, problems
	}
	return cfg, diags, nil
}

// diagKey identifies a diagnostic without its position, so that problems
// the running configuration already had do not block a reload.
func diagKey(d confparse.Diagnostic) string { return fmt.Sprint(d.Class) + " " + d.Msg }

// knownDiags are the running configuration's problems.
func knownDiags(diags confparse.Diagnostics) map[string]bool {
	out := map[string]bool{}
	for _, d := range diags {
		out[diagKey(d)] = true
	}
	return out
}
