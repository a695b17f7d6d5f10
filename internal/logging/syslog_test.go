package logging

import (
	"fmt"
	"log/slog"
	"log/syslog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestSyslogLines sends records through a real syslog connection to a
// datagram socket standing in for /dev/log and reads what arrives: the
// message alone (no attributes) under keepalived's ident, at keepalived's
// priorities.
func TestSyslogLines(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	w, err := syslog.Dial("unixgram", sock, syslogFacility(3)|syslog.LOG_INFO, Ident)
	if err != nil {
		t.Fatal(err)
	}
	h := newSyslogHandler(w, false)
	defer h.Close()
	log := slog.New(h).With("instance", "VI_1", "vrid", 51).WithGroup("g")
	log.Debug("(VI_1) sent 0 priority") // not without -D
	log.Info("(VI_1) Entering MASTER STATE", "from", "BACKUP", "to", "MASTER", "reason", "timeout")
	log.Warn("a warning", "k", "v")
	log.Error("an error")
	// LOG_LOCAL3 is facility 19: <19*8+6>, <19*8+4>, <19*8+3>.
	for _, want := range []string{
		fmt.Sprintf("<158>... Keepalived_vrrp[%d]: (VI_1) Entering MASTER STATE\n", os.Getpid()),
		fmt.Sprintf("<156>... Keepalived_vrrp[%d]: a warning\n", os.Getpid()),
		fmt.Sprintf("<155>... Keepalived_vrrp[%d]: an error\n", os.Getpid()),
	} {
		got := readDatagram(t, conn)
		// The local syslog format: <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG.
		stamped := regexp.MustCompile(`^(<\d+>)[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d `).ReplaceAllString(got, "$1... ")
		if stamped != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func readDatagram(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("reading the syslog socket: %v", err)
	}
	return string(buf[:n])
}

func TestSyslogFacility(t *testing.T) {
	for n, want := range map[int]syslog.Priority{-1: syslog.LOG_DAEMON, 0: syslog.LOG_LOCAL0, 7: syslog.LOG_LOCAL7, 8: syslog.LOG_DAEMON} {
		if got := syslogFacility(n); got != want {
			t.Errorf("facility %d: %d, want %d", n, got, want)
		}
	}
}
