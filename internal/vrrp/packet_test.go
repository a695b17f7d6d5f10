package vrrp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Real adverts, captured from keepalived v2.2.7 (01/16,2022), Debian 12
// package, /usr/sbin/keepalived, run as
//
//	keepalived -n -l -D -P -f CONF -p PIDFILE -r VRRP_PIDFILE
//
// inside a private network namespace whose veth (192.0.2.1/24,
// 2001:db8::1/64, DAD off) leads to a second namespace (192.0.2.2/24), and
// captured there with
//
//	tcpdump -i gkv0 -w FILE -c 3 'ip proto 112 or ip6 proto 112'
//
// The bytes below start at the IP header (the 14-byte Ethernet header is
// dropped); each is the first of the three captured adverts, the other two
// differing only in the IPv4 identification (2, 3) and header checksum. The
// configurations and the script are in testdata/capture. Every instance had
// "state MASTER" and "interface gkv0", and:
const (
	// v2mcast.conf: virtual_router_id 51, priority 150, advert_int 1,
	// virtual_ipaddress { 192.0.2.100/24 192.0.2.101/24 }.
	capV2Mcast = "45c0002c00010000ff70188dc0000201e0000012" +
		"213396020001c3fec0000264c00002650000000000000000"
	// v2pass.conf: virtual_router_id 52, priority 100, advert_int 2,
	// authentication { auth_type PASS auth_pass s3cr3t },
	// virtual_ipaddress { 192.0.2.102/24 }.
	capV2Pass = "45c0002800010000ff701891c0000201e0000012" +
		"213464010102ad47c00002667333637233740000"
	// v3ucast.conf: version 3, virtual_router_id 60, priority 200,
	// advert_int 0.5, unicast_src_ip 192.0.2.1, unicast_peer { 192.0.2.2 },
	// virtual_ipaddress { 192.0.2.110/24 192.0.2.111/24 }.
	capV3Ucast = "45c0002400010000ff7036a5c0000201c0000202" +
		"313cc8020032fd2bc000026ec000026f"
	// v3ucastold.conf: as v3ucast but virtual_router_id 62, advert_int 1,
	// old_unicast_checksum, virtual_ipaddress { 192.0.2.120/24 }; tcpdump
	// reports "bad vrrp cksum a152": the legacy checksum.
	capV3UcastOld = "45c0002000010000ff7036a9c0000201c0000202" +
		"313ec8010064a152c0000278"
	// v3mcast4.conf: version 3, virtual_router_id 63, priority 120,
	// advert_int 1, virtual_ipaddress { 192.0.2.130/24 }.
	capV3Mcast4 = "45c0002000010000ff701899c0000201e0000012" +
		"313f78010064f147c0000282"
	// v3ipv6.conf: version 3, virtual_router_id 61, priority 150,
	// advert_int 1, virtual_ipaddress { 2001:db8::100/64 2001:db8::101/64 }.
	// The source is the kernel's link-local address of the veth.
	capV3IPv6 = "6c02489a002870fffe80000000000000f4db60fffe37a5ebff020000000000000000000000000012" +
		"313d96020064e2bb20010db800000000000000000000010020010db8000000000000000000000101"
)

// capture is one real advert with what it decodes to.
type capture struct {
	name     string
	hex      string
	fam      Family
	src, dst netip.Addr
	ttl      int
	advert   Advert
	variant  ChecksumVariant
}

