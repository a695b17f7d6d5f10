package logging

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// journalDevLog is where systemd-journald receives syslog datagrams; on a
// systemd machine /dev/log is a symbolic link to it.
const journalDevLog = "/run/systemd/journal/dev-log"

// IsJournalStream reports whether w is connected to systemd-journald's
// stream: env is $JOURNAL_STREAM, which systemd sets for a service whose
// standard output or error goes to the journal to that stream's device and
// inode numbers in decimal, "DEVICE:INODE" (systemd.exec(5)); w is the
// stream if it is an *os.File with that device and inode. A standard error
// redirected elsewhere by the service keeps the variable but not the
// inode, so it is not taken for the journal.
func IsJournalStream(w io.Writer, env string) bool {
	f, ok := w.(*os.File)
	if !ok || env == "" {
		return false
	}
	devText, inoText, ok := strings.Cut(env, ":")
	if !ok {
		return false
	}
	dev, err := strconv.ParseUint(devText, 10, 64)
	if err != nil {
		return false
	}
	ino, err := strconv.ParseUint(inoText, 10, 64)
	if err != nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && uint64(st.Dev) == dev && uint64(st.Ino) == ino
}

// syslogReachesJournal reports whether the syslog socket at devLog is
// journald's, so that syslog lines land in the journal too.
func syslogReachesJournal(devLog string) bool {
	p, err := filepath.EvalSymlinks(devLog)
	return err == nil && p == journalDevLog
}
