package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/dumps"
	"github.com/gokeepalived/gokeepalived/internal/logging"
	"github.com/gokeepalived/gokeepalived/internal/reload"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/sdnotify"
	"github.com/gokeepalived/gokeepalived/internal/smtpalert"
	"github.com/gokeepalived/gokeepalived/internal/vip"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// newLogger builds the daemon's logger from -l, -D, -S, -G, -g and
// --log-format (see logging.New): the console (stderr) with -l, syslog
// unless -G, the log file with -g; the console alone if syslog cannot be
// reached and nothing else would log.
func newLogger(o *options, stderr io.Writer) (*slog.Logger, func()) {
	facility := -1
	if o.flags.Changed("log-facility") {
		facility = o.logFacility
	}
	format, _ := logging.ParseFormat(o.logFormat) // checked by parseFlags
	return logging.New(logging.Options{
		Console: o.logConsole, Detail: o.logDetail, Syslog: !o.noSyslog, Facility: facility,
		File: o.logFile, Format: format, Stderr: stderr, JournalStream: os.Getenv("JOURNAL_STREAM"),
	})
}

// runDaemon is gokeepalived -f FILE: it runs the VRRP instances until
// SIGTERM or SIGINT.
func runDaemon(o *options, stderr io.Writer) int {
	// Descriptors we inherited must not reach the scripts we run.
	scripts.CloseOnExecInherited()
	log, closeLog := newLogger(o, stderr)
	defer closeLog()
	log.Info(fmt.Sprintf("Starting gokeepalived v%s, compatible with Keepalived v2.2.7", programVersion))
	log.Info(fmt.Sprintf("Command line: %s", quoteArgs(os.Args)))
	cfg, diags := confparse.Load(o.configFile, confparse.Options{
		Read:              confparse.ReadOptions{ConfigID: o.configID, AllChecks: o.allConfig},
		KeepalivedScripts: o.keepalivedScripts,
	})
	for _, d := range diags {
		log.Warn(d.String())
	}
	if diags.MissingConfig() {
		return exitNoConfig
	}
	if diags.CannotRun() {
		log.Error("the configuration cannot run; gokeepalived -t shows why")
		return exitConfig
	}
	if o.dump {
		var b bytes.Buffer
		confparse.Dump(&b, cfg)
		for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			log.Info(line)
		}
	}
	pidfiles, err := writePIDFiles(o)
	if err != nil {
		log.Error(err.Error())
		return exitFatal
	}
	defer func() {
		for _, p := range pidfiles {
			p.Remove()
		}
	}()
	stopProfiling, err := startProfiling(o, log)
	defer stopProfiling()
	if err != nil {
		log.Error(err.Error())
		return exitFatal
	}
	return serve(o, cfg, diags, log)
}

func serve(o *options, cfg *config.Config, diags confparse.Diagnostics, log *slog.Logger) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	// SIGHUP is caught from the start: its default action would end us.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	// The dump signals too: SIGUSR1's default action would end us.
	dumpSig := make(chan os.Signal, 4)
	signal.Notify(dumpSig, dumps.SignalData, dumps.SignalStats, dumps.SignalStatsClear, dumps.SignalJSON)
	defer signal.Stop(dumpSig)
	host, err := vip.Open(vip.Config{Logger: log})
	if err != nil {
		log.Error(err.Error())
		return exitFatal
	}
	defer host.Close()
	pool := socket.NewPool(log)
	defer pool.Close()
	running := runningConfigPath(o)
	if err := writeRunningConfig(running, cfg); err != nil {
		log.Warn("cannot save the running configuration for reload previews: " + err.Error())
	}
	defer os.Remove(running)
	reloads := make(chan daemon.Reload)
	dumpReqs := make(chan daemon.DumpRequest)
	ctlReqs := make(chan daemon.ControlRequest)
	ctlReloads := make(chan reloadReq)
	// One clock for the instances, the scripts and the trackers.
	clk := clock.System{}
	runner := &scripts.Runner{Log: log, KeepalivedScripts: o.keepalivedScripts, Clock: clk}
	// The notify FIFOs (reference §5.4): their scripts get SIGTERM as
	// shutdown starts, before the STOP lines, as keepalived does.
	fifos := scripts.OpenFIFOs(&cfg.Global, runner, log)
	defer fifos.Close()
	stopFIFOs := context.AfterFunc(ctx, fifos.Stopping)
	defer stopFIFOs()
	// The smtp_alert emails leave from a queue of their own; those of the
	// stop sequence are given a second once the daemon has stopped.
	mail := smtpalert.New(smtpalert.Options{Log: log})
	defer mail.Close(time.Second)
	deps := daemon.Deps{
		Log: log, Clock: clk, Net: host, Links: host, Addrs: host, Scripts: runner, Events: fifos, Mail: mail,
		Open:      func(so socket.Options) (daemon.Endpoint, error) { return pool.Open(so) },
		Reloads:   reloads,
		Dumps:     dumpReqs,
		Control:   ctlReqs,
		Demotions: demotionStore(o),
		// systemd's Type=notify: ready once every instance has started.
		// Starting thousands of instances leaves the heap far larger
		// than what stays in use (the parsed text, the netlink dumps):
		// give that back to the system now rather than in minutes.
		Ready: func() {
			notifySystemd(log, sdnotify.Ready())
			debug.FreeOSMemory()
		},
	}
	status := daemon.NewStatus()
	stopMetrics, err := startMetrics(o, log, status, pool)
	if err != nil {
		log.Error(err.Error())
		return exitFatal
	}
	defer stopMetrics()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() { // Ends with ctx.
		defer wg.Done()
		handleReloads(ctx, hup, ctlReloads, o, log, cfg, diags, reloads, status.ReloadRejected)
	}()
	stopControl := startControl(o, log, backend{reqs: ctlReqs, reloads: ctlReloads})
	defer stopControl()
	wg.Add(1)
	go func() { // Ends with ctx.
		defer wg.Done()
		handleDumps(ctx, dumpSig, dumpReqs)
	}()
	err = daemon.Run(ctx, cfg, deps, status)
	mail.Close(time.Second)
	notifySystemd(log, sdnotify.Stopping())
	if err != nil {
		log.Error(err.Error())
		stop()
		return exitFatal
	}
	log.Info("Stopped gokeepalived v" + programVersion)
	return exitOK
}