func captures() []capture {
	ip := netip.MustParseAddr
	pw := [8]byte{'s', '3', 'c', 'r', '3', 't'}
	return []capture{
		{"v2mcast", capV2Mcast, IPv4, ip("192.0.2.1"), ip("224.0.0.18"), 255, Advert{
			Version: 2, Type: 1, VRID: 51, Priority: 150, AuthType: AuthNone, AdvertInt: 1, Checksum: 0xc3fe,
			Addrs: []netip.Addr{ip("192.0.2.100"), ip("192.0.2.101")},
		}, ChecksumStandard},
		{"v2pass", capV2Pass, IPv4, ip("192.0.2.1"), ip("224.0.0.18"), 255, Advert{
			Version: 2, Type: 1, VRID: 52, Priority: 100, AuthType: AuthPass, AdvertInt: 2, Checksum: 0xad47,
			Addrs: []netip.Addr{ip("192.0.2.102")}, AuthData: pw,
		}, ChecksumStandard},
		{"v3ucast", capV3Ucast, IPv4, ip("192.0.2.1"), ip("192.0.2.2"), 255, Advert{
			Version: 3, Type: 1, VRID: 60, Priority: 200, MaxAdvertInt: 50, Checksum: 0xfd2b,
			Addrs: []netip.Addr{ip("192.0.2.110"), ip("192.0.2.111")},
		}, ChecksumStandard},
		{"v3ucastold", capV3UcastOld, IPv4, ip("192.0.2.1"), ip("192.0.2.2"), 255, Advert{
			Version: 3, Type: 1, VRID: 62, Priority: 200, MaxAdvertInt: 100, Checksum: 0xa152,
			Addrs: []netip.Addr{ip("192.0.2.120")},
		}, ChecksumLegacyUnicast},
		{"v3mcast4", capV3Mcast4, IPv4, ip("192.0.2.1"), ip("224.0.0.18"), 255, Advert{
			Version: 3, Type: 1, VRID: 63, Priority: 120, MaxAdvertInt: 100, Checksum: 0xf147,
			Addrs: []netip.Addr{ip("192.0.2.130")},
		}, ChecksumStandard},
		{"v3ipv6", capV3IPv6, IPv6, ip("fe80::f4db:60ff:fe37:a5eb"), ip("ff02::12"), 255, Advert{
			Version: 3, Type: 1, VRID: 61, Priority: 150, MaxAdvertInt: 100, Checksum: 0xe2bb,
			Addrs: []netip.Addr{ip("2001:db8::100"), ip("2001:db8::101")},
		}, ChecksumStandard},
	}
}

// bytes returns the whole captured IP packet.
func (c capture) bytes(t testing.TB) []byte {
	t.Helper()
	b, err := hex.DecodeString(c.hex)
	if err != nil {
		t.Fatalf("%s: bad hex: %v", c.name, err)
	}
	return b
}

// payload returns the VRRP packet of the capture (after the IP header).
func (c capture) payload(t testing.TB) []byte {
	b := c.bytes(t)
	if c.fam == IPv6 {
		return b[40:]
	}
	return b[IPv4HeaderLen:]
}

// received returns the capture as the socket layer would hand it to Check.
func (c capture) received(t testing.TB) Received {
	if c.fam == IPv6 {
		return Received{Packet: c.payload(t), Src: c.src, Dst: c.dst, HopLimit: c.ttl}
	}
	return Received{Packet: c.bytes(t), HopLimit: -1}
}

func advertEqual(a, b Advert) bool {
	aa, bb := a, b
	aa.Addrs, bb.Addrs = nil, nil
	return reflect.DeepEqual(aa, bb) && slices.Equal(a.Addrs, b.Addrs)
}

// RFC 3768 §5.1, RFC 5798 §5.1: the captures decode to what was configured.
func TestParseAdvertCaptures(t *testing.T) {
	for _, c := range captures() {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseAdvert(c.payload(t), c.fam)
			if err != nil {
				t.Fatalf("ParseAdvert: %v", err)
			}
			if !advertEqual(got, c.advert) {
				t.Errorf("ParseAdvert =\n%+v, want\n%+v", got, c.advert)
			}
		})
	}
}

