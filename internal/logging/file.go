package logging

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// DefaultFile is the log file keepalived uses for a bare -g (--log-file
// with no name).
const DefaultFile = "/tmp/keepalived.log"

// FileMode is the mode keepalived gives its log file: 0666 less its
// default umask (0177), applied with fchmod also to a file that exists.
const FileMode os.FileMode = 0o600

// FileName is the name keepalived's process prog writes its -g log to:
// name with "_"+prog, then "_"+namespace and "_"+instance for those that
// are not empty, inserted before the last '.' of name's final element, or
// appended if it has none. keepalived's VRRP process (prog "vrrp") logs to
// /var/log/keepalived_vrrp.log for -g/var/log/keepalived.log.
func FileName(name, prog, namespace, instance string) string {
	stem, ext := name, ""
	base := strings.LastIndexByte(name, '/') + 1
	if dot := strings.LastIndexByte(name[base:], '.'); dot >= 0 {
		stem, ext = name[:base+dot], name[base+dot:]
	}
	var b strings.Builder
	b.WriteString(stem)
	for _, s := range []string{prog, namespace, instance} {
		if s != "" {
			b.WriteByte('_')
			b.WriteString(s)
		}
	}
	b.WriteString(ext)
	return b.String()
}

// OpenFile opens the log file at path as keepalived does: for appending
// (every write lands at the end, whoever else writes or truncates it),
// created if need be, never through a symbolic link, and with mode
// [FileMode]. A failure to open is an [*OpenError].
func OpenFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|syscall.O_NOFOLLOW, FileMode)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return nil, fmt.Errorf("setting the mode of %s: %w", path, err)
	}
	return f, nil
}

// OpenError is [OpenFile]'s error: its text is keepalived's log line,
// "Unable to open 'PATH' - errno N (Text)".
type OpenError struct {
	Path string
	Err  error
}

// Error returns keepalived's wording.
func (e *OpenError) Error() string {
	var errno syscall.Errno
	if !errors.As(e.Err, &errno) {
		return fmt.Sprintf("Unable to open '%s' - %v", e.Path, e.Err)
	}
	return fmt.Sprintf("Unable to open '%s' - errno %d (%s)", e.Path, int(errno), capitalize(errno.Error()))
}

// Unwrap returns the system error.
func (e *OpenError) Unwrap() error { return e.Err }

// capitalize upper-cases the first letter: Go's error texts are strerror's
// with the first letter lowered.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
