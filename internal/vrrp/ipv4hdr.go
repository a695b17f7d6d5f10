package vrrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// IPv4 header values keepalived uses for adverts (reference §7.2).
const (
	// IPv4HeaderLen is the length of an IPv4 header without options.
	IPv4HeaderLen = 20
	// IPv4MaxHeaderLen is the length of an IPv4 header with 40 bytes of
	// options, the most the 4-bit IHL allows.
	IPv4MaxHeaderLen = 60
	// TOSNetworkControl is the TOS byte keepalived sends adverts with
	// (precedence "internetwork control").
	TOSNetworkControl = 0xc0
	// DefaultTTL is the TTL of every VRRP advert (RFC 5798 §5.1.1.3); for
	// unicast keepalived lets unicast_ttl override it.
	DefaultTTL = 255
)

// ErrIPHeader is wrapped by errors about malformed IP headers.
var ErrIPHeader = errors.New("vrrp: malformed IP header")

// IPv4Header is an IPv4 header (RFC 791 §3.1) as keepalived writes it on its
// IP_HDRINCL raw socket and as a raw socket returns it on receive. It is a
// plain value, safe for concurrent use as long as nobody writes to Options.
type IPv4Header struct {
	TOS      uint8
	TotalLen uint16 // header plus payload, in bytes, as on the wire
	ID       uint16
	Flags    uint8  // 3 bits: reserved, DF, MF; keepalived sends 0 (DF clear)
	FragOff  uint16 // 13 bits, in units of 8 bytes
	TTL      uint8
	Protocol uint8
	// Checksum is the header checksum as received; Marshal computes it.
	Checksum uint16
	Src      netip.Addr
	Dst      netip.Addr
	// Options are the raw option bytes, a multiple of 4 and at most 40.
	Options []byte
}

// NewAdvertIPv4Header returns the header keepalived 2.2.7 puts in front of a
// VRRP advert (vrrp_build_ip4): TOS 0xc0, no fragmentation flags, protocol
// 112. TotalLen is left 0 for MarshalPacket to fill in.
func NewAdvertIPv4Header(src, dst netip.Addr, id uint16, ttl uint8) IPv4Header {
	return IPv4Header{
		TOS:      TOSNetworkControl,
		ID:       id,
		TTL:      ttl,
		Protocol: ProtocolVRRP,
		Src:      src,
		Dst:      dst,
	}
}

// NextIPv4ID returns the identification of the advert after one sent with
// id. keepalived increments it per advert and skips 0, since the kernel
// fills in an ID of 0 itself; its first advert carries 1.
func NextIPv4ID(id uint16) uint16 {
	id++
	if id == 0 {
		id = 1
	}
	return id
}

// Len returns the length of the header in bytes.
func (h IPv4Header) Len() int {
	return IPv4HeaderLen + len(h.Options)
}

// Marshal encodes h with TotalLen as it is and a freshly computed header
// checksum (RFC 791 §3.1).
func (h IPv4Header) Marshal() ([]byte, error) {
	if !h.Src.Is4() || !h.Dst.Is4() {
		return nil, fmt.Errorf("%w: IPv4 header from %v to %v", ErrFamily, h.Src, h.Dst)
	}
	if len(h.Options)%4 != 0 || h.Len() > IPv4MaxHeaderLen {
		return nil, fmt.Errorf("%w: %d bytes of IPv4 options", ErrField, len(h.Options))
	}
	if h.Flags > 7 || h.FragOff > 0x1fff {
		return nil, fmt.Errorf("%w: IPv4 flags %d, fragment offset %d", ErrField, h.Flags, h.FragOff)
	}
	b := make([]byte, h.Len())
	b[0] = 4<<4 | uint8(h.Len()/4)
	b[1] = h.TOS
	binary.BigEndian.PutUint16(b[2:4], h.TotalLen)
	binary.BigEndian.PutUint16(b[4:6], h.ID)
	binary.BigEndian.PutUint16(b[6:8], uint16(h.Flags)<<13|h.FragOff)
	b[8] = h.TTL
	b[9] = h.Protocol
	s, d := h.Src.As4(), h.Dst.As4()
	copy(b[12:16], s[:])
	copy(b[16:20], d[:])
	copy(b[IPv4HeaderLen:], h.Options)
	binary.BigEndian.PutUint16(b[10:12], fold(sum16(0, b)))
	return b, nil
}

