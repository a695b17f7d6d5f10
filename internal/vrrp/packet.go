package vrrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Protocol constants of RFC 3768 and RFC 5798.
const (
	// ProtocolVRRP is the IP protocol number of VRRP (RFC 5798 §5.1.1.4).
	ProtocolVRRP = 112
	// ProtocolAH is the IP protocol number of the IPsec Authentication
	// Header, which keepalived puts in front of VRRPv2 adverts when
	// auth_type AH is configured (RFC 2338 §5.3.6.3).
	ProtocolAH = 51
	// TypeAdvertisement is the only VRRP packet type (RFC 5798 §5.2.2).
	TypeAdvertisement = 1
	// HeaderLen is the length of the fixed VRRP header, before the addresses.
	HeaderLen = 8
	// AuthDataLen is the length of the VRRPv2 authentication data that
	// follows the addresses (RFC 3768 §5.3.10).
	AuthDataLen = 8
	// MaxAddrs is the largest address count the 8-bit Count field holds.
	MaxAddrs = 255
	// MaxAdvertIntV3 is the largest VRRPv3 Max Adver Int, in centiseconds
	// (12 bits, RFC 5798 §5.2.7).
	MaxAdvertIntV3 = 0x0fff
)

// Family is the IP version an advert travels over, which decides the size of
// its addresses. The zero Family is invalid.
type Family uint8

// The address families.
const (
	IPv4 Family = 4
	IPv6 Family = 6
)

// String returns "IPv4", "IPv6" or "Family(N)".
func (f Family) String() string {
	switch f {
	case IPv4:
		return "IPv4"
	case IPv6:
		return "IPv6"
	}
	return fmt.Sprintf("Family(%d)", uint8(f))
}

// addrLen is the size of one address of the family, or 0 if f is invalid.
func (f Family) addrLen() int {
	switch f {
	case IPv4:
		return 4
	case IPv6:
		return 16
	}
	return 0
}

// familyOf returns the Family of a valid address, or 0.
func familyOf(a netip.Addr) Family {
	switch {
	case a.Is4():
		return IPv4
	case a.Is6():
		return IPv6
	}
	return 0
}

// AuthType is the VRRPv2 Auth Type field (RFC 3768 §5.3.6, values from
// RFC 2338 §5.3.6 as keepalived still implements them).
type AuthType uint8

// The VRRPv2 authentication types keepalived knows.
const (
	AuthNone AuthType = 0 // no authentication
	AuthPass AuthType = 1 // simple text password, zero-padded to 8 bytes
	AuthAH   AuthType = 2 // IPsec AH; not implemented by gokeepalived
)

// Errors returned by the codec. Every error it returns wraps one of these.
var (
	ErrShort      = errors.New("vrrp: packet too short")
	ErrLong       = errors.New("vrrp: packet longer than its address count says")
	ErrBadVersion = errors.New("vrrp: unsupported version")
	ErrBadType    = errors.New("vrrp: unsupported packet type")
	ErrFamily     = errors.New("vrrp: bad address family")
	ErrField      = errors.New("vrrp: field out of range")
	ErrChecksum   = errors.New("vrrp: bad checksum")
)

// Advert is one VRRP advertisement: the VRRP header, the addresses and, for
// VRRPv2, the authentication data. It is a plain value; copies share the Addrs
// backing array, so an Advert is safe for concurrent use as long as nobody
// writes to Addrs.
//
// Fields that exist only in one version must be zero in the other: AuthType,
// AdvertInt and AuthData are VRRPv2 fields, MaxAdvertInt is VRRPv3's.
type Advert struct {
	Version  uint8 // 2 (RFC 3768) or 3 (RFC 5798)
	Type     uint8 // always TypeAdvertisement
	VRID     uint8
	Priority uint8

	AuthType  AuthType // VRRPv2 only
	AdvertInt uint8    // VRRPv2 only: advertisement interval in seconds

	MaxAdvertInt uint16 // VRRPv3 only: centiseconds, 12 bits

	// Checksum is the checksum field as received. Marshal and
	// MarshalLegacyUnicast ignore it and compute the right one;
	// MarshalBinary writes it unchanged.
	Checksum uint16

	// Addrs are the virtual addresses, all IPv4 or all IPv6; their number is
	// the Count field. VRRPv2 carries IPv4 addresses only.
	Addrs []netip.Addr

	// AuthData is the VRRPv2 authentication data: zeros, or for AuthPass the
	// password zero-padded to 8 bytes (RFC 3768 §5.3.10).
	AuthData [AuthDataLen]byte
}

// Family returns the family of a's addresses, or 0 if it has none.
func (a Advert) Family() Family {
	if len(a.Addrs) == 0 {
		return 0
	}
	return familyOf(a.Addrs[0])
}

