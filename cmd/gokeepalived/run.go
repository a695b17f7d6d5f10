package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/dumps"
)

// checkGCPercent is the garbage collector's target for the config check.
const checkGCPercent = 10

// run is the whole program behind main; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		if _, ok := controlCommands[args[0]]; ok {
			return runControl(args[0], args[1:], stdout, stderr)
		}
	}
	o, err := parseFlags(args, stderr)
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\nTry 'gokeepalived --help'.\n", err)
		return exitUsage
	}
	if o.flags.Changed("signum") {
		return printSignum(o.signum, stdout, stderr)
	}
	switch {
	case o.help:
		usage(stdout, o.flags)
		return exitOK
	case o.version:
		printVersion(stderr)
		return exitOK
	case o.configTest:
		return checkConfig(o, stdout, stderr)
	}
	return runDaemon(o, stderr)
}

// checkConfig is -t / --check-config (and -d): read, validate, report,
// and exit with keepalived's -t exit code.
func checkConfig(o *options, stdout, stderr io.Writer) int {
	// The check is a short, one-shot run: collecting garbage more often
	// keeps its peak memory low at little cost in time (README.md,
	// "Benchmark"). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(checkGCPercent)
	}
	stopProfiling, err := startFileProfiles(o, slog.New(slog.NewTextHandler(stderr, nil)))
	defer stopProfiling()
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
		return exitFatal
	}
	out := stderr
	if o.configTestTo != "" {
		f, err := os.Create(o.configTestTo)
		if err != nil {
			fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
			return exitFatal
		}
		defer f.Close()
		out = f
	}
	cfg, diags := confparse.Load(o.configFile, confparse.Options{
		Read:              confparse.ReadOptions{ConfigID: o.configID, AllChecks: o.allConfig},
		KeepalivedScripts: o.keepalivedScripts,
	})
	for _, d := range diags {
		if !d.Pos.IsValid() && d.Pos.File == "" {
			d.Pos.File = o.configFile
		}
		fmt.Fprintln(out, d.String())
	}
	code := diags.ExitCode()
	if o.dump && code != confparse.ExitCannotRun {
		if err := confparse.Dump(stdout, cfg); err != nil {
			fmt.Fprintf(stderr, "gokeepalived: %v\n", err)
			return exitFatal
		}
	}
	if len(diags) > 0 {
		fmt.Fprintln(out, summary(o.configFile, diags))
	}
	if !diags.CannotRun() {
		reloadPreview(o, cfg, out)
	}
	return code
}

// summary is the last line of a check: counts and the verdict.
func summary(file string, diags confparse.Diagnostics) string {
	var errs, warns int
	for _, d := range diags {
		if d.Level() == "error" {
			errs++
		} else {
			warns++
		}
	}
	verdict := "runs"
	switch {
	case diags.CannotRun():
		verdict = "cannot run"
	case errs > 0:
		verdict = "runs, with the errors above ignored as keepalived ignores them"
	}
	return fmt.Sprintf("%s: %d error(s), %d warning(s); the configuration %s", file, errs, warns, verdict)
}

// signumOf returns the number of the signal behind one of keepalived's
// --signum names (case-sensitive; reference §5.5). TDUMP exists only in
// keepalived builds with THREAD_DUMP, which Debian's is not.
func signumOf(name string) (syscall.Signal, bool) {
	switch name {
	case "STOP":
		return syscall.SIGTERM, true
	case "RELOAD":
		return syscall.SIGHUP, true
	case "DATA":
		return dumps.SignalData, true
	case "STATS":
		return dumps.SignalStats, true
	case "STATS_CLEAR":
		return dumps.SignalStatsClear, true
	case "JSON":
		return dumps.SignalJSON, true
	}
	return 0, false
}

// printSignum is --signum=NAME: the number and a newline on stdout and
// exit 0, or keepalived's message on stderr and exit 1.
func printSignum(name string, stdout, stderr io.Writer) int {
	if name == "" {
		fmt.Fprintln(stderr, "Missing parameter for option --signum")
		return exitFatal
	}
	sig, ok := signumOf(name)
	if !ok {
		fmt.Fprintf(stderr, "Unknown sigfunc %s\n", name)
		return exitFatal
	}
	fmt.Fprintf(stdout, "%d\n", int(sig))
	return exitOK
}
