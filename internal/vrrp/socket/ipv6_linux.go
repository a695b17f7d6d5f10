package socket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// Values of the IPv6 sockets (reference §7.2, §7.3).
const (
	// checksumOffset is where the VRRP checksum sits in the VRRP header,
	// for IPV6_CHECKSUM: the kernel computes it on send and verifies it on
	// receive, with the RFC 8200 pseudo-header.
	checksumOffset = 6
	// trafficClass is the traffic class of sent adverts.
	trafficClass = vrrp.TOSNetworkControl
)

// ipv6Conn is an IPv6 socket pair. It is safe for concurrent use as conn
// requires.
type ipv6Conn struct {
	*rawConn
}

// ipv6RecvOpts are the integer options of an IPv6 receive socket: checksum
// verified by the kernel, hop limit and destination reported, and only the
// groups it joined.
func ipv6RecvOpts() []intOpt {
	return []intOpt{
		{"IPV6_CHECKSUM", unix.IPPROTO_IPV6, unix.IPV6_CHECKSUM, checksumOffset},
		{"IPV6_RECVHOPLIMIT", unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1},
		{"IPV6_RECVPKTINFO", unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1},
	}
}

// ipv6SendOpts are the integer options of an IPv6 send socket: checksum
// computed by the kernel, traffic class 0xc0 and, for multicast, hop limit
// 255 on the instance's interface without loopback. A unicast_ttl is set
// per packet (see ipv6Conn.write), since endpoints with different values may
// share the socket.
func ipv6SendOpts(key sockKey) []intOpt {
	opts := []intOpt{
		{"IPV6_CHECKSUM", unix.IPPROTO_IPV6, unix.IPV6_CHECKSUM, checksumOffset},
		{"IPV6_TCLASS", unix.IPPROTO_IPV6, unix.IPV6_TCLASS, trafficClass},
	}
	if !key.unicast {
		opts = append(opts,
			intOpt{"IPV6_MULTICAST_IF", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, key.ifindex},
			intOpt{"IPV6_MULTICAST_HOPS", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, vrrp.DefaultTTL},
			intOpt{"IPV6_MULTICAST_LOOP", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, 0})
	}
	return opts
}

// openIPv6 opens the IPv6 socket pair for key on interface ifname.
func openIPv6(key sockKey, ifname string) (conn, error) {
	in, err := openIPv6Recv(key, ifname)
	if err != nil {
		return nil, err
	}
	out, err := rawSocket(unix.AF_INET6, ifname)
	if err == nil {
		err = setInts(out, ipv6SendOpts(key)...)
		if err == nil {
			err = sendOnly(out)
		}
		if err != nil {
			unix.Close(out)
		}
	}
	if err != nil {
		unix.Close(in)
		return nil, err
	}
	oobLen := unix.CmsgSpace(unix.SizeofInet6Pktinfo) + unix.CmsgSpace(4)
	rc, err := newRawConn(key.ifindex, in, out, maxPacket6, oobLen)
	if err != nil {
		return nil, err
	}
	return ipv6Conn{rc}, nil
}

