package scripts

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Errors of CheckScript.
var (
	ErrNotFound  = errors.New("script cannot be accessed")
	ErrWrongType = errors.New("wrong file type found in script path")
)

// FileInfo is the part of struct stat the security checks read.
type FileInfo struct {
	Mode     uint32 // st_mode: type and permission bits
	UID, GID uint32
	Dev, Ino uint64
}

// IsDir, IsRegular and IsSymlink report the file type.
func (fi FileInfo) IsDir() bool     { return fi.Mode&unix.S_IFMT == unix.S_IFDIR }
func (fi FileInfo) IsRegular() bool { return fi.Mode&unix.S_IFMT == unix.S_IFREG }
func (fi FileInfo) IsSymlink() bool { return fi.Mode&unix.S_IFMT == unix.S_IFLNK }

// FS is the filesystem the checks walk. Paths are absolute.
type FS interface {
	Lstat(name string) (FileInfo, error)
	Readlink(name string) (string, error)
}

// OSFS is the FS of the running system.
type OSFS struct{}

// Lstat calls lstat(2).
func (OSFS) Lstat(name string) (FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return FileInfo{}, &pathError{"lstat", name, err}
	}
	return FileInfo{Mode: st.Mode, UID: st.Uid, GID: st.Gid, Dev: st.Dev, Ino: st.Ino}, nil
}

// Readlink calls readlink(2).
func (OSFS) Readlink(name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlink(name, buf)
	if err != nil {
		return "", &pathError{"readlink", name, err}
	}
	return string(buf[:n]), nil
}

type pathError struct {
	op, path string
	err      error
}

func (e *pathError) Error() string { return e.op + " " + e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

// maxSymlinks is Linux's limit on symlinks followed in one lookup.
const maxSymlinks = 40

// Realpath resolves every symbolic link, ".", ".." and repeated "/" in the
// absolute path name, like realpath(3).
func Realpath(fsys FS, name string) (string, error) {
	if !strings.HasPrefix(name, "/") {
		return "", &pathError{"realpath", name, syscall.EINVAL}
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
		next := path.Join(resolved, c)
		fi, err := fsys.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.IsSymlink() {
			if links++; links > maxSymlinks {
				return "", &pathError{"realpath", name, syscall.ELOOP}
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
		if !fi.IsDir() && len(rest) > 0 && strings.Trim(strings.Join(rest, ""), "/") != "" {
			return "", &pathError{"realpath", next, syscall.ENOTDIR}
		}
		resolved = next
	}
	return resolved, nil
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

// Verdict is the outcome of CheckScript.
type Verdict struct {
	// Path is the program to execute: the path with symbolic links
	// resolved, keeping the configured file name when a link with that
	// name in the resolved directory names the same file (some programs
	// act on the name they are called by).
	Path string
	// Shell is set for "</..." commands, which are not checked.
	Shell bool
	// Executable is false when uid:gid cannot execute the file; keepalived
	// then logs "WARNING - script '%s' is not executable for uid:gid
	// %u:%u - disabling." and never runs it.
	Executable bool
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
// program prog run as uid:gid. The program is resolved (realpath); if it is
// executable and runs as root or is set-uid/set-gid root, every prefix of
// the resolved path, from "/", is examined with lstat: every component
// must be owned by root; a directory must not be writable by group
// (unless the group is root) or others, unless it is sticky; the file must
// not be writable by others nor by a non-root group. When the configured
// file name is kept (see Verdict.Path), the link and the resolved file are
// both walked. Errors wrap ErrNotFound or ErrWrongType; an insecure script
// is not an error but Verdict.Insecure.
func CheckScript(fsys FS, prog string, uid, gid uint32) (Verdict, error) {
	if (Command{Args: []string{prog}}).IsShell() {
		return Verdict{Path: prog, Shell: true, Executable: true}, nil
	}
	real, err := Realpath(fsys, prog)
	if err != nil {
		return Verdict{}, fmt.Errorf("%w: %s: %w", ErrNotFound, prog, err)
	}
	v := Verdict{Path: real}
	var extra string
	if orig, base := path.Base(prog), path.Base(real); real != path.Clean(prog) && orig != base {
		cand := path.Join(path.Dir(real), orig)
		rfi, rerr := fsys.Lstat(real)
		cfi, cerr := Stat(fsys, cand)
		if rerr != nil || (cerr == nil && rfi.Dev == cfi.Dev && rfi.Ino == cfi.Ino) {
			v.Path, extra = cand, real
		}
	}
	fi, err := fsys.Lstat(real)
	if err != nil {
		return Verdict{}, fmt.Errorf("%w: %s: %w", ErrNotFound, prog, err)
	}
	v.Executable = Executable(fi, uid, gid)
	if !v.Executable {
		return v, nil
	}
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
			return Verdict{}, err
		}
		if bad != "" {
			v.Insecure, v.UnsafePath, v.Component = true, p, bad
			return v, nil
		}
	}
	return v, nil
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
