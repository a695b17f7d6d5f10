package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/exportertest"
)

// The checks of gokeepalived-compat for TestIntegrationDebPackage. The
// package replaces keepalived, so the test never installs it: installing
// it would remove the keepalived the other tests run.

// checkCompatMetadata checks the control fields: the relations that let it
// take keepalived's place, on gokeepalived of the same version.
func checkCompatMetadata(t *testing.T, compat string) {
	t.Helper()
	for field, want := range map[string]string{
		"Package":      "gokeepalived-compat",
		"Version":      programVersion,
		"Architecture": "all",
		"Section":      "admin",
		"Depends":      "gokeepalived (= " + programVersion + ")",
		"Provides":     "keepalived",
		"Conflicts":    "keepalived",
		"Replaces":     "keepalived",
	} {
		if got := debField(t, compat, field); got != want {
			t.Errorf("gokeepalived-compat %s: %q, want %q", field, got, want)
		}
	}
	if out, err := exec.Command("dpkg-deb", "-I", compat, "conffiles").CombinedOutput(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("gokeepalived-compat has conffiles %q, want none", out)
	}
	postinst, err := exec.Command("dpkg-deb", "-I", compat, "postinst").Output()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`deb-systemd-invoke|deb-systemd-helper|systemctl (start|restart|enable)`)
	for _, line := range strings.Split(string(postinst), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") && re.MatchString(line) {
			t.Errorf("gokeepalived-compat's postinst starts or enables a service: %s", line)
		}
	}
}

// checkCompatContents checks the package's entries: the links and files of
// compatFiles, and nothing else.
func checkCompatContents(t *testing.T, compat string) {
	t.Helper()
	got := map[string]string{}
	for _, e := range debEntries(t, compat) {
		switch {
		case strings.HasSuffix(e.name, "/"):
		case e.link != "":
			got[e.name] = "-> " + e.link
		default:
			got[e.name] = e.mode
		}
		if e.owner != "root/root" {
			t.Errorf("gokeepalived-compat: %s is owned by %s, want root/root", e.name, e.owner)
		}
	}
	compareEntries(t, "gokeepalived-compat", got, compatFiles)
}

// checkCompatCommand extracts both packages into one tree and runs
// keepalived there as the exporters do: through the link it must answer as
// gokeepalived does, and mehdy/keepalived-exporter's start-up probes must
// find keepalived 2.2.7's version, --enable-json and keepalived's signals.
// It also checks that the drop-in runs the daemon as /usr/sbin/keepalived.
func checkCompatCommand(t *testing.T, deb, compat string) {
	t.Helper()
	root := t.TempDir()
	for _, p := range []string{deb, compat} {
		if out, err := exec.Command("dpkg-deb", "-x", p, root).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb -x %s: %v: %s", p, err, out)
		}
	}
	sbin := filepath.Join(root, "usr/sbin")
	version := func(name string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command(filepath.Join(sbin, name), "--version")
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stdout.Len() > 0 {
			t.Fatalf("%s --version: %v, stdout %q", name, err, stdout.String())
		}
		return stderr.String()
	}
	ka, gk := version("keepalived"), version("gokeepalived")
	if ka != gk {
		t.Errorf("keepalived --version through the link:\n%s\ngokeepalived --version:\n%s", ka, gk)
	}
	if want := "Keepalived v2.2.7 (gokeepalived " + programVersion + ")\n"; !strings.HasPrefix(ka, want) || !strings.Contains(ka, "\nconfigure options: --enable-json\n") {
		t.Errorf("keepalived --version through the link: %q, want keepalived's shape with --enable-json", ka)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	p, err := exportertest.RunProbe(ctx, sbin+string(filepath.ListSeparator)+os.Getenv("PATH"), true)
	if err != nil {
		t.Fatalf("the exporter's start-up probes through the link: %v", err)
	}
	if !slices.Equal(p.Version, []int{2, 2, 7}) || !p.JSON || p.Signals["DATA"] != 10 || p.Signals["STATS"] != 12 || p.Signals["JSON"] != 36 {
		t.Errorf("the exporter's probes through the link found %+v", p)
	}
	dropIn, err := os.ReadFile(filepath.Join(root, "lib/systemd/system/gokeepalived.service.d/keepalived-compat.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nExecStart=\n", "\nExecStart=/usr/sbin/keepalived --dont-fork -f ${CONFIG} $DAEMON_ARGS\n", "\nEnvironmentFile=-/etc/default/keepalived\n"} {
		if !bytes.Contains(dropIn, []byte(want)) {
			t.Errorf("the drop-in lacks %q:\n%s", want, dropIn)
		}
	}
}

// checkCompatUnitVerifies runs systemd-analyze verify on keepalived.service
// as gokeepalived-compat makes it, an alias of the installed
// gokeepalived.service with the package's drop-in. The one diagnostic
// allowed is systemd dropping gokeepalived.service's Conflicts= on
// keepalived.service, which the alias makes the unit itself.
func checkCompatUnitVerifies(t *testing.T, compat string) {
	t.Helper()
	extracted := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", compat, extracted).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v: %s", err, out)
	}
	dir := t.TempDir()
	unit, err := os.ReadFile("/lib/systemd/system/gokeepalived.service")
	if err != nil {
		t.Fatal(err)
	}
	dropIn, err := os.ReadFile(filepath.Join(extracted, "lib/systemd/system/gokeepalived.service.d/keepalived-compat.conf"))
	if err != nil {
		t.Fatal(err)
	}
	link, err := os.Readlink(filepath.Join(extracted, "lib/systemd/system/keepalived.service"))
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(os.WriteFile(filepath.Join(dir, "gokeepalived.service"), unit, 0o644),
		os.Symlink(link, filepath.Join(dir, "keepalived.service")),
		os.Mkdir(filepath.Join(dir, "gokeepalived.service.d"), 0o755)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gokeepalived.service.d", "keepalived-compat.conf"), dropIn, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"keepalived.service", "gokeepalived.service"} {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		out, err := exec.CommandContext(ctx, "systemd-analyze", "verify", filepath.Join(dir, name)).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("systemd-analyze verify %s with gokeepalived-compat's alias and drop-in: %v\n%s", name, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line != "" && !strings.Contains(line, "Conflicts=keepalived.service is dropped") &&
				!strings.Contains(line, "ConflictedBy=gokeepalived.service in keepalived.service is dropped") {
				t.Errorf("systemd-analyze verify %s with gokeepalived-compat's alias and drop-in: %s", name, line)
			}
		}
	}
}

// checkCompatSwap asks dpkg, without doing it, to install
// gokeepalived-compat beside the installed gokeepalived and keepalived: it
// must agree and say it would remove keepalived for it, and leave both as
// they were.
func checkCompatSwap(t *testing.T, compat string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "dpkg", "--no-act", "-i", compat).CombinedOutput()
	if err != nil {
		t.Errorf("dpkg --no-act -i gokeepalived-compat: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("will remove keepalived in favour of gokeepalived-compat")) {
		t.Errorf("dpkg --no-act -i gokeepalived-compat does not say it would replace keepalived:\n%s", out)
	}
	if status := dpkgStatus(t, "keepalived"); status != "install ok installed" {
		t.Errorf("after dpkg --no-act, keepalived's status is %q", status)
	}
	if status := dpkgStatus(t, "gokeepalived-compat"); status != "" {
		t.Errorf("after dpkg --no-act, gokeepalived-compat's status is %q, want none", status)
	}
}