// Len returns the length in bytes of a's encoding.
func (a Advert) Len() int {
	return encodedLen(a.Version, a.Family(), len(a.Addrs))
}

// encodedLen is the length of a VRRP packet of the given version and family
// carrying n addresses: RFC 3768 §5.1 (v2, with 8 bytes of authentication
// data) and RFC 5798 §5.1 (v3).
func encodedLen(version uint8, fam Family, n int) int {
	l := HeaderLen + n*fam.addrLen()
	if version == 2 {
		l += AuthDataLen
	}
	return l
}

// validate checks that a can be encoded and returns the family of its
// addresses (0 when it has none).
func (a Advert) validate() (Family, error) {
	if a.Type != TypeAdvertisement {
		return 0, fmt.Errorf("%w: type %d", ErrBadType, a.Type)
	}
	if len(a.Addrs) > MaxAddrs {
		return 0, fmt.Errorf("%w: %d addresses, at most %d fit", ErrField, len(a.Addrs), MaxAddrs)
	}
	fam := a.Family()
	for _, ip := range a.Addrs {
		if f := familyOf(ip); f == 0 || f != fam {
			return 0, fmt.Errorf("%w: address %v in a list of %v addresses", ErrFamily, ip, fam)
		}
	}
	switch a.Version {
	case 2:
		if fam == IPv6 {
			return 0, fmt.Errorf("%w: VRRPv2 carries IPv4 addresses only", ErrFamily)
		}
		if a.MaxAdvertInt != 0 {
			return 0, fmt.Errorf("%w: max advert interval is a VRRPv3 field", ErrField)
		}
	case 3:
		if a.AuthType != AuthNone || a.AdvertInt != 0 || a.AuthData != [AuthDataLen]byte{} {
			return 0, fmt.Errorf("%w: auth type, advert interval and auth data are VRRPv2 fields", ErrField)
		}
		if a.MaxAdvertInt > MaxAdvertIntV3 {
			return 0, fmt.Errorf("%w: max advert interval %d cs exceeds %d", ErrField, a.MaxAdvertInt, MaxAdvertIntV3)
		}
	default:
		return 0, fmt.Errorf("%w: %d", ErrBadVersion, a.Version)
	}
	return fam, nil
}

// MarshalBinary encodes a with its Checksum field written as it is, which is
// what a round trip of a received advert needs. Use Marshal to send.
func (a Advert) MarshalBinary() ([]byte, error) {
	if _, err := a.validate(); err != nil {
		return nil, err
	}
	b := make([]byte, a.Len())
	b[0] = a.Version<<4 | a.Type
	b[1] = a.VRID
	b[2] = a.Priority
	b[3] = uint8(len(a.Addrs))
	if a.Version == 2 {
		b[4] = uint8(a.AuthType)
		b[5] = a.AdvertInt
	} else {
		// RFC 5798 §5.2.6: the 4 reserved bits are sent as zero.
		binary.BigEndian.PutUint16(b[4:6], a.MaxAdvertInt)
	}
	binary.BigEndian.PutUint16(b[6:8], a.Checksum)
	off := HeaderLen
	for _, ip := range a.Addrs {
		off += copy(b[off:], ip.AsSlice())
	}
	if a.Version == 2 {
		copy(b[off:], a.AuthData[:])
	}
	return b, nil
}

// Marshal encodes a for sending from src to dst, computing the checksum of
// RFC 3768 §5.3.8 (VRRPv2: no pseudo-header, src and dst are not used) or
// RFC 5798 §5.2.8 (VRRPv3: the IPv4 or IPv6 pseudo-header with src and the
// actual IP destination dst, which for unicast is the peer).
func (a Advert) Marshal(src, dst netip.Addr) ([]byte, error) {
	b, err := a.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if fam := a.Family(); fam != 0 && a.Version == 3 && fam != familyOf(src) {
		return nil, fmt.Errorf("%w: %v addresses sent from %v", ErrFamily, fam, src)
	}
	b[6], b[7] = 0, 0
	c, err := checksum(b, src, dst)
	if err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint16(b[6:8], c)
	return b, nil
}

// MarshalLegacyUnicast encodes a VRRPv3 IPv4 advert the way keepalived
// before 1.3.6 did, and 2.2.7 still does with old_unicast_checksum: the
// pseudo-header destination is the multicast group 224.0.0.18 whatever the
// real (unicast) destination is. For VRRPv2 it is the same as Marshal.
func (a Advert) MarshalLegacyUnicast(src netip.Addr) ([]byte, error) {
	return a.Marshal(src, groupIPv4())
}