// RFC 3768 §5.3.8, RFC 5798 §5.2.8: Marshal computes the checksum keepalived
// sent, and MarshalBinary writes the received one back unchanged.
func TestMarshalCaptures(t *testing.T) {
	for _, c := range captures() {
		t.Run(c.name, func(t *testing.T) {
			want := c.payload(t)
			raw, err := c.advert.MarshalBinary()
			if err != nil || !bytes.Equal(raw, want) {
				t.Errorf("MarshalBinary = %x, %v; want %x", raw, err, want)
			}
			a := c.advert
			a.Checksum = 0 // ignored by Marshal
			var got []byte
			if c.variant == ChecksumLegacyUnicast {
				got, err = a.MarshalLegacyUnicast(c.src)
			} else {
				got, err = a.Marshal(c.src, c.dst)
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Marshal = %x, %v; want %x", got, err, want)
			}
			if n := a.Len(); n != len(want) {
				t.Errorf("Len = %d, want %d", n, len(want))
			}
		})
	}
}

// keepalived builds its own IPv4 header (IP_HDRINCL): TOS 0xc0, TTL 255,
// identification 1, 2, 3..., DF clear, protocol 112 (reference §7.2).
func TestIPv4HeaderCaptures(t *testing.T) {
	for _, c := range captures() {
		if c.fam != IPv4 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			pkt := c.bytes(t)
			if err := VerifyIPv4HeaderChecksum(pkt); err != nil {
				t.Errorf("VerifyIPv4HeaderChecksum: %v", err)
			}
			h, err := ParseIPv4Header(pkt)
			if err != nil {
				t.Fatalf("ParseIPv4Header: %v", err)
			}
			want := NewAdvertIPv4Header(c.src, c.dst, 1, DefaultTTL)
			want.TotalLen, want.Checksum = uint16(len(pkt)), h.Checksum
			if h.TOS != want.TOS || h.ID != want.ID || h.Flags != 0 || h.FragOff != 0 || h.TTL != want.TTL ||
				h.Protocol != ProtocolVRRP || h.Src != c.src || h.Dst != c.dst || h.TotalLen != want.TotalLen {
				t.Errorf("ParseIPv4Header = %+v, want %+v", h, want)
			}
			got, err := NewAdvertIPv4Header(c.src, c.dst, 1, DefaultTTL).MarshalPacket(c.payload(t))
			if err != nil || !bytes.Equal(got, pkt) {
				t.Errorf("MarshalPacket = %x, %v; want %x", got, err, pkt)
			}
		})
	}
}

// RFC 5798 §5.2.8 with keepalived's variants (reference §7.3).
func TestVerifyChecksum(t *testing.T) {
	ip := netip.MustParseAddr
	for _, c := range captures() {
		t.Run(c.name, func(t *testing.T) {
			p := c.payload(t)
			v, err := VerifyChecksum(p, c.src, c.dst, ChecksumAuto)
			if err != nil || v != c.variant {
				t.Errorf("VerifyChecksum(auto) = %v, %v; want %v", v, err, c.variant)
			}
			if c.advert.Version == 2 {
				// RFC 3768 §5.3.8: no pseudo-header, addresses do not matter.
				if v, err := VerifyChecksum(p, ip("198.51.100.1"), ip("198.51.100.2"), ChecksumNever); err != nil || v != ChecksumStandard {
					t.Errorf("v2 with other addresses = %v, %v", v, err)
				}
			} else if _, err := VerifyChecksum(p, c.src, otherAddr(c.dst), ChecksumNever); !errors.Is(err, ErrChecksum) {
				t.Errorf("v3 with another destination: err = %v, want ErrChecksum", err)
			}
			p[len(p)-1] ^= 0x01
			if _, err := VerifyChecksum(p, c.src, c.dst, ChecksumAuto); !errors.Is(err, ErrChecksum) {
				t.Errorf("corrupted: err = %v, want ErrChecksum", err)
			}
		})
	}
}

// otherAddr returns an address of a's family different from a.
func otherAddr(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.MustParseAddr("192.0.2.77")
	}
	return netip.MustParseAddr("2001:db8::77")
}

