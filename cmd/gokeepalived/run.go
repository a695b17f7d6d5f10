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

// keepalivedCompat is the keepalived release whose VRRP side gokeepalived
// follows, as -v reports it.
const keepalivedCompat = "2.2.7"

// printVersion is -v / --version: keepalived writes its version to stderr
// and exits 0, and so does gokeepalived.
//
// The first line keeps keepalived's shape, "Keepalived v2.2.7 (...)",
// because monitoring tools parse it. mehdy/keepalived-exporter (formerly
// cafebazaar/keepalived-exporter; internal/types/utils/version.go,
// ParseVersion) reads the first line of `keepalived -v`'s stderr, splits it
// at single spaces and parses the second word minus its first character
// with hashicorp/go-version; from 1.3.8 on it asks `keepalived --signum` for
// the signal numbers (utils/signals.go, HasSigNumSupport), and from 1.4.0
// on it reads the script states from the data dump. A third word must follow
// the version, as keepalived's date does, because that exporter's older
// parser (internal/collector/utils.go) left the line's newline on the last
// word. gen2brain/keepalived_exporter does not run -v: it sends the fixed
// signal 36 for the JSON dump. version_test.go runs that parse on this
// output.
func printVersion(w io.Writer) {
	goVersion := "an unknown Go version"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.GoVersion != "" {
		goVersion = bi.GoVersion
	}
	fmt.Fprintf(w, "Keepalived v%s (gokeepalived %s)\n\n", keepalivedCompat, programVersion)
	fmt.Fprintf(w, "gokeepalived %s, a keepalived-compatible VRRP daemon: it runs Keepalived v%s's VRRP side\n",
		programVersion, keepalivedCompat)
	fmt.Fprintf(w, "Built with %s\n", goVersion)
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
