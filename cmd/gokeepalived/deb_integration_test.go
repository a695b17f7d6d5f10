package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// repoRoot is the repository's root, seen from this package's directory,
// where go test runs.
const repoRoot = "../.."

// debFiles are the files the package installs, with their modes.
var debFiles = map[string]string{
	"./usr/sbin/gokeepalived":                                "-rwxr-xr-x",
	"./lib/systemd/system/gokeepalived.service":              "-rw-r--r--",
	"./etc/default/gokeepalived":                             "-rw-r--r--",
	"./usr/share/man/man8/gokeepalived.8.gz":                 "-rw-r--r--",
	"./usr/share/doc/gokeepalived/copyright":                 "-rw-r--r--",
	"./usr/share/doc/gokeepalived/examples/keepalived.conf":  "-rw-r--r--",
	"./usr/share/doc/gokeepalived/examples/hardening.conf":   "-rw-r--r--",
	"./usr/share/doc/gokeepalived/grafana/gokeepalived.json": "-rw-r--r--",
}

// compatFiles are the entries of gokeepalived-compat: files with their
// modes, links with their targets.
var compatFiles = map[string]string{
	"./usr/sbin/keepalived":                                              "-> gokeepalived",
	"./lib/systemd/system/keepalived.service":                            "-> gokeepalived.service",
	"./lib/systemd/system/gokeepalived.service.d/keepalived-compat.conf": "-rw-r--r--",
	"./usr/share/man/man8/keepalived.8.gz":                               "-> gokeepalived.8.gz",
	"./usr/share/doc/gokeepalived-compat/copyright":                      "-rw-r--r--",
}

// TestIntegrationDebPackage builds the .debs with `make deb`, checks their
// contents and metadata, installs gokeepalived's beside Debian's keepalived,
// checks the installed files (the unit with systemd-analyze verify), checks
// what gokeepalived-compat would add (its keepalived command, its
// keepalived.service alias) without installing it, since it replaces
// keepalived, and removes and purges gokeepalived again, checking that
// nothing is left and keepalived is untouched.
func TestIntegrationDebPackage(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "make", "go", "dpkg", "dpkg-deb", "dpkg-query", "systemd-analyze", "keepalived", "ip")
	if status := dpkgStatus(t, "gokeepalived"); status != "" {
		t.Fatalf("gokeepalived is already known to dpkg (%q): the test installs and purges it, so remove it first", status)
	}
	if status := dpkgStatus(t, "keepalived"); status != "install ok installed" {
		t.Fatalf("keepalived's dpkg status is %q, want it installed: the test checks that the package leaves it alone", status)
	}
	kaBefore := keepalivedFiles(t)

	deb, compat := buildDeb(t)
	checkDebMetadata(t, deb)
	checkDebContents(t, deb)
	checkDebBinary(t, deb)
	checkCompatMetadata(t, compat)
	checkCompatContents(t, compat)
	checkCompatCommand(t, deb, compat)

	start := time.Now()
	t.Cleanup(func() { purge(t) })
	dpkg(t, "-i", deb)
	checkInstalled(t)
	checkNotEnabled(t)
	checkUnitVerifies(t)
	checkSampleConfig(t)
	checkCompatUnitVerifies(t, compat)
	checkCompatSwap(t, compat)
	// Installing again is an upgrade: postinst's other branch.
	dpkg(t, "-i", deb)
	checkNotEnabled(t)
	dpkg(t, "--remove", "gokeepalived")
	if _, err := os.Stat("/usr/sbin/gokeepalived"); !os.IsNotExist(err) {
		t.Errorf("after dpkg --remove, /usr/sbin/gokeepalived: %v, want it gone", err)
	}
	if _, err := os.Stat("/etc/default/gokeepalived"); err != nil {
		t.Errorf("after dpkg --remove, the conffile /etc/default/gokeepalived: %v, want it kept until purge", err)
	}
	dpkg(t, "--purge", "gokeepalived")
	checkPurged(t)
	t.Logf("install, checks, upgrade, remove and purge took %v", time.Since(start).Round(time.Millisecond))

	if status := dpkgStatus(t, "keepalived"); status != "install ok installed" {
		t.Errorf("keepalived's dpkg status is now %q, want it still installed", status)
	}
	if kaAfter := keepalivedFiles(t); kaAfter != kaBefore {
		t.Errorf("keepalived's files changed:\nbefore: %s\nafter:  %s", kaBefore, kaAfter)
	}
}