// ParseAdvert decodes the VRRP packet b (the IP payload, without IP or AH
// header) received over fam. b must be exactly as long as its Count field
// says. The checksum is not verified (see VerifyChecksum) and, beyond the
// version, type and layout, field values are not judged (see Check).
func ParseAdvert(b []byte, fam Family) (Advert, error) {
	if fam.addrLen() == 0 {
		return Advert{}, fmt.Errorf("%w: %v", ErrFamily, fam)
	}
	if len(b) < HeaderLen {
		return Advert{}, fmt.Errorf("%w: %d bytes, the header alone is %d", ErrShort, len(b), HeaderLen)
	}
	a := Advert{
		Version:  b[0] >> 4,
		Type:     b[0] & 0x0f,
		VRID:     b[1],
		Priority: b[2],
		Checksum: binary.BigEndian.Uint16(b[6:8]),
	}
	switch a.Version {
	case 2:
		if fam != IPv4 {
			return Advert{}, fmt.Errorf("%w: VRRPv2 over %v", ErrFamily, fam)
		}
		a.AuthType = AuthType(b[4])
		a.AdvertInt = b[5]
	case 3:
		// RFC 5798 §5.2.6: the reserved bits are ignored on reception.
		a.MaxAdvertInt = binary.BigEndian.Uint16(b[4:6]) & MaxAdvertIntV3
	default:
		return Advert{}, fmt.Errorf("%w: %d", ErrBadVersion, a.Version)
	}
	if a.Type != TypeAdvertisement {
		return Advert{}, fmt.Errorf("%w: %d", ErrBadType, a.Type)
	}
	n := int(b[3])
	want := encodedLen(a.Version, fam, n)
	if len(b) < want {
		return Advert{}, fmt.Errorf("%w: %d bytes, %d %v addresses need %d", ErrShort, len(b), n, fam, want)
	}
	if len(b) > want {
		return Advert{}, fmt.Errorf("%w: %d bytes, %d %v addresses need %d", ErrLong, len(b), n, fam, want)
	}
	a.Addrs = parseAddrs(b[HeaderLen:], fam, n)
	if a.Version == 2 {
		copy(a.AuthData[:], b[want-AuthDataLen:])
	}
	return a, nil
}

// parseAddrs decodes n addresses of family fam from the start of b, which
// the caller has checked is long enough. It returns nil for n == 0.
func parseAddrs(b []byte, fam Family, n int) []netip.Addr {
	if n == 0 {
		return nil
	}
	addrs := make([]netip.Addr, n)
	l := fam.addrLen()
	for i := range addrs {
		a, _ := netip.AddrFromSlice(b[i*l : (i+1)*l])
		addrs[i] = a
	}
	return addrs
}

// ChecksumMode is keepalived's unicast_chksum_compat setting for VRRPv3 over
// IPv4 (reference §7.3). The zero value is keepalived's default.
type ChecksumMode uint8

// The checksum modes.
const (
	// ChecksumAuto verifies with the real destination and, for a unicast
	// instance, retries a failing advert sent to a unicast address with the
	// legacy checksum; a match tells the caller the peer is an old keepalived
	// (keepalived then switches to ChecksumLegacy and logs "Setting unicast
	// VRRPv3 checksum to old version").
	ChecksumAuto ChecksumMode = iota
	// ChecksumNever is "old_unicast_checksum never": standard checksum only.
	ChecksumNever
	// ChecksumLegacy is "old_unicast_checksum" configured, or detected: the
	// pseudo-header destination is always 224.0.0.18, and an advert with the
	// standard unicast checksum no longer verifies.
	ChecksumLegacy
)

// ChecksumVariant says which checksum an advert was found to carry.
type ChecksumVariant uint8

// The checksum variants.
const (
	// ChecksumUnverified means the checksum was not looked at: keepalived
	// leaves IPv6 checksums to the kernel (IPV6_CHECKSUM).
	ChecksumUnverified ChecksumVariant = iota
	// ChecksumStandard is RFC 3768 §5.3.8 for VRRPv2 and RFC 5798 §5.2.8,
	// pseudo-header with the actual destination, for VRRPv3.
	ChecksumStandard
	// ChecksumLegacyUnicast is keepalived's pre-1.3.6 VRRPv3 IPv4 unicast
	// checksum: pseudo-header destination 224.0.0.18 instead of the peer.
	ChecksumLegacyUnicast
)

// String returns "unverified", "standard" or "legacy-unicast".
func (v ChecksumVariant) String() string {
	switch v {
	case ChecksumUnverified:
		return "unverified"
	case ChecksumStandard:
		return "standard"
	case ChecksumLegacyUnicast:
		return "legacy-unicast"
	}
	return fmt.Sprintf("ChecksumVariant(%d)", uint8(v))
}

