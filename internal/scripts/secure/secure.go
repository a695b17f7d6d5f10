package secure

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Errors of CheckScript.
var (
	// ErrNotFound: the script, or a component of its path, cannot be
	// resolved or examined.
	ErrNotFound = errors.New("script cannot be accessed")
	// ErrWrongType: a component of the path is not a directory, or the
	// script is neither a regular file nor a symbolic link.
	ErrWrongType = errors.New("wrong file type found in script path")
)

// maxSymlinks is Linux's limit on symlinks followed in one lookup.
const maxSymlinks = 40

// Realpath resolves every symbolic link, ".", ".." and repeated "/" in the
// absolute path name, like realpath(3) run by root.
func Realpath(fsys FS, name string) (string, error) {
	return RealpathAs(fsys, name, 0, 0)
}

// RealpathAs is Realpath run as uid:gid: every directory it looks into must
// be searchable by that user (keepalived resolves a script's path with the
// script's effective ids), else the error wraps syscall.EACCES.
func RealpathAs(fsys FS, name string, uid, gid uint32) (string, error) {
	if !strings.HasPrefix(name, "/") {
		return "", &fs.PathError{Op: "realpath", Path: name, Err: syscall.EINVAL}
	}
	resolved := "/"
	rest := strings.Split(name, "/")
	links := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			resolved = path.Dir(resolved)
			continue
		}
		if err := searchable(fsys, resolved, uid, gid); err != nil {
			return "", err
		}
		next := path.Join(resolved, c)
		fi, err := fsys.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.IsSymlink() {
			if links++; links > maxSymlinks {
				return "", &fs.PathError{Op: "realpath", Path: name, Err: syscall.ELOOP}
			}
			target, err := fsys.Readlink(next)
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(target, "/") {
				resolved = "/"
			}
			rest = append(strings.Split(target, "/"), rest...)
			continue
		}
		if !fi.IsDir() && strings.Trim(strings.Join(rest, ""), "/") != "" {
			return "", &fs.PathError{Op: "realpath", Path: next, Err: syscall.ENOTDIR}
		}
		resolved = next
	}
	return resolved, nil
}

// searchable checks that uid:gid may look up names in the directory dir.
func searchable(fsys FS, dir string, uid, gid uint32) error {
	if uid == 0 {
		return nil
	}
	fi, err := fsys.Lstat(dir)
	if err != nil {
		return err
	}
	if !Executable(fi, uid, gid) {
		return &fs.PathError{Op: "realpath", Path: dir, Err: syscall.EACCES}
	}
	return nil
}

// Stat is stat(2) over fsys: Lstat of the resolved path.
func Stat(fsys FS, name string) (FileInfo, error) {
	p, err := Realpath(fsys, name)
	if err != nil {
		return FileInfo{}, err
	}
	return fsys.Lstat(p)
}

// Executable reports whether a file is executable by uid:gid, by
// keepalived's rule: root needs any x bit, the owner the user x bit, the
// file's group the group x bit, anyone else the other x bit.
func Executable(fi FileInfo, uid, gid uint32) bool {
	m := fi.Mode
	switch {
	case uid == 0:
		return m&0o111 != 0
	case uid == fi.UID:
		return m&0o100 != 0
	case gid == fi.GID:
		return m&0o010 != 0
	}
	return m&0o001 != 0
}

// IsShell reports whether keepalived runs the program word through
// /bin/sh -c instead of executing it: it starts with "<", optionally
// followed by blanks, then "/" (e.g. "</dev/tcp/127.0.0.1/80"). Such
// commands test that a file can be opened; they are not checked.
func IsShell(prog string) bool {
	if !strings.HasPrefix(prog, "<") {
		return false
	}
	return strings.HasPrefix(strings.TrimLeft(prog[1:], " \t"), "/")
}

// Verdict is the outcome of CheckScript.
type Verdict struct {
	// Path is the program to execute: the path with symbolic links
	// resolved, keeping the configured file name when a link with that
	// name in the resolved directory names the same file (some programs
	// act on the name they are called by).
	Path string
	// Shell is set for "</..." commands, which are not checked.
	Shell bool
	// Found is set when the program was resolved and examined
	// (keepalived's SC_ISSCRIPT): such scripts are what keepalived's
	// "SECURITY VIOLATION" counts.
	Found bool
	// Executable is false when uid:gid cannot execute the file; keepalived
	// then logs "WARNING - script '%s' is not executable for uid:gid
	// %u:%u - disabling." and never runs it.
	Executable bool
	// NoExecFormat is set when an executable file starts neither with
	// "#!" nor with an ELF header, so that execve(2) fails with ENOEXEC:
	// keepalived (built without libmagic) then runs nothing.
	NoExecFormat bool
	// Protected is set when the script runs as root (uid or gid 0) or is
	// set-uid/set-gid root, so that its path was walked.
	Protected bool
	// Insecure is set when a walked path has a component that a non-root
	// user could change; UnsafePath is the path walked and Component the
	// offending prefix.
	Insecure   bool
	UnsafePath string
	Component  string
}