// MarshalPacket returns h followed by payload, with TotalLen set to their
// combined length and the header checksum computed: the bytes keepalived
// hands to sendmsg on its IP_HDRINCL socket.
func (h IPv4Header) MarshalPacket(payload []byte) ([]byte, error) {
	total := h.Len() + len(payload)
	if total > 0xffff {
		return nil, fmt.Errorf("%w: IPv4 packet of %d bytes", ErrField, total)
	}
	h.TotalLen = uint16(total)
	b, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	return append(b, payload...), nil
}

// ParseIPv4Header decodes the IPv4 header at the start of b, a packet as a
// raw socket returns it. It checks the version, the IHL and that b holds the
// whole header; it checks neither the header checksum (the kernel has, see
// VerifyIPv4HeaderChecksum) nor TotalLen against len(b) (keepalived's
// receive check 9 does that, see Check).
func ParseIPv4Header(b []byte) (IPv4Header, error) {
	if len(b) < IPv4HeaderLen {
		return IPv4Header{}, fmt.Errorf("%w: %d bytes, an IPv4 header is at least %d", ErrShort, len(b), IPv4HeaderLen)
	}
	if v := b[0] >> 4; v != 4 {
		return IPv4Header{}, fmt.Errorf("%w: IP version %d", ErrIPHeader, v)
	}
	hl := int(b[0]&0x0f) * 4
	if hl < IPv4HeaderLen {
		return IPv4Header{}, fmt.Errorf("%w: IHL of %d bytes", ErrIPHeader, hl)
	}
	if len(b) < hl {
		return IPv4Header{}, fmt.Errorf("%w: %d bytes, the IPv4 header says it has %d", ErrShort, len(b), hl)
	}
	h := IPv4Header{
		TOS:      b[1],
		TotalLen: binary.BigEndian.Uint16(b[2:4]),
		ID:       binary.BigEndian.Uint16(b[4:6]),
		Flags:    b[6] >> 5,
		FragOff:  binary.BigEndian.Uint16(b[6:8]) & 0x1fff,
		TTL:      b[8],
		Protocol: b[9],
		Checksum: binary.BigEndian.Uint16(b[10:12]),
		Src:      netip.AddrFrom4([4]byte(b[12:16])),
		Dst:      netip.AddrFrom4([4]byte(b[16:20])),
	}
	if hl > IPv4HeaderLen {
		h.Options = append([]byte(nil), b[IPv4HeaderLen:hl]...)
	}
	return h, nil
}

// VerifyIPv4HeaderChecksum verifies the header checksum of the IPv4 header
// at the start of b. An error wraps ErrShort, ErrIPHeader or ErrChecksum.
func VerifyIPv4HeaderChecksum(b []byte) error {
	h, err := ParseIPv4Header(b)
	if err != nil {
		return err
	}
	if fold(sum16(0, b[:h.Len()])) != 0 {
		return fmt.Errorf("%w: IPv4 header checksum 0x%04x", ErrChecksum, h.Checksum)
	}
	return nil
}

// SetIPv4ID rewrites the identification of the IPv4 packet b, whose header
// MarshalPacket wrote, and its header checksum: the only two header fields
// that change between one advert and the next. It does not allocate.
func SetIPv4ID(b []byte, id uint16) error {
	if len(b) < IPv4HeaderLen || int(b[0]&0x0f)*4 > len(b) {
		return fmt.Errorf("%w: IPv4 header of %d bytes", ErrShort, len(b))
	}
	h := b[:int(b[0]&0x0f)*4]
	binary.BigEndian.PutUint16(h[4:6], id)
	h[10], h[11] = 0, 0
	binary.BigEndian.PutUint16(h[10:12], fold(sum16(0, h)))
	return nil
}
