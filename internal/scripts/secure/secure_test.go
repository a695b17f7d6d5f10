package secure_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
)

// baseFS is / and /etc/keepalived owned by root 0755, with /tmp sticky 1777.
func baseFS() secure.MemFS {
	f := secure.MemFS{}
	f.Dir("/", 0, 0, 0o755)
	f.Dir("/etc", 0, 0, 0o755)
	f.Dir("/etc/keepalived", 0, 0, 0o755)
	f.Dir("/tmp", 0, 0, 0o1777)
	return f
}

// Reference §5.3: the walk over every component, from /.
func TestCheckScriptModes(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(f secure.MemFS)
		prog     string
		uid, gid uint32
		insecure string // offending component, "" if secure
		noExec   bool
		err      error
	}{
		{"safe", func(f secure.MemFS) { f.Reg("/etc/keepalived/chk", 0, 0, 0o755) }, "/etc/keepalived/chk", 0, 0, "", false, nil},
		{"root group may write", func(f secure.MemFS) { f.Reg("/etc/keepalived/chk", 0, 0, 0o775) }, "/etc/keepalived/chk", 0, 0, "", false, nil},
		{"file other-writable", func(f secure.MemFS) { f.Reg("/etc/keepalived/chk", 0, 0, 0o757) }, "/etc/keepalived/chk", 0, 0, "/etc/keepalived/chk", false, nil},
		{"file group-writable, group not root", func(f secure.MemFS) { f.Reg("/etc/keepalived/chk", 0, 100, 0o775) }, "/etc/keepalived/chk", 0, 0, "/etc/keepalived/chk", false, nil},
		{"file not owned by root", func(f secure.MemFS) { f.Reg("/etc/keepalived/chk", 1000, 0, 0o755) }, "/etc/keepalived/chk", 0, 0, "/etc/keepalived/chk", false, nil},
		{"dir group-writable", func(f secure.MemFS) {
			f.Dir("/etc/keepalived", 0, 100, 0o775)
			f.Reg("/etc/keepalived/chk", 0, 0, 0o755)
		}, "/etc/keepalived/chk", 0, 0, "/etc/keepalived", false, nil},
		{"dir not owned by root", func(f secure.MemFS) {
			f.Dir("/etc/keepalived", 1000, 0, 0o755)
			f.Reg("/etc/keepalived/chk", 0, 0, 0o755)
		}, "/etc/keepalived/chk", 0, 0, "/etc/keepalived", false, nil},
		{"sticky world-writable dir allowed", func(f secure.MemFS) { f.Reg("/tmp/chk", 0, 0, 0o755) }, "/tmp/chk", 0, 0, "", false, nil},
		{"non-root user: no walk", func(f secure.MemFS) {
			f.Dir("/home", 1000, 1000, 0o777)
			f.Reg("/home/chk", 1000, 1000, 0o777)
		}, "/home/chk", 1000, 1000, "", false, nil},
		{"non-root user, gid 0: walk", func(f secure.MemFS) {
			f.Dir("/home", 1000, 1000, 0o777)
			f.Reg("/home/chk", 1000, 1000, 0o777)
		}, "/home/chk", 1000, 0, "/home", false, nil},
		{"setuid root file run by non-root: walk", func(f secure.MemFS) {
			f.Dir("/opt", 0, 0, 0o777)
			f.Reg("/opt/chk", 0, 0, 0o4755)
		}, "/opt/chk", 1000, 1000, "/opt", false, nil},
		{"symlink to unsafe target", func(f secure.MemFS) {
			f.Dir("/data", 1000, 0, 0o755)
			f.Reg("/data/chk", 0, 0, 0o755)
			f.Link("/etc/keepalived/chk", "/data/chk", 0, 0)
		}, "/etc/keepalived/chk", 0, 0, "/data", false, nil},
		{"relative symlink to safe target", func(f secure.MemFS) {
			f.Dir("/usr", 0, 0, 0o755)
			f.Dir("/usr/bin", 0, 0, 0o755)
			f.Reg("/usr/bin/check", 0, 0, 0o755)
			f.Link("/etc/keepalived/chk", "../../usr/bin/check", 0, 0)
		}, "/etc/keepalived/chk", 0, 0, "", false, nil},
		{"symlinked directory to unsafe dir", func(f secure.MemFS) {
			f.Dir("/srv", 0, 0, 0o777)
			f.Reg("/srv/chk", 0, 0, 0o755)
			f.Link("/etc/keepalived/s", "/srv", 0, 0)
		}, "/etc/keepalived/s/chk", 0, 0, "/srv", false, nil},
		{"not executable", func(f secure.MemFS) { f.Reg("/etc/keepalived/chk", 0, 0, 0o644) }, "/etc/keepalived/chk", 0, 0, "", true, nil},
		{"missing", func(f secure.MemFS) {}, "/etc/keepalived/none", 0, 0, "", false, secure.ErrNotFound},
		{"symlink loop", func(f secure.MemFS) { f.Link("/etc/keepalived/a", "/etc/keepalived/a", 0, 0) }, "/etc/keepalived/a", 0, 0, "", false, secure.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := baseFS()
			tt.setup(f)
			v, err := secure.CheckScript(f, tt.prog, tt.uid, tt.gid)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Executable == tt.noExec {
				t.Errorf("executable %v", v.Executable)
			}
			if v.Insecure != (tt.insecure != "") || v.Component != tt.insecure {
				t.Errorf("verdict %+v, want offending component %q", v, tt.insecure)
			}
		})
	}
}