// handleReloads serves SIGHUP and the control socket's reloads until ctx
// ends: the configuration is read and checked again, and handed to the
// daemon only if it has no new errors. A dry run only says what would
// change.
func handleReloads(ctx context.Context, hup <-chan os.Signal, ctl <-chan reloadReq, o *options, log *slog.Logger,
	current *config.Config, diags confparse.Diagnostics, reloads chan<- daemon.Reload, rejected func()) {
	known := knownDiags(diags)
	for {
		var req *reloadReq
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case r := <-ctl:
			req = &r
		}
		result := &control.ReloadResult{}
		answer := func() {
			if req != nil {
				req.reply <- result
			}
		}
		if req != nil && req.dryRun {
			cfg, _, problems := loadReload(o, nil, known)
			result.Errors = problems
			if cfg != nil {
				plan := reload.Plan(current, cfg)
				result.Plan, result.Restarts = plan.Lines(), plan.Restarts()
			}
			answer()
			continue
		}
		log.Info("Reloading ...")
		notifySystemd(log, sdnotify.Reloading())
		cfg, diags, problems := loadReload(o, log, known)
		if cfg == nil {
			rejected()
			notifySystemd(log, sdnotify.Ready())
			result.Errors = problems
			answer()
			continue
		}
		plan := reload.Plan(current, cfg)
		result.Plan, result.Restarts = plan.Lines(), plan.Restarts()
		done := make(chan error, 1)
		select {
		case reloads <- daemon.Reload{Config: cfg, Done: done}:
		case <-ctx.Done():
			return
		}
		select {
		case err := <-done:
			notifySystemd(log, sdnotify.Ready())
			if err != nil {
				log.Error("reload: " + err.Error())
				result.Errors = []string{err.Error()}
				answer()
				continue
			}
		case <-ctx.Done():
			return
		}
		result.Applied = true
		answer()
		current = cfg
		if err := writeRunningConfig(runningConfigPath(o), cfg); err != nil {
			log.Warn("cannot save the running configuration for reload previews: " + err.Error())
		}
		known = knownDiags(diags)
		log.Debug(fmt.Sprintf("Reload: %d goroutines", runtime.NumGoroutine()))
	}
}

// notifySystemd logs a failure to talk to systemd's notify socket.
func notifySystemd(log *slog.Logger, err error) {
	if err != nil {
		log.Warn("sd_notify: " + err.Error())
	}
}

func writePIDFiles(o *options) ([]*daemon.PIDFile, error) {
	main, vrrpFile := o.pidFile, o.vrrpPidFile
	if main == "" {
		main = daemon.DefaultPIDFile
	}
	if vrrpFile == "" {
		vrrpFile = daemon.DefaultVRRPPIDFile
	}
	var out []*daemon.PIDFile
	for _, path := range []string{main, vrrpFile} {
		p, err := daemon.WritePIDFile(path)
		if err != nil {
			for _, q := range out {
				q.Remove()
			}
			if errors.Is(err, daemon.ErrRunning) {
				return nil, fmt.Errorf("daemon is already running (%w)", err)
			}
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + a + "'"
	}
	return strings.Join(q, " ")
}
