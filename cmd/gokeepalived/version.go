package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/sys/unix"
)

// keepalivedCompat is the keepalived release whose VRRP side gokeepalived
// follows, as -v reports it.
//
// It is the version tools see, and it is the release whose formats and
// signals gokeepalived reproduces: the dumps, the log lines, --signum. The
// exporters gate features on it. mehdy/keepalived-exporter asks
// `keepalived --signum` for the signal numbers from 1.3.8 on (below that it
// assumes SIGUSR1 and SIGUSR2, and has no JSON signal) and reads the script
// states of the data dump from 1.4.0 on; keepalived's JSON dump and its
// SIGRTMIN+2 belong to 2.x. Claiming an older release would turn features
// off that gokeepalived has; claiming a newer one would promise 2.3's
// formats, which gokeepalived does not write.
const keepalivedCompat = "2.2.7"

// configureOptions and configOptions are what -v's "configure options:" and
// "Config options:" lines say, in keepalived's words and order: only what
// gokeepalived does. mehdy/keepalived-exporter's --ka.json refuses to start
// unless `keepalived --version` contains "--enable-json"
// (internal/types/host, HasJSONSignalSupport), and gen2brain's exporter
// tells its users to look for it there. VRRP_AUTH is PASS and AH
// authentication, VRRP_VMAC use_vmac, SYSTEMD_NOTIFY Type=notify; the
// checkers (LVS, BFD), SNMP and D-Bus are not there.
const (
	configureOptions = "--enable-json"
	configOptions    = "VRRP VRRP_AUTH VRRP_VMAC JSON SYSTEMD_NOTIFY"
)

// printVersion is -v / --version: keepalived writes its version to stderr
// and exits 0, and so does gokeepalived, in keepalived's shape.
//
// The first line is "Keepalived v2.2.7 (gokeepalived VERSION)", because
// monitoring tools parse it. mehdy/keepalived-exporter (formerly
// cafebazaar/keepalived-exporter; internal/types/utils/version.go,
// ParseVersion) runs `keepalived -v`, reads the first line of its stderr,
// splits it at single spaces and parses the second word minus its first
// character with hashicorp/go-version. A third word must follow the
// version, as keepalived's date does, because that exporter's older parser
// (internal/collector/utils.go) left the line's newline on the last word.
// Then, as keepalived's, come a paragraph on the program, the build and the
// system ("Running on" and "Distro" as keepalived prints them), and the
// configure and config options. gen2brain/keepalived_exporter does not run
// -v: it sends the fixed signal 36 for the JSON dump to the process whose
// command is keepalived. version_test.go checks this output against those
// parsers and against keepalived's own.
func printVersion(w io.Writer) {
	goVersion := "an unknown Go version"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.GoVersion != "" {
		goVersion = bi.GoVersion
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Keepalived v%s (gokeepalived %s)\n\n", keepalivedCompat, programVersion)
	fmt.Fprintf(&b, "gokeepalived %s, a keepalived-compatible VRRP daemon: it runs Keepalived v%s's VRRP side\n\n",
		programVersion, keepalivedCompat)
	fmt.Fprintf(&b, "Built with %s\n", goVersion)
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		fmt.Fprintf(&b, "Running on %s %s %s\n", unix.ByteSliceToString(u.Sysname[:]),
			unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Version[:]))
	}
	if d := distro("/etc/os-release"); d != "" {
		fmt.Fprintf(&b, "Distro: %s\n", d)
	}
	fmt.Fprintf(&b, "\nconfigure options: %s\n\n", configureOptions)
	// Two spaces, as keepalived's list starts with one.
	fmt.Fprintf(&b, "Config options:  %s\n", configOptions)
	io.WriteString(w, b.String())
}

// distro is PRETTY_NAME from os-release, without its quotes, as keepalived
// prints it; "" if there is none.
func distro(osRelease string) string {
	f, err := os.Open(osRelease)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
			v = strings.TrimPrefix(v, `"`)
			return strings.TrimSuffix(v, `"`)
		}
	}
	return ""
}