func TestCheckScriptMessages(t *testing.T) {
	f := baseFS()
	f.Reg("/etc/keepalived/chk", 0, 0, 0o777)
	v, err := secure.CheckScript(f, "/etc/keepalived/chk", 0, 0)
	if err != nil || !v.Insecure {
		t.Fatalf("%+v %v", v, err)
	}
	if got, want := v.UnsafeMessage(true), "Unsafe permissions found for script '/etc/keepalived/chk' - disabling."; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got, want := v.UnsafeMessage(false), "Unsafe permissions found for script '/etc/keepalived/chk'."; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if v, err := secure.CheckScript(f, "</dev/tcp/127.0.0.1/80", 0, 0); err != nil || !v.Shell || v.Insecure {
		t.Errorf("</dev/tcp: %+v %v", v, err)
	}
}

// The configured file name is kept when a link of that name in the
// resolved directory names the same file; then both are walked.
func TestCheckScriptKeepsName(t *testing.T) {
	f := baseFS()
	f.Dir("/usr", 0, 0, 0o755)
	f.Dir("/usr/bin", 0, 0, 0o755)
	f.Reg("/usr/bin/busybox", 0, 0, 0o755)
	f.Link("/usr/bin/pidof", "busybox", 0, 0)
	f.Link("/etc/keepalived/pidof", "/usr/bin/pidof", 0, 0)
	v, err := secure.CheckScript(f, "/etc/keepalived/pidof", 0, 0)
	if err != nil || v.Insecure || v.Path != "/usr/bin/pidof" {
		t.Errorf("%+v %v, want path /usr/bin/pidof", v, err)
	}
	v, err = secure.CheckScript(f, "/usr/bin/busybox", 0, 0)
	if err != nil || v.Path != "/usr/bin/busybox" {
		t.Errorf("%+v %v", v, err)
	}
}

