package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// socketEnv is the environment variable holding the notification socket's
// address, as systemd sets it for Type=notify services.
const socketEnv = "NOTIFY_SOCKET"

// ErrAddress is wrapped by the error [Notify] returns when $NOTIFY_SOCKET
// holds an address this package cannot send to.
var ErrAddress = errors.New("unsupported NOTIFY_SOCKET address")

// Notify sends state, one or more newline-separated VAR=VALUE assignments
// such as "READY=1", to the socket named by $NOTIFY_SOCKET. It returns nil
// without doing anything when the variable is unset or empty. An address
// starting with '@' names a socket in the abstract namespace; any other
// address must be an absolute path.
func Notify(state string) error {
	addr := os.Getenv(socketEnv)
	if addr == "" {
		return nil
	}
	if addr[0] != '/' && addr[0] != '@' {
		return fmt.Errorf("notify %s: %w: %q", firstVar(state), ErrAddress, addr)
	}
	// Go's unix socket addresses already map a leading '@' to the abstract
	// namespace's leading NUL byte.
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("notify %s: %w", firstVar(state), err)
	}
	defer conn.Close()
	n, err := conn.Write([]byte(state))
	if err != nil {
		return fmt.Errorf("notify %s: %w", firstVar(state), err)
	}
	if n != len(state) {
		return fmt.Errorf("notify %s: short write: %d of %d bytes", firstVar(state), n, len(state))
	}
	return nil
}

// Ready tells systemd that start-up, or a reload, has finished: "READY=1".
func Ready() error { return Notify("READY=1") }

// Stopping tells systemd that the daemon has begun to shut down:
// "STOPPING=1".
func Stopping() error { return Notify("STOPPING=1") }

// Reloading tells systemd that the daemon has begun to reload its
// configuration: "RELOADING=1" with the time of the call on
// CLOCK_MONOTONIC, which systemd 253 and later want with it (for
// Type=notify-reload) and older versions ignore. Call [Ready] when the
// reload is done.
func Reloading() error {
	usec, err := monotonicUsec()
	if err != nil {
		return fmt.Errorf("notify RELOADING: %w", err)
	}
	return Notify("RELOADING=1\nMONOTONIC_USEC=" + strconv.FormatInt(usec, 10))
}

// Status sets the free-form status line systemctl status shows:
// "STATUS=text". Newlines in text become spaces, since a newline would start
// a new assignment.
func Status(text string) error {
	return Notify("STATUS=" + strings.ReplaceAll(text, "\n", " "))
}

// monotonicUsec is CLOCK_MONOTONIC in microseconds, the clock systemd's
// MONOTONIC_USEC refers to.
func monotonicUsec() (int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, fmt.Errorf("read CLOCK_MONOTONIC: %w", err)
	}
	return ts.Nano() / 1000, nil
}

// firstVar is the name of state's first assignment, for error messages.
func firstVar(state string) string {
	name, _, _ := strings.Cut(state, "=")
	return name
}
