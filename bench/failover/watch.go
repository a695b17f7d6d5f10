package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/gokeepalived/gokeepalived/internal/netnsrun"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
	"golang.org/x/sys/unix"
)

// addrEvent is one address notification, timestamped when it was read.
type addrEvent struct {
	at      time.Time
	addr    netip.Addr
	ifindex int
	added   bool // RTM_NEWADDR; false for RTM_DELADDR
}

// addrWatcher reads IPv4 and IPv6 address notifications from a netlink
// socket opened in a network namespace. Its events channel is read by one
// goroutine at a time; Close may be called from any goroutine.
type addrWatcher struct {
	f      *os.File
	events chan addrEvent
	done   chan struct{} // closed when the reader goroutine has returned
}

// watchAddrs subscribes to the address notifications of the namespace at
// nsPath. The subscription is live when it returns, so no later change is
// missed. The caller must call Close.
func watchAddrs(nsPath string) (*addrWatcher, error) {
	var fd int
	err := netnsrun.Do(nsPath, func() error {
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
		if err != nil {
			return fmt.Errorf("netlink socket: %w", err)
		}
		sa := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR}
		if err := unix.Bind(fd, sa); err != nil {
			unix.Close(fd)
			return fmt.Errorf("netlink bind: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A non-blocking descriptor joins the runtime poller, so Close wakes
	// the reader.
	w := &addrWatcher{f: os.NewFile(uintptr(fd), "netlink"), events: make(chan addrEvent, 1024), done: make(chan struct{})}
	go w.read() // Ends when Close closes the socket.
	return w, nil
}

// Close closes the socket and waits for the reader goroutine to return.
func (w *addrWatcher) Close() error {
	err := w.f.Close()
	<-w.done
	return err
}

// read turns notifications into events until the socket is closed. Events
// that do not fit in the channel are dropped: the benchmark reads them long
// before 1024 accumulate.
func (w *addrWatcher) read() {
	defer close(w.done)
	buf := make([]byte, 1<<16)
	for {
		n, err := w.f.Read(buf)
		at := time.Now()
		if errors.Is(err, syscall.ENOBUFS) {
			continue // Overrun: notifications lost, the socket still works.
		}
		if err != nil {
			return
		}
		for _, ev := range parseAddrMessages(buf[:n], at) {
			select {
			case w.events <- ev:
			default:
			}
		}
	}
}

// parseAddrMessages decodes the RTM_NEWADDR and RTM_DELADDR messages in b.
func parseAddrMessages(b []byte, at time.Time) []addrEvent {
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil {
		return nil
	}
	var evs []addrEvent
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWADDR && m.Header.Type != unix.RTM_DELADDR {
			continue
		}
		if len(m.Data) < unix.SizeofIfAddrmsg {
			continue
		}
		attrs, err := syscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			continue
		}
		ev := addrEvent{at: at, ifindex: int(binary.NativeEndian.Uint32(m.Data[4:8])), added: m.Header.Type == unix.RTM_NEWADDR}
		for _, a := range attrs {
			// IFA_LOCAL is the IPv4 local address; IPv6 has only IFA_ADDRESS.
			if a.Attr.Type == unix.IFA_LOCAL || (a.Attr.Type == unix.IFA_ADDRESS && !ev.addr.IsValid()) {
				if ip, ok := netip.AddrFromSlice(a.Value); ok {
					ev.addr = ip.Unmap()
				}
			}
		}
		if ev.addr.IsValid() {
			evs = append(evs, ev)
		}
	}
	return evs
}

// seen drains the events received so far and reports whether one added vip.
func (w *addrWatcher) seen(vip netip.Addr) bool {
	found := false
	for {
		select {
		case ev := <-w.events:
			if ev.added && ev.addr == vip {
				found = true
			}
		default:
			return found
		}
	}
}

// waitAdded waits up to timeout for the notification that vip was added and
// returns the time it was read.
func (w *addrWatcher) waitAdded(ctx context.Context, vip netip.Addr, timeout time.Duration) (time.Time, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case ev := <-w.events:
			if ev.added && ev.addr == vip {
				return ev.at, nil
			}
		case <-timer.C:
			return time.Time{}, fmt.Errorf("no RTM_NEWADDR for %s within %v: %w", vip, timeout, nstest.ErrTimeout)
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("waiting for %s: %w", vip, ctx.Err())
		}
	}
}

// advert is one VRRP advertisement seen by tcpdump.
type advert struct {
	at   time.Time // the kernel's receive timestamp
	src  string
	prio int
}

// capture is tcpdump printing the VRRP packets an interface receives, one
// line each, as they arrive.
type capture struct {
	p *nstest.Process
}

// startCapture starts tcpdump on ifname in ns and waits until it listens.
func startCapture(ctx context.Context, ns *nstest.Netns, ifname string) (*capture, error) {
	p, err := ns.StartProcess("tcpdump", "-i", ifname, "-n", "-l", "-tt", "--immediate-mode", "ip proto 112 or ip6 proto 112")
	if err != nil {
		return nil, err
	}
	err = waitUntil(ctx, 10*time.Second, 10*time.Millisecond, "tcpdump to listen", []*nstest.Process{p}, func() (bool, string) {
		return strings.Contains(p.Output(), "listening on"), ""
	})
	if err != nil {
		return nil, err
	}
	return &capture{p: p}, nil
}

// stop ends tcpdump with SIGINT and waits for it to flush and exit.
func (c *capture) stop() {
	if c.p.Signal(os.Interrupt) == nil {
		_, _ = c.p.Wait(5 * time.Second)
	}
}

// adverts parses the packets captured so far.
func (c *capture) adverts() []advert {
	var out []advert
	sc := bufio.NewScanner(strings.NewReader(c.p.Output()))
	for sc.Scan() {
		if a, ok := parseAdvert(sc.Text()); ok {
			out = append(out, a)
		}
	}
	return out
}

// count returns how many adverts from src have been captured.
func (c *capture) count(src string) int {
	n := 0
	for _, a := range c.adverts() {
		if a.src == src {
			n++
		}
	}
	return n
}

// parseAdvert parses a line of `tcpdump -n -tt` such as
// "1732250000.123456 IP 192.0.2.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 150, authtype none, intvl 1s, length 20".
func parseAdvert(line string) (advert, bool) {
	f := strings.Fields(line)
	if len(f) < 5 || (f[1] != "IP" && f[1] != "IP6") || !strings.Contains(line, "Advertisement") {
		return advert{}, false
	}
	sec, frac, ok := strings.Cut(f[0], ".")
	if !ok {
		return advert{}, false
	}
	s, err1 := strconv.ParseInt(sec, 10, 64)
	ns, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	if err1 != nil || err2 != nil {
		return advert{}, false
	}
	_, rest, ok := strings.Cut(line, " prio ")
	if !ok {
		return advert{}, false
	}
	pf := strings.Fields(rest)
	if len(pf) == 0 {
		return advert{}, false
	}
	prio, err := strconv.Atoi(strings.TrimRight(pf[0], ","))
	if err != nil {
		return advert{}, false
	}
	return advert{at: time.Unix(s, ns), src: f[2], prio: prio}, true
}