// dpkgStatus is a package's dpkg status ("install ok installed"), or "" if
// dpkg does not know it.
func dpkgStatus(t *testing.T, pkg string) string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", pkg).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			return "" // "no packages found matching"
		}
		t.Fatalf("dpkg-query -W %s: %v", pkg, err)
	}
	status := strings.TrimSpace(string(out))
	if status == "unknown ok not-installed" {
		return ""
	}
	return status
}

// keepalivedFiles describes keepalived's binary and unit (size, mode,
// modification time), and the contents of /etc/keepalived, to compare
// before and after.
func keepalivedFiles(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, p := range []string{"/usr/sbin/keepalived", "/lib/systemd/system/keepalived.service", "/etc/default/keepalived"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("keepalived's file: %v", err)
		}
		b.WriteString(p + " " + fi.Mode().String() + " " + strconv.FormatInt(fi.Size(), 10) + " " + fi.ModTime().String() + "; ")
	}
	err := filepath.WalkDir("/etc/keepalived", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == "/etc/keepalived" {
				return fs.SkipDir
			}
			return err
		}
		b.WriteString(p + " ")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// buildDeb runs `make deb` into a temporary directory and returns the
// paths of the two packages it makes: gokeepalived's and
// gokeepalived-compat's.
func buildDeb(t *testing.T) (deb, compat string) {
	t.Helper()
	dist := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute) // the first run downloads nfpm
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "make", "-C", repoRoot, "deb", "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make deb: %v\n%s", err, out)
	}
	t.Logf("make deb took %v", time.Since(start).Round(time.Millisecond))
	arch, err := exec.Command("dpkg", "--print-architecture").Output()
	if err != nil {
		t.Fatal(err)
	}
	deb = filepath.Join(dist, "gokeepalived_"+programVersion+"_"+strings.TrimSpace(string(arch))+".deb")
	compat = filepath.Join(dist, "gokeepalived-compat_"+programVersion+"_all.deb")
	entries, _ := os.ReadDir(dist)
	for _, p := range []string{deb, compat} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("make deb made %v, want %s: %v", entries, filepath.Base(p), err)
		}
	}
	if len(entries) != 2 {
		t.Errorf("make deb left %d entries in DIST, want only the two packages", len(entries))
	}
	return deb, compat
}

// debField returns a control field's value, from `dpkg-deb -f`.
func debField(t *testing.T, deb, field string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", "-f", deb, field).Output()
	if err != nil {
		t.Fatalf("dpkg-deb -f %s: %v", field, err)
	}
	return strings.TrimSpace(string(out))
}

func checkDebMetadata(t *testing.T, deb string) {
	t.Helper()
	info, err := exec.Command("dpkg-deb", "-I", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb -I: %v", err)
	}
	arch, _ := exec.Command("dpkg", "--print-architecture").Output()
	for field, want := range map[string]string{
		"Package":      "gokeepalived",
		"Version":      programVersion,
		"Architecture": strings.TrimSpace(string(arch)),
		"Section":      "admin",
	} {
		if got := debField(t, deb, field); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	if got := debField(t, deb, "Depends"); !strings.Contains(got, "libc6 (>= ") || !strings.Contains(got, "init-system-helpers") {
		t.Errorf("Depends: %q, want libc6 and init-system-helpers", got)
	}
	// Installable beside keepalived: no relation to it at all.
	for _, field := range []string{"Conflicts", "Breaks", "Replaces", "Provides"} {
		if got := debField(t, deb, field); got != "" {
			t.Errorf("%s: %q, want none: the package must install beside keepalived", field, got)
		}
	}
	for _, script := range []string{"postinst", "prerm", "postrm"} {
		if !bytes.Contains(info, []byte(" "+script+" ")) {
			t.Errorf("dpkg-deb -I lists no %s:\n%s", script, info)
		}
	}
	conffiles, err := exec.Command("dpkg-deb", "-I", deb, "conffiles").Output()
	if err != nil || strings.TrimSpace(string(conffiles)) != "/etc/default/gokeepalived" {
		t.Errorf("conffiles: %q (%v), want /etc/default/gokeepalived alone", conffiles, err)
	}
	postinst, err := exec.Command("dpkg-deb", "-I", deb, "postinst").Output()
	if err != nil {
		t.Fatal(err)
	}
	// Never started on installation: only try-restart on an upgrade.
	if re := regexp.MustCompile(`deb-systemd-invoke (start|restart)|systemctl (start|enable)`); re.Match(postinst) {
		t.Errorf("postinst starts or enables the service:\n%s", postinst)
	}
}

func checkDebContents(t *testing.T, deb string) {
	t.Helper()
	got := map[string]string{}
	for _, e := range debEntries(t, deb) {
		if strings.HasPrefix(e.name, "./etc/keepalived") {
			t.Errorf("the package ships %s: /etc/keepalived is keepalived's", e.name)
		}
		if !strings.HasSuffix(e.name, "/") {
			got[e.name] = e.mode
			if e.owner != "root/root" {
				t.Errorf("%s is owned by %s, want root/root", e.name, e.owner)
			}
		}
	}
	compareEntries(t, "the package", got, debFiles)
}

// debEntry is one line of `dpkg-deb -c`: a path (directories end in /),
// its mode and owner, and a link's target.
type debEntry struct{ name, mode, owner, link string }

// debEntries lists a package's entries.
func debEntries(t *testing.T, deb string) []debEntry {
	t.Helper()
	out, err := exec.Command("dpkg-deb", "-c", deb).Output()
	if err != nil {
		t.Fatalf("dpkg-deb -c %s: %v", deb, err)
	}
	var entries []debEntry
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c line %q", line)
		}
		e := debEntry{name: f[5], mode: f[0], owner: f[1]}
		if len(f) == 8 && f[6] == "->" {
			e.link = f[7]
		}
		entries = append(entries, e)
	}
	return entries
}

