package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/logging"
	"github.com/spf13/pflag"
)

// Exit codes of the daemon, as keepalived 2.2.7's (reference §1.11). The
// config check uses confparse's.
const (
	exitOK         = 0
	exitFatal      = 1
	exitConfig     = 2
	exitNoConfig   = 6
	exitUsage      = 64
	defaultConfig  = "/etc/keepalived/keepalived.conf"
	programVersion = "0.1.0"
)

// options are the parsed command-line flags: keepalived's flag set.
type options struct {
	configFile   string
	configTest   bool
	configTestTo string // -t=FILE: diagnostics go to FILE
	dump         bool
	configID     string
	allConfig    bool
	version      bool
	help         bool

	// Daemon flags, accepted as keepalived accepts them.
	dontFork     bool
	logConsole   bool
	logDetail    bool
	logFacility  int
	logFile      string // -g: keepalived's VRRP process writes to logging.FileName(logFile, "vrrp", "", "")
	flushLogFile bool   // accepted: every line is written at once anyway
	logFormat    string // --log-format: keepalived or json
	noSyslog     bool
	pidFile      string
	vrrpPidFile  string
	vrrpOnly     bool
	checkersOnly bool
	dontRelease  bool
	releaseVIPs  bool
	signum       string
	flags        *pflag.FlagSet

	// keepalivedScripts is --keepalived-scripts: tracked scripts that
	// cannot run are treated as keepalived treats them.
	keepalivedScripts bool

	// controlSocket is --control-socket ("none": no control socket),
	// controlGroup --control-group, stateDir --state-dir (demotions).
	controlSocket, controlGroup, stateDir string

	// cpuProfile and memProfile are --cpuprofile and --memprofile: pprof
	// profiles of the daemon's run, written at exit.
	cpuProfile, memProfile string

	// metricsListen is --metrics-listen: where to serve the Prometheus
	// metrics, /healthz and /readyz ("": nowhere).
	metricsListen string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := pflag.NewFlagSet("gokeepalived", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.StringVarP(&o.configFile, "use-file", "f", defaultConfig, "use the configuration file `FILE`")
	fs.StringVarP(&o.configTestTo, "config-test", "t", "", "check the configuration and exit; diagnostics go to `FILE` if given (-tFILE or --config-test=FILE)")
	fs.Lookup("config-test").NoOptDefVal = "-"
	fs.BoolVar(&o.configTest, "check-config", false, "check the configuration and exit (same as -t)")
	fs.BoolVarP(&o.dump, "dump-conf", "d", false, "print the normalised configuration")
	fs.StringVarP(&o.configID, "config-id", "i", "", "the config-id for @ID conditional lines (default: the short host name)")
	fs.BoolVarP(&o.allConfig, "all-config", "e", false, "every include must match and be readable; a missing main file cannot run")
	fs.BoolVarP(&o.version, "version", "v", false, "print the version and exit")
	fs.BoolVarP(&o.help, "help", "h", false, "print this help and exit")
	fs.BoolVarP(&o.dontFork, "dont-fork", "n", false, "stay in the foreground")
	fs.BoolVarP(&o.logConsole, "log-console", "l", false, "log to the console")
	fs.BoolVarP(&o.logDetail, "log-detail", "D", false, "detailed log messages")
	fs.IntVarP(&o.logFacility, "log-facility", "S", 0, "syslog facility local`N` (0-7)")
	fs.StringVarP(&o.logFile, "log-file", "g", "", "also log to `FILE`, with _vrrp before its extension as keepalived's VRRP process (-gFILE or --log-file=FILE)")
	fs.Lookup("log-file").NoOptDefVal = logging.DefaultFile
	fs.BoolVar(&o.flushLogFile, "flush-log-file", false, "flush the log file after each line (always the case)")
	fs.StringVar(&o.logFormat, "log-format", "keepalived", "console and log file `FORMAT`: keepalived or json (syslog is always keepalived's)")
	fs.BoolVarP(&o.noSyslog, "no-syslog", "G", false, "do not log to syslog")
	fs.StringVarP(&o.pidFile, "pid", "p", "", "main pidfile `FILE`")
	fs.StringVarP(&o.vrrpPidFile, "vrrp_pid", "r", "", "VRRP pidfile `FILE`")
	fs.BoolVarP(&o.vrrpOnly, "vrrp", "P", false, "run only the VRRP side (always the case)")
	fs.BoolVarP(&o.checkersOnly, "check", "C", false, "run only the checkers (not supported)")
	fs.BoolVarP(&o.dontRelease, "dont-release-vrrp", "V", false, "leave VIPs and routes in place at exit")
	fs.BoolVarP(&o.releaseVIPs, "release-vips", "X", false, "remove VIPs at exit even with -V")
	fs.StringVar(&o.signum, "signum", "", "print the number of signal `SIGFUNC` and exit")
	fs.BoolVar(&o.keepalivedScripts, "keepalived-scripts", false, "treat tracked scripts that cannot run as keepalived does: a missing or non-executable one is removed, as if never tracked, and one without #! counts as a success (default: both count as failed)")
	fs.StringVar(&o.controlSocket, "control-socket", control.DefaultSocket, "serve gokeepalived status, explain, demote and reload on the Unix socket `PATH` (\"none\": no socket)")
	fs.StringVar(&o.controlGroup, "control-group", "", "let members of `GROUP` use the control socket besides root (mode 0660)")
	fs.StringVar(&o.stateDir, "state-dir", control.DefaultStateDir, "keep the demotions in `DIR` across restarts")
	fs.StringVar(&o.metricsListen, "metrics-listen", "", "serve Prometheus metrics on http://`ADDR`/metrics, with /healthz and /readyz (ADDR is host:port, e.g. 127.0.0.1:9165; default: off)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the daemon's run to `FILE` (pprof format, at exit)")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile to `FILE` at exit (pprof format)")
	o.flags = fs
	if err := fs.Parse(attachOptionalArgs(args, map[byte]string{'g': "log-file", 't': "config-test"})); err != nil {
		return nil, err
	}
	if fs.Changed("config-test") {
		o.configTest = true
		if o.configTestTo == "-" {
			o.configTestTo = ""
		}
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if _, err := logging.ParseFormat(o.logFormat); err != nil {
		return nil, fmt.Errorf("--log-format: %w", err)
	}
	if o.configID == "" {
		o.configID = shortHostname()
	}
	return o, nil
}

// attachOptionalArgs rewrites "-gFILE" as "--log-file=FILE" for each
// short flag of long that takes an optional argument: getopt reads the
// rest of the word as the argument, pflag as more short flags.
func attachOptionalArgs(args []string, long map[byte]string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			if name, ok := long[a[1]]; ok {
				a = "--" + name + "=" + a[2:]
			}
		}
		out = append(out, a)
	}
	return out
}

// shortHostname is keepalived's default config-id: the node name up to the
// first dot.
func shortHostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	name, _, _ := strings.Cut(h, ".")
	return name
}

func usage(w io.Writer, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "Usage: gokeepalived [OPTION...]\n\nA keepalived-compatible VRRP daemon.\n\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
}