// UnsafeMessage is keepalived's log line for an insecure script; with
// security (enable_script_security) the script is disabled.
func (v Verdict) UnsafeMessage(security bool) string {
	suffix := ""
	if security {
		suffix = " - disabling"
	}
	return fmt.Sprintf("Unsafe permissions found for script '%s'%s.", v.UnsafePath, suffix)
}

// CheckScript applies keepalived's script checks (reference §5.3) to the
// program prog run as uid:gid. The program is resolved (realpath, as
// uid:gid); if it is executable and runs as root or is set-uid/set-gid
// root, every prefix of the resolved path, from "/", is examined with
// lstat: every component must be owned by root; a directory must not be
// writable by group (unless the group is root) or others, unless it is
// sticky; the file must not be writable by others nor by a non-root group.
// When the configured file name is kept (see Verdict.Path), the link and
// the resolved file are both walked.
//
// Errors wrap ErrNotFound or ErrWrongType; the Verdict returned with them
// still says what was learnt (Found, Executable). An insecure script is
// not an error but Verdict.Insecure.
func CheckScript(fsys FS, prog string, uid, gid uint32) (Verdict, error) {
	if IsShell(prog) {
		return Verdict{Path: prog, Shell: true, Executable: true}, nil
	}
	real, err := RealpathAs(fsys, prog, uid, gid)
	if err != nil {
		return Verdict{Path: prog}, fmt.Errorf("%w: %s: %w", ErrNotFound, prog, err)
	}
	v := Verdict{Path: real}
	extra := keepName(fsys, prog, &v)
	fi, err := fsys.Lstat(real)
	if err != nil {
		return v, fmt.Errorf("%w: %s: %w", ErrNotFound, prog, err)
	}
	v.Found = true
	v.Executable = Executable(fi, uid, gid)
	if !v.Executable {
		return v, nil
	}
	v.NoExecFormat = noExecFormat(fsys, real)
	v.Protected = uid == 0 || gid == 0 ||
		(fi.UID == 0 && fi.Mode&0o100 != 0 && fi.Mode&unix.S_ISUID != 0) ||
		(fi.GID == 0 && fi.Mode&0o010 != 0 && fi.Mode&unix.S_ISGID != 0)
	if !v.Protected {
		return v, nil
	}
	for _, p := range []string{v.Path, extra} {
		if p == "" {
			continue
		}
		bad, err := walkSecure(fsys, p)
		if err != nil {
			return v, err
		}
		if bad != "" {
			v.Insecure, v.UnsafePath, v.Component = true, p, bad
			return v, nil
		}
	}
	return v, nil
}

// keepName sets v.Path to the configured file name in the resolved
// directory when that names the same file as the resolved path, and then
// returns the resolved path, which is walked too.
func keepName(fsys FS, prog string, v *Verdict) string {
	real := v.Path
	orig, base := path.Base(prog), path.Base(real)
	if real == path.Clean(prog) || orig == base {
		return ""
	}
	cand := path.Join(path.Dir(real), orig)
	rfi, rerr := fsys.Lstat(real)
	cfi, cerr := Stat(fsys, cand)
	if rerr != nil || (cerr == nil && rfi.Dev == cfi.Dev && rfi.Ino == cfi.Ino) {
		v.Path = cand
		return real
	}
	return ""
}

// noExecFormat reports whether the file can be read and starts neither
// with "#!" nor with an ELF header.
func noExecFormat(fsys FS, p string) bool {
	head, err := fsys.ReadHead(p, 4)
	if err != nil {
		return false
	}
	return !bytes.HasPrefix(head, []byte("#!")) && !bytes.HasPrefix(head, []byte("\x7fELF"))
}

// walkSecure examines every prefix of the absolute path p and returns the
// first one a non-root user could change, or "".
func walkSecure(fsys FS, p string) (string, error) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	prefix := "/"
	for i := -1; i < len(parts); i++ {
		if i >= 0 {
			if parts[i] == "" {
				continue
			}
			prefix = path.Join(prefix, parts[i])
		}
		last := i == len(parts)-1
		fi, err := fsys.Lstat(prefix)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %w", ErrNotFound, p, err)
		}
		if (!last && !fi.IsDir()) || (last && !fi.IsRegular() && !fi.IsSymlink()) {
			return "", fmt.Errorf("%w: %s", ErrWrongType, p)
		}
		if Unsafe(fi) {
			return prefix, nil
		}
	}
	return "", nil
}

// Unsafe is keepalived's test on one path component: not owned by root,
// or a non-sticky directory or a regular file that is writable by a
// non-root group or by others.
func Unsafe(fi FileInfo) bool {
	if fi.UID != 0 {
		return true
	}
	if !(fi.IsDir() && fi.Mode&unix.S_ISVTX == 0) && !fi.IsRegular() {
		return false
	}
	return (fi.GID != 0 && fi.Mode&0o020 != 0) || fi.Mode&0o002 != 0
}
