package socket

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// ipv4Conn is an IPv4 socket pair: a receive socket that joined the group
// (multicast) or is bound to the source address (unicast), and an
// IP_HDRINCL send socket. It is safe for concurrent use as conn requires.
type ipv4Conn struct {
	*rawConn
}

// ipv4RecvOpts are the integer options of an IPv4 receive socket: the
// interface and destination of each packet (IP_PKTINFO), and only the groups
// it joined (IP_MULTICAST_ALL 0, as keepalived's if_setsockopt_mcast_all).
func ipv4RecvOpts() []intOpt {
	return []intOpt{
		{"IP_PKTINFO", unix.IPPROTO_IP, unix.IP_PKTINFO, 1},
		{"IP_MULTICAST_ALL", unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0},
	}
}

// ipv4SendOpts are the integer options of an IPv4 send socket: the header
// comes with the packet (IP_HDRINCL) and, for multicast, adverts do not loop
// back to this host.
func ipv4SendOpts(key sockKey) []intOpt {
	opts := []intOpt{{"IP_HDRINCL", unix.IPPROTO_IP, unix.IP_HDRINCL, 1}}
	if !key.unicast {
		opts = append(opts, intOpt{"IP_MULTICAST_LOOP", unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0})
	}
	return opts
}

// openIPv4 opens the IPv4 socket pair for key on interface ifname.
func openIPv4(key sockKey, ifname string) (conn, error) {
	in, err := openIPv4Recv(key, ifname)
	if err != nil {
		return nil, err
	}
	out, err := openIPv4Send(key, ifname)
	if err != nil {
		unix.Close(in)
		return nil, err
	}
	rc, err := newRawConn(key.ifindex, in, out, maxPacket4, unix.CmsgSpace(unix.SizeofInet4Pktinfo))
	if err != nil {
		return nil, err
	}
	return ipv4Conn{rc}, nil
}

// openIPv4Recv opens the receive socket.
func openIPv4Recv(key sockKey, ifname string) (int, error) {
	fd, err := rawSocket(unix.AF_INET, ifname)
	if err != nil {
		return -1, err
	}
	err = setInts(fd, ipv4RecvOpts()...)
	if err == nil {
		err = setRecvBuffer(fd)
	}
	if err == nil && key.unicast {
		if err = unix.Bind(fd, &unix.SockaddrInet4{Addr: key.addr.As4()}); err != nil {
			err = fmt.Errorf("bind %v: %w", key.addr, err)
		}
	} else if err == nil {
		mreq := unix.IPMreqn{Multiaddr: key.addr.As4(), Ifindex: int32(key.ifindex)}
		if err = unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, &mreq); err != nil {
			err = fmt.Errorf("setsockopt IP_ADD_MEMBERSHIP %v on %s: %w", key.addr, ifname, err)
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// openIPv4Send opens the send socket.
func openIPv4Send(key sockKey, ifname string) (int, error) {
	fd, err := rawSocket(unix.AF_INET, ifname)
	if err != nil {
		return -1, err
	}
	err = setInts(fd, ipv4SendOpts(key)...)
	if err == nil && !key.unicast {
		mreq := unix.IPMreqn{Ifindex: int32(key.ifindex)}
		if err = unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, &mreq); err != nil {
			err = fmt.Errorf("setsockopt IP_MULTICAST_IF %s: %w", ifname, err)
		}
	}
	if err == nil {
		err = sendOnly(fd)
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// read returns the next packet, IP header included. Its Data is valid
// until the next read.
func (c ipv4Conn) read() (Packet, error) {
	b, oob, from, err := c.next()
	if err != nil {
		return Packet{}, err
	}
	return c.parse(b, oob, from)
}

// drain hands f the packets queued now (see conn).
func (c ipv4Conn) drain(f func(Packet, error)) {
	c.drainRaw(func(b, oob []byte, from *unix.RawSockaddrAny, err error) {
		if err != nil {
			f(Packet{}, err)
			return
		}
		f(c.parse(b, oob, from))
	})
}

// parse makes a Packet of what recvmmsg returned.
func (c ipv4Conn) parse(b, oob []byte, _ *unix.RawSockaddrAny) (Packet, error) {
	h, err := vrrp.ParseIPv4Header(b)
	if err != nil {
		return Packet{}, fmt.Errorf("%w: %w", errMalformed, err)
	}
	p := Packet{Data: b, Family: vrrp.IPv4, Src: h.Src, Dst: h.Dst, HopLimit: int(h.TTL), IfIndex: c.ifindex, RxqDrops: c.drops()}
	eachCmsg(oob, func(level, typ int32, data []byte) {
		if level == unix.IPPROTO_IP && typ == unix.IP_PKTINFO && len(data) >= unix.SizeofInet4Pktinfo {
			p.IfIndex = int(binary.NativeEndian.Uint32(data[0:4])) // struct in_pktinfo: ipi_ifindex
		}
	})
	return p, nil
}

// prepare fills in p's destination.
func (c ipv4Conn) prepare(p outPacket) outPacket {
	p.to = &unix.SockaddrInet4{Addr: p.dst.As4()}
	return p
}

// write sends the whole IPv4 packet p.b to p.dst.
func (c ipv4Conn) write(p outPacket) error {
	flags := 0
	if p.dontRoute {
		flags = unix.MSG_DONTROUTE
	}
	if p.to == nil {
		p = c.prepare(p)
	}
	return c.sendmsg(p.b, nil, p.to, flags)
}
