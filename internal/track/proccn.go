package track

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// The kernel's process events connector (linux/connector.h, cn_proc.h),
// which keepalived's track_process listens to (src
// track_process/track_process.c nl_connect, set_proc_ev_listen).
const (
	cnIdxProc         = 1
	cnValProc         = 1
	procCnMcastListen = 1
	procCnMcastIgnore = 2

	procEventFork = 0x00000001
	procEventExec = 0x00000002
	procEventComm = 0x00000200
	procEventExit = 0x80000000

	cnMsgLen     = 20 // struct cn_msg without its data
	procEventHdr = 16 // what, cpu, timestamp_ns
)

// procEvent is one process event: for a fork, pid is the child and parent
// its parent; otherwise pid is the process that exec'd, renamed itself or
// exited. Events of threads are dropped.
type procEvent struct {
	what   uint32
	pid    int
	parent int
}

// procConn is a subscription to the kernel's process events. It works in
// the initial network namespace only (elsewhere subscribing fails with
// ECONNREFUSED, errno 111, which keepalived logs) and needs CAP_NET_ADMIN.
type procConn struct {
	f  *os.File
	rc syscall.RawConn
}

// dialProcConn subscribes to the kernel's process events.
func dialProcConn() (*procConn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.NETLINK_CONNECTOR)
	if err != nil {
		return nil, fmt.Errorf("process events: socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: cnIdxProc}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("process events: bind: %w", err)
	}
	c := &procConn{f: os.NewFile(uintptr(fd), "proc-connector")}
	if c.rc, err = c.f.SyscallConn(); err != nil {
		c.f.Close()
		return nil, fmt.Errorf("process events: %w", err)
	}
	if err := c.listen(procCnMcastListen); err != nil {
		c.f.Close()
		return nil, err
	}
	return c, nil
}

// listen sends PROC_CN_MCAST_LISTEN or _IGNORE to the kernel.
func (c *procConn) listen(op uint32) error {
	b := make([]byte, unix.NLMSG_HDRLEN+cnMsgLen+4)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], unix.NLMSG_DONE)
	ne.PutUint32(b[16:], cnIdxProc)
	ne.PutUint32(b[20:], cnValProc)
	ne.PutUint16(b[32:], 4) // cn_msg.len: the op
	ne.PutUint32(b[36:], op)
	var serr error
	err := c.rc.Write(func(fd uintptr) bool {
		serr = unix.Sendto(int(fd), b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return !errors.Is(serr, unix.EAGAIN)
	})
	if err = errors.Join(err, serr); err != nil {
		return fmt.Errorf("process events: set listen: %w", err)
	}
	return nil
}

// Close unsubscribes and closes the socket, ending a read in progress.
func (c *procConn) Close() error {
	c.listen(procCnMcastIgnore) // keepalived does too; a failure changes nothing
	return c.f.Close()
}

// read waits for the next datagram from the kernel and returns its
// events. ENOBUFS (events were lost) is returned as is.
func (c *procConn) read(buf []byte) ([]procEvent, error) {
	for {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := c.rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return !errors.Is(rerr, unix.EAGAIN)
		})
		if err = errors.Join(err, rerr); err != nil {
			return nil, fmt.Errorf("process events: %w", err)
		}
		// Only the kernel may speak: a process could send forged events.
		if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
			continue
		}
		return parseProcEvents(buf[:n]), nil
	}
}

// parseProcEvents decodes the process events of a netlink datagram.
func parseProcEvents(b []byte) []procEvent {
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil {
		return nil
	}
	var evs []procEvent
	for _, m := range msgs {
		if m.Header.Type == unix.NLMSG_ERROR || m.Header.Type == unix.NLMSG_NOOP {
			continue
		}
		if ev, ok := parseProcEvent(m.Data); ok {
			evs = append(evs, ev)
		}
	}
	return evs
}

// parseProcEvent decodes a cn_msg carrying a proc_event.
func parseProcEvent(d []byte) (procEvent, bool) {
	ne := binary.NativeEndian
	if len(d) < cnMsgLen+procEventHdr+16 ||
		ne.Uint32(d[0:]) != cnIdxProc || ne.Uint32(d[4:]) != cnValProc || ne.Uint32(d[12:]) != 0 {
		return procEvent{}, false
	}
	ev := d[cnMsgLen:]
	data := ev[procEventHdr:]
	u := func(i int) int { return int(ne.Uint32(data[4*i:])) }
	switch what := ne.Uint32(ev[0:]); what {
	case procEventFork: // parent_pid, parent_tgid, child_pid, child_tgid
		if u(2) != u(3) {
			return procEvent{}, false // a new thread
		}
		return procEvent{what: what, pid: u(3), parent: u(1)}, true
	case procEventExec, procEventComm, procEventExit: // process_pid, process_tgid, ...
		if u(0) != u(1) {
			return procEvent{}, false // a thread
		}
		return procEvent{what: what, pid: u(1)}, true
	}
	return procEvent{}, false
}

// pump reads events into events until the connection is closed. When
// events are lost (ENOBUFS, or events full) it signals lost instead.
func (c *procConn) pump(ctx context.Context, events chan<- procEvent, lost chan<- struct{}) {
	buf := make([]byte, 16*1024)
	signalLost := func() {
		select {
		case lost <- struct{}{}:
		default:
		}
	}
	for ctx.Err() == nil {
		evs, err := c.read(buf)
		if errors.Is(err, unix.ENOBUFS) {
			signalLost()
			continue
		}
		if err != nil {
			return
		}
		for _, ev := range evs {
			select {
			case events <- ev:
			default:
				signalLost()
			}
		}
	}
}
