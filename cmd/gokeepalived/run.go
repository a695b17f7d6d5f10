package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
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
	switch {
	case o.help:
		usage(stdout, o.flags)
		return exitOK
	case o.version:
		fmt.Fprintf(stdout, "gokeepalived v%s, compatible with Keepalived v2.2.7 (VRRP side)\n", programVersion)
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
		Read: confparse.ReadOptions{ConfigID: o.configID, AllChecks: o.allConfig},
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