// compareEntries reports the entries of got that differ from want's, and
// those want lacks.
func compareEntries(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %s: %q, want %q", what, name, got[name], w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected entry %s in %s", name, what)
		}
	}
}

// checkDebBinary extracts the package and checks its binary against the
// metadata: the glibc version Depends names covers every versioned symbol
// the binary imports, and the copyright file names every module linked in.
func checkDebBinary(t *testing.T, deb string) {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", deb, dir).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v: %s", err, out)
	}
	bin := filepath.Join(dir, "usr/sbin/gokeepalived")
	m := regexp.MustCompile(`libc6 \(>= ([0-9.]+)\)`).FindStringSubmatch(debField(t, deb, "Depends"))
	if m == nil {
		t.Fatalf("Depends names no libc6 version")
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	syms, err := f.ImportedSymbols()
	if err != nil && len(syms) == 0 {
		t.Logf("the binary imports no symbols (%v): a static build", err)
	}
	for _, s := range syms {
		if v, ok := strings.CutPrefix(s.Version, "GLIBC_"); ok && versionLess(m[1], v) {
			t.Errorf("the binary needs %s@GLIBC_%s, newer than Depends' libc6 (>= %s)", s.Name, v, m[1])
		}
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	copyright, err := os.ReadFile(filepath.Join(dir, "usr/share/doc/gokeepalived/copyright"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range bi.Deps {
		if !bytes.Contains(copyright, []byte(d.Path)) {
			t.Errorf("the binary links %s %s, which the copyright file does not name", d.Path, d.Version)
		}
	}
}

// versionLess compares dotted numeric versions.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

// dpkg runs dpkg with args, failing t on error.
func dpkg(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "dpkg", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// purge removes the package if it is still installed, whatever the test's
// outcome.
func purge(t *testing.T) {
	if dpkgStatus(t, "gokeepalived") == "" {
		return
	}
	if out, err := exec.Command("dpkg", "--purge", "gokeepalived").CombinedOutput(); err != nil {
		t.Errorf("cleanup: dpkg --purge gokeepalived: %v\n%s", err, out)
	}
}

func checkInstalled(t *testing.T) {
	t.Helper()
	if status := dpkgStatus(t, "gokeepalived"); status != "install ok installed" {
		t.Fatalf("after dpkg -i, status %q", status)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("/usr/sbin/gokeepalived", "--version")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("/usr/sbin/gokeepalived --version: %v: %s", err, stderr.String())
	}
	if want := "Keepalived v2.2.7 (gokeepalived " + programVersion + ")\n"; !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("/usr/sbin/gokeepalived --version: stderr %q, want a first line %q", stderr.String(), want)
	}
	page := gunzip(t, "/usr/share/man/man8/gokeepalived.8.gz")
	src, err := os.ReadFile(filepath.Join(repoRoot, "packaging/gokeepalived.8"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, src) {
		t.Errorf("the installed man page differs from packaging/gokeepalived.8")
	}
	if _, err := exec.LookPath("man"); err == nil {
		out, err := exec.Command("man", "-w", "gokeepalived").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "/usr/share/man/man8/gokeepalived.8.gz" {
			t.Errorf("man -w gokeepalived: %q (%v)", out, err)
		}
	}
	def, err := os.ReadFile("/etc/default/gokeepalived")
	if err != nil || !bytes.Contains(def, []byte("\nDAEMON_ARGS=\"\"\n")) || !bytes.Contains(def, []byte("\nCONFIG=/etc/keepalived/keepalived.conf\n")) {
		t.Errorf("/etc/default/gokeepalived: %v\n%s", err, def)
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// checkNotEnabled checks that installing neither enabled nor masked the
// unit: no link to it under /etc/systemd/system.
func checkNotEnabled(t *testing.T) {
	t.Helper()
	links := systemdLinks(t)
	if len(links) > 0 {
		t.Errorf("after installation, %v exist: the package must not enable or mask the unit", links)
	}
}

// systemdLinks lists what /etc/systemd/system holds for gokeepalived.
func systemdLinks(t *testing.T) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir("/etc/systemd/system", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), "gokeepalived") {
			found = append(found, p)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return found
}

// checkUnitVerifies runs systemd-analyze verify on the installed unit, alone
// and with the example hardening drop-in: it must exit 0 and say nothing
// about gokeepalived.service (unknown keys are only warnings).
func checkUnitVerifies(t *testing.T) {
	t.Helper()
	verify(t, "/lib/systemd/system/gokeepalived.service")
	dir := t.TempDir()
	unit, err := os.ReadFile("/lib/systemd/system/gokeepalived.service")
	if err != nil {
		t.Fatal(err)
	}
	hardening, err := os.ReadFile("/usr/share/doc/gokeepalived/examples/hardening.conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gokeepalived.service"), unit, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "gokeepalived.service.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gokeepalived.service.d", "hardening.conf"), hardening, 0o644); err != nil {
		t.Fatal(err)
	}
	verify(t, filepath.Join(dir, "gokeepalived.service"))
}

func verify(t *testing.T, unit string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "systemd-analyze", "verify", unit).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze verify %s: %v\n%s", unit, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "gokeepalived.service") {
			t.Errorf("systemd-analyze verify %s: %s", unit, line)
		}
	}
}

