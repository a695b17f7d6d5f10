package secure

import (
	"io/fs"
	"path"
	"syscall"

	"golang.org/x/sys/unix"
)

// MemFS is an in-memory FS for tests: a map from absolute path to file.
// Parent directories must be added explicitly (use Dir). It is safe for
// concurrent reads, not for concurrent modification.
type MemFS map[string]MemFile

// MemFile is one entry of MemFS.
type MemFile struct {
	Info   FileInfo
	Target string // for symbolic links
	Data   string // for regular files
}

// Dir adds a directory with the given owner and permission bits.
func (f MemFS) Dir(p string, uid, gid, perm uint32) {
	f[p] = MemFile{Info: FileInfo{Mode: unix.S_IFDIR | perm, UID: uid, GID: gid, Ino: uint64(len(f) + 1)}}
}

// Reg adds a regular file starting with "#!/bin/sh".
func (f MemFS) Reg(p string, uid, gid, perm uint32) {
	f.File(p, uid, gid, perm, "#!/bin/sh\n")
}

// File adds a regular file with the given contents.
func (f MemFS) File(p string, uid, gid, perm uint32, data string) {
	f[p] = MemFile{Info: FileInfo{Mode: unix.S_IFREG | perm, UID: uid, GID: gid, Ino: uint64(len(f) + 1)}, Data: data}
}

// Link adds a symbolic link to target.
func (f MemFS) Link(p, target string, uid, gid uint32) {
	f[p] = MemFile{Info: FileInfo{Mode: unix.S_IFLNK | 0o777, UID: uid, GID: gid, Ino: uint64(len(f) + 1)}, Target: target}
}

// Lstat implements FS.
func (f MemFS) Lstat(name string) (FileInfo, error) {
	e, ok := f[path.Clean(name)]
	if !ok {
		return FileInfo{}, &fs.PathError{Op: "lstat", Path: name, Err: syscall.ENOENT}
	}
	return e.Info, nil
}

// Readlink implements FS.
func (f MemFS) Readlink(name string) (string, error) {
	e, ok := f[path.Clean(name)]
	if !ok || !e.Info.IsSymlink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: syscall.EINVAL}
	}
	return e.Target, nil
}

// ReadHead implements FS.
func (f MemFS) ReadHead(name string, n int) ([]byte, error) {
	real, err := Realpath(f, name)
	if err != nil {
		return nil, err
	}
	e := f[real]
	if !e.Info.IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: syscall.EISDIR}
	}
	return []byte(e.Data[:min(n, len(e.Data))]), nil
}
