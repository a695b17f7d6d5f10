package sdnotify

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listen makes a unixgram socket at addr (a path, or '@' and an abstract
// name), points $NOTIFY_SOCKET at it for the test, and returns it.
func listen(t *testing.T, addr string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv(socketEnv, addr)
	return conn
}

// receive reads one datagram from conn, waiting at most 5 s.
func receive(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return string(buf[:n])
}

func pathSocket(t *testing.T) string {
	return filepath.Join(t.TempDir(), "notify.sock")
}

func abstractSocket(*testing.T) string {
	return fmt.Sprintf("@gokeepalived-sdnotify-test-%d-%d", os.Getpid(), rand.Uint64())
}

func TestHelpersSendTheirState(t *testing.T) {
	for _, sock := range []struct {
		name string
		addr func(*testing.T) string
	}{{"path", pathSocket}, {"abstract", abstractSocket}} {
		for _, tc := range []struct {
			name string
			call func() error
			want string
		}{
			{"Ready", Ready, "READY=1"},
			{"Stopping", Stopping, "STOPPING=1"},
			{"Status", func() error { return Status("2 instances: VI_1 MASTER, VI_2 BACKUP") }, "STATUS=2 instances: VI_1 MASTER, VI_2 BACKUP"},
			{"Status newline", func() error { return Status("line one\nline two") }, "STATUS=line one line two"},
			{"Notify", func() error { return Notify("STATUS=x\nREADY=1") }, "STATUS=x\nREADY=1"},
		} {
			t.Run(sock.name+"/"+tc.name, func(t *testing.T) {
				conn := listen(t, sock.addr(t))
				if err := tc.call(); err != nil {
					t.Fatal(err)
				}
				if got := receive(t, conn); got != tc.want {
					t.Errorf("sent %q, want %q", got, tc.want)
				}
			})
		}
	}
}

func TestReloadingSendsMonotonicTime(t *testing.T) {
	conn := listen(t, pathSocket(t))
	before, err := monotonicUsec()
	if err != nil {
		t.Fatal(err)
	}
	if err := Reloading(); err != nil {
		t.Fatal(err)
	}
	after, err := monotonicUsec()
	if err != nil {
		t.Fatal(err)
	}
	got := receive(t, conn)
	first, second, ok := strings.Cut(got, "\n")
	if !ok || first != "RELOADING=1" || !strings.HasPrefix(second, "MONOTONIC_USEC=") {
		t.Fatalf("sent %q, want RELOADING=1 and MONOTONIC_USEC=", got)
	}
	usec, err := strconv.ParseInt(strings.TrimPrefix(second, "MONOTONIC_USEC="), 10, 64)
	if err != nil {
		t.Fatalf("MONOTONIC_USEC in %q: %v", got, err)
	}
	if usec < before || usec > after {
		t.Errorf("MONOTONIC_USEC=%d, want between %d and %d (CLOCK_MONOTONIC around the call)", usec, before, after)
	}
}

func TestUnsetIsANoOp(t *testing.T) {
	t.Setenv(socketEnv, "")
	os.Unsetenv(socketEnv)
	for _, f := range []func() error{Ready, Reloading, Stopping, func() error { return Status("x") }} {
		if err := f(); err != nil {
			t.Errorf("with NOTIFY_SOCKET unset: %v", err)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, addr := range []string{"vsock:2:1234", "run/notify.sock"} {
		t.Run("address "+addr, func(t *testing.T) {
			t.Setenv(socketEnv, addr)
			if err := Ready(); !errors.Is(err, ErrAddress) {
				t.Errorf("Ready with NOTIFY_SOCKET=%s: %v, want ErrAddress", addr, err)
			}
		})
	}
	t.Run("no listener", func(t *testing.T) {
		t.Setenv(socketEnv, pathSocket(t))
		err := Stopping()
		if err == nil || !strings.HasPrefix(err.Error(), "notify STOPPING: ") {
			t.Errorf("Stopping to a socket nobody listens on: %v, want an error", err)
		}
	})
}