// checkSampleConfig checks the installed example configuration with the
// installed binary and with keepalived, in a namespace that has its eth0:
// both must find it clean.
func checkSampleConfig(t *testing.T) {
	t.Helper()
	const sample = "/usr/share/doc/gokeepalived/examples/keepalived.conf"
	ns := nstest.NewNetns(t, "deb")
	nstest.AddLink(ns, "eth0")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	for _, argv := range [][]string{
		{"/usr/sbin/gokeepalived", "--check-config", "-f", sample},
		{"keepalived", "-t", "-f", sample},
	} {
		if err := ns.Run(ctx, argv[0], argv[1:]...); err != nil {
			t.Errorf("the example configuration: %v", err)
		}
	}
}

// checkPurged checks that purging left nothing of the package behind.
func checkPurged(t *testing.T) {
	t.Helper()
	if status := dpkgStatus(t, "gokeepalived"); status != "" {
		t.Errorf("after dpkg --purge, status %q", status)
	}
	for name := range debFiles {
		p := strings.TrimPrefix(name, ".")
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("after dpkg --purge, %s: %v, want it gone", p, err)
		}
	}
	for _, p := range []string{
		"/var/lib/systemd/deb-systemd-helper-enabled/gokeepalived.service.dsh-also",
		"/var/lib/systemd/deb-systemd-helper-masked/gokeepalived.service",
		"/usr/share/doc/gokeepalived",
	} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("after dpkg --purge, %s: %v, want it gone", p, err)
		}
	}
	if links := systemdLinks(t); len(links) > 0 {
		t.Errorf("after dpkg --purge, %v are left", links)
	}
}

// TestManPageDocumentsEveryFlag checks that packaging/gokeepalived.8
// documents every flag gokeepalived accepts, long and short, and that groff
// renders it without a warning.
func TestManPageDocumentsEveryFlag(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(repoRoot, "packaging/gokeepalived.8"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	roff := func(flag string) string { return strings.ReplaceAll(flag, "-", `\-`) }
	var names []string
	o.flags.VisitAll(func(f *pflag.Flag) {
		names = append(names, f.Name)
		if !bytes.Contains(page, []byte(roff("--"+f.Name))) {
			t.Errorf("the man page does not document --%s", f.Name)
		}
		if f.Shorthand != "" && !bytes.Contains(page, []byte(roff("-"+f.Shorthand))) {
			t.Errorf("the man page does not document -%s", f.Shorthand)
		}
	})
	if !slices.Contains(names, "use-file") {
		t.Fatalf("flags %v: parseFlags' set looks wrong", names)
	}
	if _, err := exec.LookPath("groff"); err != nil {
		nstest.RequireBinaries(t, "groff") // skips, or fails under GOKEEPALIVED_REQUIRE_PRIV=1
	}
	cmd := exec.Command("groff", "-man", "-ww", "-z", filepath.Join(repoRoot, "packaging/gokeepalived.8"))
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("groff -man -ww -z: %v\n%s", err, out)
	}
}