// openIPv6Recv opens the receive socket.
func openIPv6Recv(key sockKey, ifname string) (int, error) {
	fd, err := rawSocket(unix.AF_INET6, ifname)
	if err != nil {
		return -1, err
	}
	err = setInts(fd, ipv6RecvOpts()...)
	if err == nil {
		// IPV6_MULTICAST_ALL needs Linux 4.20; without it the socket
		// also hears other groups, which the VRID demux and vrrp.Check
		// cope with.
		err = unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0)
		if errors.Is(err, unix.ENOPROTOOPT) {
			err = nil
		} else if err != nil {
			err = fmt.Errorf("setsockopt IPV6_MULTICAST_ALL 0: %w", err)
		}
	}
	if err == nil {
		err = setRecvBuffer(fd)
	}
	if err == nil && key.unicast {
		sa := &unix.SockaddrInet6{Addr: key.addr.As16()}
		if key.addr.IsLinkLocalUnicast() {
			sa.ZoneId = uint32(key.ifindex)
		}
		if err = unix.Bind(fd, sa); err != nil {
			err = fmt.Errorf("bind %v: %w", key.addr, err)
		}
	} else if err == nil {
		mreq := unix.IPv6Mreq{Multiaddr: key.addr.As16(), Interface: uint32(key.ifindex)}
		if err = unix.SetsockoptIPv6Mreq(fd, unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, &mreq); err != nil {
			err = fmt.Errorf("setsockopt IPV6_JOIN_GROUP %v on %s: %w", key.addr, ifname, err)
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// read returns the next VRRP packet with its source, destination and hop
// limit. Its Data is valid until the next read.
func (c ipv6Conn) read() (Packet, error) {
	b, oob, from, err := c.next()
	if err != nil {
		return Packet{}, err
	}
	return c.parse(b, oob, from)
}

// drain hands f the packets queued now (see conn).
func (c ipv6Conn) drain(f func(Packet, error)) {
	c.drainRaw(func(b, oob []byte, from *unix.RawSockaddrAny, err error) {
		if err != nil {
			f(Packet{}, err)
			return
		}
		f(c.parse(b, oob, from))
	})
}

// parse makes a Packet of what recvmmsg returned.
func (c ipv6Conn) parse(b, oob []byte, from *unix.RawSockaddrAny) (Packet, error) {
	if from.Addr.Family != unix.AF_INET6 {
		return Packet{}, fmt.Errorf("%w: source family %d", errMalformed, from.Addr.Family)
	}
	sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(from))
	p := Packet{Data: b, Family: vrrp.IPv6, Src: netip.AddrFrom16(sa.Addr), HopLimit: -1, IfIndex: c.ifindex, RxqDrops: c.drops()}
	// Without the control messages Dst is unknown and the hop limit
	// unchecked.
	eachCmsg(oob, func(level, typ int32, data []byte) {
		switch {
		case level != unix.IPPROTO_IPV6:
		case typ == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
			// struct in6_pktinfo: ipi6_addr, ipi6_ifindex.
			p.Dst = netip.AddrFrom16([16]byte(data[:16]))
			p.IfIndex = int(binary.NativeEndian.Uint32(data[16:20]))
		case typ == unix.IPV6_HOPLIMIT && len(data) >= 4:
			p.HopLimit = int(int32(binary.NativeEndian.Uint32(data[:4])))
		}
	})
	return p, nil
}

// prepare fills in p's destination and control messages.
func (c ipv6Conn) prepare(p outPacket) outPacket {
	to := &unix.SockaddrInet6{Addr: p.dst.As16()}
	if p.dst.IsLinkLocalUnicast() || p.dst.IsLinkLocalMulticast() || p.dst.IsInterfaceLocalMulticast() {
		to.ZoneId = uint32(c.ifindex)
	}
	p.to, p.oob = to, ipv6SendControl(p.src, c.ifindex, p.hopLimit)
	return p
}

// write sends the VRRP packet p.b from p.src to p.dst.
func (c ipv6Conn) write(p outPacket) error {
	flags := 0
	if p.dontRoute {
		flags = unix.MSG_DONTROUTE
	}
	if p.to == nil {
		p = c.prepare(p)
	}
	return c.sendmsg(p.b, p.oob, p.to, flags)
}

// ipv6SendControl returns the control messages that send from src on
// interface ifindex (IPV6_PKTINFO) and, when hopLimit is not 0, with that
// hop limit (IPV6_HOPLIMIT).
func ipv6SendControl(src netip.Addr, ifindex, hopLimit int) []byte {
	b := unix.PktInfo6(&unix.Inet6Pktinfo{Addr: src.As16(), Ifindex: uint32(ifindex)})
	if hopLimit == 0 {
		return b
	}
	hl := make([]byte, unix.CmsgSpace(4))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&hl[0]))
	h.Level, h.Type = unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT
	h.SetLen(unix.CmsgLen(4))
	binary.NativeEndian.PutUint32(hl[unix.CmsgLen(0):], uint32(hopLimit))
	return append(b, hl...)
}