// keepalived's unicast_chksum_compat modes against the standard and the
// legacy unicast capture (src vrrp/vrrp.c vrrp_check_packet).
func TestChecksumModes(t *testing.T) {
	std, old := captures()[2], captures()[3]
	tests := []struct {
		c    capture
		mode ChecksumMode
		want ChecksumVariant
	}{
		{std, ChecksumAuto, ChecksumStandard},
		{std, ChecksumNever, ChecksumStandard},
		{std, ChecksumLegacy, ChecksumUnverified}, // once legacy, a standard sum no longer verifies
		{old, ChecksumAuto, ChecksumLegacyUnicast},
		{old, ChecksumNever, ChecksumUnverified},
		{old, ChecksumLegacy, ChecksumLegacyUnicast},
	}
	for _, tt := range tests {
		v, err := VerifyChecksum(tt.c.payload(t), tt.c.src, tt.c.dst, tt.mode)
		if v != tt.want || (tt.want == ChecksumUnverified) != errors.Is(err, ErrChecksum) {
			t.Errorf("%s mode %d: VerifyChecksum = %v, %v; want %v", tt.c.name, tt.mode, v, err, tt.want)
		}
	}
	// Sent to the group itself, legacy and standard are one sum.
	mc := captures()[4]
	if v, err := VerifyChecksum(mc.payload(t), mc.src, mc.dst, ChecksumLegacy); err != nil || v != ChecksumStandard {
		t.Errorf("multicast in legacy mode = %v, %v; want standard", v, err)
	}
}

