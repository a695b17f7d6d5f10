package socket

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// recvBatch is how many packets one recvmmsg call can return.
const recvBatch = 16

// Receive buffer sizes per packet: an IPv4 VRRPv2 advert with 255
// addresses, a maximal IP header and AH is about 1.1 kB; an IPv6 one with
// 255 addresses about 4.1 kB (the IPv6 socket receives the VRRP packet
// alone).
const (
	maxPacket4 = 2048
	maxPacket6 = 4608
)

// rcvBuf is the receive buffer asked for (SO_RCVBUFFORCE, or SO_RCVBUF up
// to the kernel's rmem_max): room for a few thousand adverts, so that a
// backup busy for a moment loses none of its masters' adverts.
const rcvBuf = 4 << 20

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
}

// batch holds the buffers of recvmmsg and the packets it returned that the
// reader has not yet taken, and allocates nothing after newBatch. The
// reader holds mu from a fill until it has taken the last packet, so that
// drain, which holds mu too, reads only between the reader's batches and
// the packets of a socket go out in the order they came.
type batch struct {
	mu    sync.Mutex
	held  bool // the reader holds mu
	msgs  [recvBatch]mmsghdr
	iovs  [recvBatch]unix.Iovec
	names [recvBatch]unix.RawSockaddrAny
	bufs  []byte // recvBatch buffers of size each
	oobs  []byte // recvBatch control buffers of oobLen each
	size  int
	oobn  int
	n     int // packets in the batch
	next  int // the next one to return
	// drops is the last SO_RXQ_OVFL count the kernel reported.
	drops uint32
	// fn is the recvmmsg call passed to the poller, made once so that
	// each read allocates no closure; it sets got and errno.
	fn    func(fd uintptr) bool
	got   int
	errno unix.Errno
}

// newBatch returns a batch for packets of at most size bytes with oobLen
// bytes of control messages each (SO_RXQ_OVFL's is added).
func newBatch(size, oobLen int) *batch {
	oobLen += unix.CmsgSpace(4)
	b := &batch{size: size, oobn: oobLen, bufs: make([]byte, recvBatch*size), oobs: make([]byte, recvBatch*oobLen)}
	b.fn = func(fd uintptr) bool {
		b.mu.Lock()
		b.recv(fd)
		if b.errno == unix.EAGAIN || b.errno == unix.EWOULDBLOCK {
			b.mu.Unlock()
			return false
		}
		return true // mu stays held for the reader
	}
	return b
}

// recv calls recvmmsg once, without waiting, with mu held.
func (b *batch) recv(fd uintptr) {
	b.reset()
	r, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&b.msgs[0])), recvBatch,
		unix.MSG_TRUNC|unix.MSG_DONTWAIT, 0, 0)
	b.got, b.errno = int(r), e
}

// drain reads every packet queued on fd now, without waiting, and calls f
// with each, as take returns them; it is for a goroutine other than the
// reader.
func (b *batch) drain(fd uintptr, f func(data, oob []byte, from *unix.RawSockaddrAny, err error)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		b.recv(fd)
		if b.errno != 0 || b.got <= 0 {
			b.n, b.next = 0, 0
			return
		}
		b.n, b.next = b.got, 0
		for {
			data, oob, from, ok, err := b.take()
			if !ok {
				break
			}
			f(data, oob, from, err)
		}
		if b.got < recvBatch {
			return
		}
	}
}

// reset points every message at its buffers again.
func (b *batch) reset() {
	for i := range b.msgs {
		b.iovs[i].Base = &b.bufs[i*b.size]
		b.iovs[i].SetLen(b.size)
		h := &b.msgs[i].hdr
		*h = unix.Msghdr{}
		h.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		h.Namelen = unix.SizeofSockaddrAny
		h.Iov = &b.iovs[i]
		h.Iovlen = 1
		h.Control = &b.oobs[i*b.oobn]
		h.SetControllen(b.oobn)
		b.msgs[i].len = 0
	}
}

// fill waits for packets on c's receive socket and reads up to recvBatch
// of them. It returns an error wrapping net.ErrClosed once c is closed.
func (b *batch) fill(c *rawConn) error {
	if b.held {
		b.held = false
		b.mu.Unlock()
	}
	if err := c.rin.Read(b.fn); err != nil {
		// The poller fails only when the file is closing (there are no
		// deadlines), with an error that is not os.ErrClosed; fn did not
		// keep mu then.
		return fmt.Errorf("recvmmsg: %w (%w)", net.ErrClosed, err)
	}
	if b.errno != 0 {
		b.mu.Unlock()
		return fmt.Errorf("recvmmsg: %w", b.errno)
	}
	b.held = true
	b.n, b.next = b.got, 0
	return nil
}

// take returns the next packet of the batch: its data, control messages
// and sender, or ok false when the batch is used up. A truncated packet
// gives errMalformed. The slices stay valid until the next fill.
func (b *batch) take() (data, oob []byte, name *unix.RawSockaddrAny, ok bool, err error) {
	if b.next >= b.n {
		return nil, nil, nil, false, nil
	}
	i := b.next
	b.next++
	m := &b.msgs[i]
	n := int(m.len)
	oob = b.oobs[i*b.oobn : i*b.oobn+int(m.hdr.Controllen)]
	b.drops = rxqDrops(oob, b.drops)
	if m.hdr.Flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 || n > b.size {
		return nil, nil, nil, true, fmt.Errorf("%w: truncated (%d bytes, flags %#x)", errMalformed, n, m.hdr.Flags)
	}
	return b.bufs[i*b.size : i*b.size+n], oob, &b.names[i], true, nil
}

// eachCmsg calls f with every control message in oob, without allocating.
func eachCmsg(oob []byte, f func(level, typ int32, data []byte)) {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return
		}
		f(h.Level, h.Type, oob[unix.CmsgLen(0):l])
		space := unix.CmsgSpace(l - unix.CmsgLen(0))
		if space > len(oob) {
			return
		}
		oob = oob[space:]
	}
}

// rxqDrops returns the SO_RXQ_OVFL count in oob, or last if there is none.
func rxqDrops(oob []byte, last uint32) uint32 {
	eachCmsg(oob, func(level, typ int32, data []byte) {
		if level == unix.SOL_SOCKET && typ == unix.SO_RXQ_OVFL && len(data) >= 4 {
			last = binary.NativeEndian.Uint32(data)
		}
	})
	return last
}

// setRecvBuffer makes fd report receive-queue overflows (SO_RXQ_OVFL) and
// asks for a receive buffer of rcvBuf bytes, forcing past rmem_max when
// allowed (CAP_NET_ADMIN).
func setRecvBuffer(fd int) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1); err != nil {
		return fmt.Errorf("setsockopt SO_RXQ_OVFL: %w", err)
	}
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvBuf) == nil {
		return nil
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvBuf); err != nil {
		return fmt.Errorf("setsockopt SO_RCVBUF: %w", err)
	}
	return nil
}