// On the real filesystem, with owners and modes set by chown/chmod.
func TestIntegrationCheckScriptOSFS(t *testing.T) {
	nstest.RequireRoot(t)
	dir := t.TempDir() // under sticky /tmp, owned by root
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(p string, perm os.FileMode, uid, gid int) string {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
		return p
	}
	safe := mk(filepath.Join(dir, "safe"), 0o755, 0, 0)
	worldW := mk(filepath.Join(dir, "worldw"), 0o757, 0, 0)
	groupW := mk(filepath.Join(dir, "groupw"), 0o775, 0, 65534)
	notRoot := mk(filepath.Join(dir, "notroot"), 0o755, 65534, 0)
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	inSub := mk(filepath.Join(sub, "chk"), 0o755, 0, 0)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(inSub, link); err != nil {
		t.Fatal(err)
	}

	check := func(p string, wantBad string) {
		t.Helper()
		v, err := secure.CheckScript(secure.OSFS{}, p, 0, 0)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if v.Component != wantBad {
			t.Errorf("%s: offending %q, want %q (%+v)", p, v.Component, wantBad, v)
		}
	}
	check(safe, "")
	check(worldW, worldW)
	check(groupW, groupW)
	check(notRoot, notRoot)
	check(link, "")
	// Make the directory the link points into writable by others.
	if err := os.Chmod(sub, 0o777); err != nil {
		t.Fatal(err)
	}
	check(link, sub)
	// Sticky makes it acceptable again.
	if err := os.Chmod(sub, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	check(link, "")
	// Owned by another user: never acceptable.
	if err := os.Chown(sub, 65534, 0); err != nil {
		t.Fatal(err)
	}
	check(link, sub)
}

// keepalived resolves the path as the script's user: a directory that user
// cannot search makes the script inaccessible; root searches anything.
func TestCheckScriptResolvesAsTheUser(t *testing.T) {
	f := baseFS()
	f.Dir("/etc/keepalived/private", 0, 0, 0o700)
	f.Reg("/etc/keepalived/private/chk", 0, 0, 0o755)
	v, err := secure.CheckScript(f, "/etc/keepalived/private/chk", 1000, 1000)
	if !errors.Is(err, secure.ErrNotFound) || !errors.Is(err, syscall.EACCES) || v.Found {
		t.Errorf("as 1000: %+v %v, want EACCES", v, err)
	}
	if v, err := secure.CheckScript(f, "/etc/keepalived/private/chk", 0, 0); err != nil || !v.Executable {
		t.Errorf("as root: %+v %v", v, err)
	}
	f.Dir("/etc/keepalived/private", 0, 1000, 0o710)
	if v, err := secure.CheckScript(f, "/etc/keepalived/private/chk", 1000, 1000); err != nil || !v.Found || !v.Executable {
		t.Errorf("as 1000 with group search: %+v %v", v, err)
	}
}

// A file that starts neither with #! nor with an ELF header fails execve
// with ENOEXEC; CheckScript says so.
func TestCheckScriptNoExecFormat(t *testing.T) {
	f := baseFS()
	f.File("/etc/keepalived/nosb", 0, 0, 0o755, "exit 0\n")
	f.File("/etc/keepalived/empty", 0, 0, 0o755, "")
	f.File("/etc/keepalived/elf", 0, 0, 0o755, "\x7fELF\x02\x01")
	f.Reg("/etc/keepalived/sh", 0, 0, 0o755)
	for p, want := range map[string]bool{"/etc/keepalived/nosb": true, "/etc/keepalived/empty": true, "/etc/keepalived/elf": false, "/etc/keepalived/sh": false} {
		v, err := secure.CheckScript(f, p, 0, 0)
		if err != nil || v.NoExecFormat != want {
			t.Errorf("%s: %+v %v, want NoExecFormat %v", p, v, err, want)
		}
	}
}

// A wrong file type in the walk is an error, but the script was found.
func TestCheckScriptWrongType(t *testing.T) {
	f := baseFS()
	f.Dir("/etc/keepalived/d", 0, 0, 0o755)
	v, err := secure.CheckScript(f, "/etc/keepalived/d", 0, 0)
	if !errors.Is(err, secure.ErrWrongType) || !v.Found || !v.Executable {
		t.Errorf("%+v %v, want ErrWrongType with Found", v, err)
	}
}

// throwawayUID is a uid no account has: files are chowned to it to test
// ownership rules without creating a user.
const throwawayUID = 4242421

// On the real filesystem, as root: files and directories owned by a uid
// that has no account, with chosen modes.
func TestIntegrationCheckScriptThrowawayUID(t *testing.T) {
	nstest.RequireRoot(t)
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, body string, perm os.FileMode, uid int) string {
		t.Helper()
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, uid); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Owned by the throwaway uid, mode 0700: executable by it, not by
	// another non-root user, and unsafe when root runs it.
	own := write(filepath.Join(dir, "own"), "#!/bin/sh\n", 0o700, throwawayUID)
	if v, err := secure.CheckScript(secure.OSFS{}, own, throwawayUID, throwawayUID); err != nil || !v.Executable || v.Protected {
		t.Errorf("own as owner: %+v %v", v, err)
	}
	if v, err := secure.CheckScript(secure.OSFS{}, own, throwawayUID+1, throwawayUID+1); err != nil || v.Executable || !v.Found {
		t.Errorf("own as another user: %+v %v, want found, not executable", v, err)
	}
	if v, err := secure.CheckScript(secure.OSFS{}, own, 0, 0); err != nil || !v.Insecure || v.Component != own {
		t.Errorf("own as root: %+v %v, want insecure at %s", v, err, own)
	}
	// A root-owned script without #! in a directory the throwaway uid
	// cannot search.
	priv := filepath.Join(dir, "priv")
	if err := os.Mkdir(priv, 0o700); err != nil {
		t.Fatal(err)
	}
	nosb := write(filepath.Join(priv, "nosb"), "exit 0\n", 0o755, 0)
	if _, err := secure.CheckScript(secure.OSFS{}, nosb, throwawayUID, throwawayUID); !errors.Is(err, syscall.EACCES) {
		t.Errorf("nosb as %d: %v, want EACCES", throwawayUID, err)
	}
	if v, err := secure.CheckScript(secure.OSFS{}, nosb, 0, 0); err != nil || !v.NoExecFormat || v.Insecure {
		t.Errorf("nosb as root: %+v %v, want NoExecFormat", v, err)
	}
}