func TestParseAdvertErrors(t *testing.T) {
	h := func(s string) []byte {
		b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		b    []byte
		fam  Family
		want error
	}{
		{"empty", nil, IPv4, ErrShort},
		{"7 bytes", h("21330201 000100"), IPv4, ErrShort},
		{"bad family", h("31336401 00640000 c0000264"), 0, ErrFamily},
		{"version 1", h("11336401 00010000 c0000264 00000000 00000000"), IPv4, ErrBadVersion},     // RFC 5798 §5.2.1
		{"version 4", h("41336401 00640000 c0000264"), IPv4, ErrBadVersion},                       // RFC 5798 §5.2.1
		{"type 2", h("22336401 00010000 c0000264 00000000 00000000"), IPv4, ErrBadType},           // RFC 5798 §5.2.2
		{"type 0", h("30336401 00640000 c0000264"), IPv4, ErrBadType},                             // RFC 5798 §5.2.2
		{"v2 over IPv6", h("21336400 00010000 00000000 00000000"), IPv6, ErrFamily},               // RFC 3768 is IPv4 only
		{"v2 no auth data", h("21336401 00010000 c0000264"), IPv4, ErrShort},                      // RFC 3768 §5.3.10
		{"v2 count too big", h("21336402 00010000 c0000264 00000000 00000000"), IPv4, ErrShort},   // RFC 3768 §5.3.5
		{"v2 trailing byte", h("21336401 00010000 c0000264 00000000 00000000 00"), IPv4, ErrLong}, // RFC 3768 §5.3.5
		{"v3 short addr", h("31336401 00640000 c00002"), IPv4, ErrShort},                          // RFC 5798 §5.2.5
		{"v3 trailing", h("31336401 00640000 c0000264 00000000"), IPv4, ErrLong},                  // no auth data in v3
		{"v3 IPv6 short", h("31336401 00640000 20010db8 00000000 00000000 000001"), IPv6, ErrShort},
	}
	for _, tt := range tests {
		if _, err := ParseAdvert(tt.b, tt.fam); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// RFC 5798 §5.2.6: reserved bits are ignored on reception and sent as zero.
func TestParseAdvertReservedBits(t *testing.T) {
	c := captures()[4]
	p := c.payload(t)
	p[4] |= 0xf0
	a, err := ParseAdvert(p, IPv4)
	if err != nil || a.MaxAdvertInt != 100 {
		t.Fatalf("ParseAdvert = %+v, %v; want max advert int 100", a, err)
	}
	if b, _ := a.MarshalBinary(); b[4] != 0x00 {
		t.Errorf("reserved bits sent as %#x, want 0", b[4]>>4)
	}
}

func TestMarshalErrors(t *testing.T) {
	ip := netip.MustParseAddr
	v4, v6 := ip("192.0.2.1"), ip("2001:db8::1")
	good2 := Advert{Version: 2, Type: 1, VRID: 1, Priority: 100, AdvertInt: 1, Addrs: []netip.Addr{v4}}
	good3 := Advert{Version: 3, Type: 1, VRID: 1, Priority: 100, MaxAdvertInt: 100, Addrs: []netip.Addr{v6}}
	many := make([]netip.Addr, 256)
	for i := range many {
		many[i] = v4
	}
	tests := []struct {
		name     string
		mod      func(*Advert)
		base     Advert
		src, dst netip.Addr
		want     error
	}{
		{"version 0", func(a *Advert) { a.Version = 0 }, good2, v4, v4, ErrBadVersion},
		{"type 0", func(a *Advert) { a.Type = 0 }, good2, v4, v4, ErrBadType},
		{"256 addresses", func(a *Advert) { a.Addrs = many }, good2, v4, v4, ErrField},                   // RFC 5798 §5.2.5
		{"mixed families", func(a *Advert) { a.Addrs = []netip.Addr{v4, v6} }, good3, v6, v6, ErrFamily}, // RFC 5798 §5.2.9
		{"invalid address", func(a *Advert) { a.Addrs = []netip.Addr{{}} }, good2, v4, v4, ErrFamily},
		{"v2 with IPv6", func(a *Advert) { a.Addrs = []netip.Addr{v6} }, good2, v6, v6, ErrFamily},
		{"v2 with max advert int", func(a *Advert) { a.MaxAdvertInt = 1 }, good2, v4, v4, ErrField},
		{"v3 with advert int", func(a *Advert) { a.AdvertInt = 1 }, good3, v6, v6, ErrField},
		{"v3 with auth type", func(a *Advert) { a.AuthType = AuthPass }, good3, v6, v6, ErrField},
		{"v3 with auth data", func(a *Advert) { a.AuthData[0] = 1 }, good3, v6, v6, ErrField},
		{"v3 interval 4096 cs", func(a *Advert) { a.MaxAdvertInt = 4096 }, good3, v6, v6, ErrField}, // RFC 5798 §5.2.7
		{"v3 IPv6 from IPv4", func(*Advert) {}, good3, v4, v4, ErrFamily},
		{"v3 mixed pseudo-header", func(a *Advert) { a.Addrs = nil }, good3, v4, v6, ErrFamily},
	}
	for _, tt := range tests {
		a := tt.base
		a.Addrs = slices.Clone(a.Addrs)
		tt.mod(&a)
		if _, err := a.Marshal(tt.src, tt.dst); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if b, err := good3.MarshalBinary(); err != nil || len(b) != 24 {
		t.Errorf("good3.MarshalBinary = %x, %v", b, err)
	}
}

// RFC 5798 §5.2.5: a count of zero is representable; VRRPv2 still carries
// its 8 bytes of authentication data (RFC 3768 §5.3.10).
func TestRoundTripNoAddresses(t *testing.T) {
	src, dst := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("224.0.0.18")
	for _, a := range []Advert{
		{Version: 2, Type: 1, VRID: 9, Priority: 1, AdvertInt: 255, AuthType: AuthPass, AuthData: [8]byte{'x'}},
		{Version: 3, Type: 1, VRID: 255, Priority: 0, MaxAdvertInt: MaxAdvertIntV3},
	} {
		b, err := a.Marshal(src, dst)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", a, err)
		}
		got, err := ParseAdvert(b, IPv4)
		a.Checksum = got.Checksum
		if err != nil || !advertEqual(got, a) {
			t.Errorf("round trip = %+v, %v; want %+v", got, err, a)
		}
		if _, err := VerifyChecksum(b, src, dst, ChecksumNever); err != nil {
			t.Errorf("VerifyChecksum: %v", err)
		}
	}
}

func TestNextIPv4ID(t *testing.T) {
	for _, tt := range []struct{ in, want uint16 }{{0, 1}, {1, 2}, {0xfffe, 0xffff}, {0xffff, 1}} {
		if got := NextIPv4ID(tt.in); got != tt.want {
			t.Errorf("NextIPv4ID(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestIPv4HeaderErrors(t *testing.T) {
	pkt, _ := hex.DecodeString(capV2Mcast)
	bad := func(f func(b []byte) []byte) []byte { return f(slices.Clone(pkt)) }
	parse := []struct {
		name string
		b    []byte
		want error
	}{
		{"19 bytes", pkt[:19], ErrShort},
		{"version 6", bad(func(b []byte) []byte { b[0] = 0x65; return b }), ErrIPHeader},
		{"IHL 4", bad(func(b []byte) []byte { b[0] = 0x44; return b }), ErrIPHeader},
		{"IHL 15 in 60 bytes", bad(func(b []byte) []byte { b[0] = 0x4f; return append(b, make([]byte, 16)...) }), nil},
		{"IHL 15 in 44 bytes", bad(func(b []byte) []byte { b[0] = 0x4f; return b }), ErrShort},
	}
	for _, tt := range parse {
		if _, err := ParseIPv4Header(tt.b); !errors.Is(err, tt.want) {
			t.Errorf("ParseIPv4Header(%s): err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := VerifyIPv4HeaderChecksum(bad(func(b []byte) []byte { b[8] = 64; return b })); !errors.Is(err, ErrChecksum) {
		t.Errorf("VerifyIPv4HeaderChecksum(TTL changed): err = %v, want ErrChecksum", err)
	}
	v4, v6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	marshal := []struct {
		name string
		h    IPv4Header
		want error
	}{
		{"IPv6 source", NewAdvertIPv4Header(v6, v4, 1, 255), ErrFamily},
		{"options not multiple of 4", IPv4Header{Src: v4, Dst: v4, Options: []byte{1}}, ErrField},
		{"44 bytes of options", IPv4Header{Src: v4, Dst: v4, Options: make([]byte, 44)}, ErrField},
		{"flags 8", IPv4Header{Src: v4, Dst: v4, Flags: 8}, ErrField},
		{"offset 0x2000", IPv4Header{Src: v4, Dst: v4, FragOff: 0x2000}, ErrField},
	}
	for _, tt := range marshal {
		if _, err := tt.h.Marshal(); !errors.Is(err, tt.want) {
			t.Errorf("Marshal(%s): err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := NewAdvertIPv4Header(v4, v4, 1, 255).MarshalPacket(make([]byte, 0xffff-19)); !errors.Is(err, ErrField) {
		t.Errorf("MarshalPacket(65536 bytes): err = %v, want ErrField", err)
	}
}

// RFC 791 §3.1: options, flags and fragment offset survive a round trip,
// and the computed header checksum verifies.
func TestIPv4HeaderRoundTrip(t *testing.T) {
	h := IPv4Header{
		TOS: 0x10, TotalLen: 48, ID: 0xbeef, Flags: 2, FragOff: 0x1234, TTL: 1, Protocol: ProtocolAH,
		Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("192.0.2.254"),
		Options: []byte{0x94, 0x04, 0x00, 0x00}, // router alert
	}
	b, err := h.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyIPv4HeaderChecksum(b); err != nil {
		t.Errorf("VerifyIPv4HeaderChecksum: %v", err)
	}
	got, err := ParseIPv4Header(b)
	h.Checksum = got.Checksum
	if err != nil || got.Len() != 24 || !bytes.Equal(got.Options, h.Options) {
		t.Fatalf("ParseIPv4Header = %+v, %v", got, err)
	}
	got.Options, h.Options = nil, nil
	if !reflect.DeepEqual(got, h) {
		t.Errorf("round trip = %+v, want %+v", got, h)
	}
}

func TestStrings(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{IPv4.String(), "IPv4"}, {IPv6.String(), "IPv6"}, {Family(5).String(), "Family(5)"},
		{ChecksumLegacyUnicast.String(), "legacy-unicast"}, {ChecksumVariant(9).String(), "ChecksumVariant(9)"},
		{ChecksumStandard.String(), "standard"}, {ChecksumUnverified.String(), "unverified"},
	} {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
}