// VerifyChecksum verifies the checksum of the VRRP packet b (the whole IP
// payload) received from src for dst, and reports which variant matched.
// VRRPv2 ignores src, dst and mode. For VRRPv3 over IPv4, mode selects the
// pseudo-header destination as keepalived's vrrp_check_packet does: with
// ChecksumAuto a failing advert whose dst is not 224.0.0.18 is retried with
// the legacy checksum. The caller applies keepalived's extra condition that
// the retry happens only for instances with unicast peers (pass
// ChecksumNever otherwise). A mismatch returns an error wrapping ErrChecksum.
func VerifyChecksum(b []byte, src, dst netip.Addr, mode ChecksumMode) (ChecksumVariant, error) {
	if len(b) < HeaderLen {
		return ChecksumUnverified, fmt.Errorf("%w: %d bytes, the header alone is %d", ErrShort, len(b), HeaderLen)
	}
	group := groupIPv4()
	pdst, variant := dst, ChecksumStandard
	if b[0]>>4 == 3 && src.Is4() && mode == ChecksumLegacy && dst != group {
		pdst, variant = group, ChecksumLegacyUnicast
	}
	sum, err := checksum(b, src, pdst)
	if err != nil {
		return ChecksumUnverified, err
	}
	if sum == 0 {
		return variant, nil
	}
	if b[0]>>4 == 3 && src.Is4() && mode == ChecksumAuto && dst != group {
		if sum, _ := checksum(b, src, group); sum == 0 {
			return ChecksumLegacyUnicast, nil
		}
	}
	return ChecksumUnverified, fmt.Errorf("%w: 0x%04x does not match a VRRPv%d checksum from %v to %v",
		ErrChecksum, binary.BigEndian.Uint16(b[6:8]), b[0]>>4, src, dst)
}

// groupIPv4 is the VRRP IPv4 multicast group 224.0.0.18 (RFC 5798 §5.1.1.2),
// keepalived's default vrrp_mcast_group4.
func groupIPv4() netip.Addr {
	return netip.AddrFrom4([4]byte{224, 0, 0, 18})
}

// checksum returns the Internet checksum (RFC 1071) of the VRRP packet b,
// preceded for VRRPv3 by the pseudo-header for src and dst. With the
// checksum field zeroed the result is the value to put in it; with the field
// filled in the result is 0 when it is right.
func checksum(b []byte, src, dst netip.Addr) (uint16, error) {
	switch b[0] >> 4 {
	case 2:
		// RFC 3768 §5.3.8: the VRRP message only, no pseudo-header.
		return fold(sum16(0, b)), nil
	case 3:
	default:
		return 0, fmt.Errorf("%w: %d", ErrBadVersion, b[0]>>4)
	}
	switch {
	case src.Is4() && dst.Is4():
		ph := ipv4PseudoHeader(src, dst, len(b))
		return fold(sum16(sum16(0, ph[:]), b)), nil
	case src.Is6() && dst.Is6():
		ph := ipv6PseudoHeader(src, dst, len(b))
		return fold(sum16(sum16(0, ph[:]), b)), nil
	}
	return 0, fmt.Errorf("%w: VRRPv3 checksum needs source and destination of one family, have %v and %v",
		ErrFamily, src, dst)
}

// ipv4PseudoHeader is the IPv4 pseudo-header of RFC 5798 §5.2.8 (the one of
// RFC 768/RFC 793): source, destination, zero, protocol 112, VRRP length.
func ipv4PseudoHeader(src, dst netip.Addr, length int) [12]byte {
	var ph [12]byte
	s, d := src.As4(), dst.As4()
	copy(ph[0:4], s[:])
	copy(ph[4:8], d[:])
	ph[9] = ProtocolVRRP
	binary.BigEndian.PutUint16(ph[10:12], uint16(length))
	return ph
}

// ipv6PseudoHeader is the IPv6 pseudo-header of RFC 8200 §8.1 (RFC 2460
// §8.1) that RFC 5798 §5.2.8 refers to: source, destination, 32-bit
// upper-layer length, three zero bytes, next header 112.
func ipv6PseudoHeader(src, dst netip.Addr, length int) [40]byte {
	var ph [40]byte
	s, d := src.As16(), dst.As16()
	copy(ph[0:16], s[:])
	copy(ph[16:32], d[:])
	binary.BigEndian.PutUint32(ph[32:36], uint32(length))
	ph[39] = ProtocolVRRP
	return ph
}

// sum16 adds b, as big-endian 16-bit words padded with a zero byte if its
// length is odd, to the running one's-complement sum acc.
func sum16(acc uint64, b []byte) uint64 {
	for len(b) >= 2 {
		acc += uint64(b[0])<<8 | uint64(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

// fold folds the carries of acc into 16 bits and complements the result.
func fold(acc uint64) uint16 {
	for acc>>16 != 0 {
		acc = acc&0xffff + acc>>16
	}
	return ^uint16(acc)
}
