package logging

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestFileName follows keepalived's make_file_name: the suffixes go before
// the last '.' of the final path element.
func TestFileName(t *testing.T) {
	for _, tc := range []struct{ name, prog, ns, inst, want string }{
		{"/var/log/keepalived.log", "vrrp", "", "", "/var/log/keepalived_vrrp.log"},
		{"/tmp/keepalived.log", "", "", "", "/tmp/keepalived.log"},
		{"/var/log/keepalived", "vrrp", "", "", "/var/log/keepalived_vrrp"},
		{"/var/log.d/keepalived", "vrrp", "", "", "/var/log.d/keepalived_vrrp"},
		{"/var/log/ka.old.log", "vrrp", "", "", "/var/log/ka.old_vrrp.log"},
		{"/var/log/.keepalived", "vrrp", "", "", "/var/log/_vrrp.keepalived"},
		{"keepalived.log", "vrrp", "ns1", "i1", "keepalived_vrrp_ns1_i1.log"},
		{"ka", "vrrp", "", "i1", "ka_vrrp_i1"},
	} {
		if got := FileName(tc.name, tc.prog, tc.ns, tc.inst); got != tc.want {
			t.Errorf("FileName(%q, %q, %q, %q) = %q, want %q", tc.name, tc.prog, tc.ns, tc.inst, got, tc.want)
		}
	}
}

func TestOpenFileAppendsWithKeepalivedsMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "keepalived_vrrp.log")
	if err := os.WriteFile(p, []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("after\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "before\nafter\n" {
		t.Errorf("contents %q (%v), want the old line kept and the new one appended", b, err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v (%v), want 0600 as keepalived sets it", fi.Mode(), err)
	}
}

func TestOpenFileRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "keepalived_vrrp.log")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, err := OpenFile(link)
	var oe *OpenError
	if !errors.As(err, &oe) || !errors.Is(err, syscall.ELOOP) {
		t.Fatalf("OpenFile through a symlink: %v, want an OpenError wrapping ELOOP", err)
	}
	if want := "Unable to open '" + link + "' - errno 40 (Too many levels of symbolic links)"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
	if _, err := OpenFile(filepath.Join(dir, "no", "such.log")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: %v, want ENOENT", err)
	}
}
