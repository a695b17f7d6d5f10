package secure

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// FileInfo is the part of struct stat the checks read.
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
// Implementations are safe for concurrent use if they are not modified.
type FS interface {
	// Lstat is lstat(2).
	Lstat(name string) (FileInfo, error)
	// Readlink is readlink(2).
	Readlink(name string) (string, error)
	// ReadHead returns the first n bytes of the file (fewer if it is
	// shorter), following symbolic links.
	ReadHead(name string, n int) ([]byte, error)
}

// OSFS is the FS of the running system.
type OSFS struct{}

// Lstat calls lstat(2).
func (OSFS) Lstat(name string) (FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Lstat(name, &st); err != nil {
		return FileInfo{}, &os.PathError{Op: "lstat", Path: name, Err: err}
	}
	return FileInfo{Mode: st.Mode, UID: st.Uid, GID: st.Gid, Dev: st.Dev, Ino: st.Ino}, nil
}

// Readlink calls readlink(2).
func (OSFS) Readlink(name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlink(name, buf)
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: name, Err: err}
	}
	return string(buf[:n]), nil
}

// ReadHead reads the start of a file. It opens the file non-blocking, so
// that a FIFO in a script's place cannot hang the check.
func (OSFS) ReadHead(name string, n int) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	got, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:got], nil
}
