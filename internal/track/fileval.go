package track

import (
	"bytes"
	"fmt"
	"math"

	"golang.org/x/sys/unix"
)

// valueReadMax is how much of a tracked file keepalived reads: a 128-byte
// buffer less its terminating NUL (src trackers/track_file.c
// process_track_file).
const valueReadMax = 127

// readValue reads a tracked file's value as keepalived 2.2.7 does: one
// non-blocking read of at most 127 bytes, parsed by C's strtol(buf, NULL,
// 0). A file that cannot be opened or read, an empty file and text with no
// leading number all read as 0. A number outside the C int range is
// rejected: ok is false and msg is keepalived's log line "Invalid number N
// read from PATH - ignoring", and the previous value stays.
func readValue(path string) (v int, ok bool, msg string) {
	buf, err := readHead(path, valueReadMax)
	if err != nil || len(buf) == 0 {
		return 0, true, ""
	}
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i] // C stops at the first NUL
	}
	n, rangeErr := strtol(buf)
	if rangeErr || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false, fmt.Sprintf("Invalid number %d read from %s - ignoring", n, path)
	}
	return int(n), true, ""
}

// readHead returns up to max bytes from the start of path with a single
// read(2). O_NONBLOCK keeps a FIFO from blocking the tracker, as in
// keepalived.
func readHead(path string, max int) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	buf := make([]byte, max)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return buf[:n], nil
}

// strtol parses s as glibc's strtol(s, NULL, 0) does on a 64-bit long:
// leading white space, an optional sign, then a hexadecimal number after
// "0x" or "0X", an octal number after "0", else a decimal one, up to the
// first character that is not a digit of that base. No digits give 0. On
// overflow it returns the long limit of the sign and rangeErr (ERANGE).
func strtol(s []byte) (n int64, rangeErr bool) {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i < len(s) && s[i] == '0' {
		base = 8
		if i+2 < len(s) && s[i+1]|0x20 == 'x' && digitValue(s[i+2]) < 16 {
			base = 16
			i += 2
		}
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var u uint64
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if u > (limit-d)/base {
			rangeErr = true
			u = limit
			continue
		}
		u = u*base + d
	}
	if neg {
		return int64(-u), rangeErr // -u wraps to MinInt64 at the limit
	}
	return int64(u), rangeErr
}

// isCSpace reports whether c is white space for C's isspace in the C
// locale.
func isCSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// digitValue is c's value as a digit of any base up to 36, or 36 when c is
// no digit.
func digitValue(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'z':
		return uint64(c|0x20-'a') + 10
	}
	return 36
}
