package vrrp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// sameChecksum reports whether two checksum fields are equal, allowing for
// the two one's-complement zeros: a packet whose computed checksum is 0x0000
// also verifies with 0xffff (RFC 1071 §1).
func sameChecksum(a, b uint16) bool {
	return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0)
}

// wireForm returns the VRRP packet b as a marshaller would write it back:
// for VRRPv3 the reserved bits cleared (RFC 5798 §5.2.6).
func wireForm(b []byte) []byte {
	w := slices.Clone(b)
	if len(w) > 4 && w[0]>>4 == 3 {
		w[4] &= 0x0f
	}
	return w
}

func fuzzAddrs(fam Family) (src, dst netip.Addr) {
	if fam == IPv6 {
		return netip.MustParseAddr("fe80::1"), netip.MustParseAddr("ff02::12")
	}
	return netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
}

// FuzzParseAdvert: whatever parses marshals back to the same bytes (RFC 5798
// §5.2.6 reserved bits aside), parses again to the same Advert, and gets a
// checksum from Marshal that verifies.
func FuzzParseAdvert(f *testing.F) {
	for _, c := range captures() {
		f.Add(c.payload(f), c.fam == IPv6)
	}
	f.Fuzz(func(t *testing.T, b []byte, six bool) {
		fam := IPv4
		if six {
			fam = IPv6
		}
		a, err := ParseAdvert(b, fam)
		if err != nil {
			for _, s := range []error{ErrShort, ErrLong, ErrBadVersion, ErrBadType, ErrFamily} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("ParseAdvert error wraps no sentinel: %v", err)
		}
		raw, err := a.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(%+v): %v", a, err)
		}
		if want := wireForm(b); !bytes.Equal(raw, want) {
			t.Fatalf("round trip:\n got %x\nwant %x", raw, want)
		}
		again, err := ParseAdvert(raw, fam)
		if err != nil || !advertEqual(again, a) {
			t.Fatalf("reparse = %+v, %v; want %+v", again, err, a)
		}
		src, dst := fuzzAddrs(fam)
		m, err := a.Marshal(src, dst)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		if v, err := VerifyChecksum(m, src, dst, ChecksumNever); err != nil || v != ChecksumStandard {
			t.Fatalf("VerifyChecksum(Marshal) = %v, %v", v, err)
		}
		if fam == IPv4 && a.Version == 3 {
			m, err := a.MarshalLegacyUnicast(src)
			if err != nil {
				t.Fatalf("MarshalLegacyUnicast: %v", err)
			}
			if v, err := VerifyChecksum(m, src, dst, ChecksumAuto); err != nil || v != ChecksumLegacyUnicast {
				t.Fatalf("VerifyChecksum(MarshalLegacyUnicast) = %v, %v", v, err)
			}
		}
	})
}

// FuzzParseIPv4Header: a parsed header marshals back to the same bytes, up
// to the checksum, which is the same when the received one verified.
func FuzzParseIPv4Header(f *testing.F) {
	for _, c := range captures() {
		if c.fam == IPv4 {
			f.Add(c.bytes(f))
		}
	}
	f.Add(append([]byte{0x46}, make([]byte, 23)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ParseIPv4Header(b)
		if err != nil {
			if !errors.Is(err, ErrShort) && !errors.Is(err, ErrIPHeader) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		m, err := h.Marshal()
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", h, err)
		}
		want := slices.Clone(b[:h.Len()])
		got := binary.BigEndian.Uint16(m[10:12])
		copy(want[10:12], m[10:12])
		if !bytes.Equal(m, want) {
			t.Fatalf("round trip:\n got %x\nwant %x", m, want)
		}
		if VerifyIPv4HeaderChecksum(b) == nil && !sameChecksum(got, h.Checksum) {
			t.Fatalf("valid checksum 0x%04x re-marshalled as 0x%04x", h.Checksum, got)
		}
		if err := VerifyIPv4HeaderChecksum(m); err != nil {
			t.Fatalf("marshalled header does not verify: %v", err)
		}
	})
}

// fuzzExpects are the instances FuzzCheck checks against: those of the
// captures and of the checks_test bases, plus a few option variants.
func fuzzExpects() []Expect {
	pw := [8]byte{'s', '3', 'c', 'r', '3', 't'}
	peers := []Peer{{Addr: netip.MustParseAddr("192.0.2.1"), MinTTL: 1, MaxTTL: 255}}
	_, v2 := baseV2()
	_, v3u := baseV3Unicast()
	_, v6 := baseV3IPv6()
	v3uStrict := v3u
	v3uStrict.CheckUnicastSrc, v3uStrict.UnicastPeers = true, slices.Clone(peers)
	v2Skip := v2
	v2Skip.SkipCheckAdvAddr, v2Skip.Master = true, netip.MustParseAddr("192.0.2.1")
	return []Expect{
		v2, v3u, v6, v3uStrict, v2Skip,
		{Name: "P", Family: IPv4, Version: 2, VRID: 52, AdvertInt: 2, AuthType: AuthPass, AuthData: pw,
			VIPs: addrs("192.0.2.102")},
		{Name: "U", Family: IPv4, Version: 3, VRID: 60, VIPs: addrs("192.0.2.110", "192.0.2.111"),
			UnicastPeers: peers, CheckUnicastSrc: true},
		{Name: "O", Family: IPv4, Version: 3, VRID: 62, VIPs: addrs("192.0.2.120"), UnicastPeers: peers},
		{Name: "L", Family: IPv4, Version: 3, VRID: 62, VIPs: addrs("192.0.2.120"), UnicastPeers: peers,
			Checksum: ChecksumLegacy},
		{Name: "M", Family: IPv4, Version: 3, VRID: 63, VIPs: addrs("192.0.2.130")},
		{Name: "6", Family: IPv6, Version: 3, VRID: 61, VIPs: addrs("2001:db8::100", "2001:db8::101")},
		{Name: "E", Family: IPv4, Version: 3, VRID: 1},
	}
}

// FuzzCheck: Check never panics, every rejection names a check and a log
// line consistent with keepalived's order, and every accepted advert is one
// the codec writes back byte for byte, checksum included.
func FuzzCheck(f *testing.F) {
	exps := fuzzExpects()
	for _, c := range captures() {
		for i, e := range exps {
			if e.Family == c.fam {
				f.Add(c.received(f).Packet, uint8(i), int16(c.ttl), uint8(0))
			}
		}
	}
	for _, b := range bases() {
		s, _ := b.build()
		f.Add(s.received(f).Packet, uint8(0), int16(255), uint8(1))
	}
	f.Fuzz(func(t *testing.T, pkt []byte, which uint8, hop int16, dstKind uint8) {
		e := exps[int(which)%len(exps)]
		rx := Received{Packet: pkt, HopLimit: int(hop)}
		if e.Family == IPv6 {
			rx.Src = netip.MustParseAddr("fe80::1")
			rx.Dst = []netip.Addr{netip.MustParseAddr("ff02::12"), netip.MustParseAddr("2001:db8::1"), {}}[dstKind%3]
		}
		res, err := Check(rx, e)
		if err != nil {
			checkRejection(t, res, err, e)
			return
		}
		checkAccepted(t, rx, res, e)
	})
}

func checkRejection(t *testing.T, res Result, err error, e Expect) {
	t.Helper()
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("Check returned a non-CheckError for a valid Expect: %v", err)
	}
	if strings.HasPrefix(ce.Check.String(), "CheckID(") || strings.HasPrefix(ce.Counter.String(), "Counter(") {
		t.Fatalf("unknown check or counter: %v", ce)
	}
	if (ce.Log == "") != (ce.Check == CheckVRID) {
		t.Fatalf("log line %q for check %v", ce.Log, ce.Check)
	}
	if ce.Check != CheckHeader && ce.Check != CheckVRID && !strings.HasPrefix(ce.Log, "("+e.Name+") ") {
		t.Fatalf("log line %q lacks the instance name", ce.Log)
	}
	if counted := ce.Check == CheckVIPs || ce.Check == CheckUnicastSrc; res.Counted != counted {
		t.Fatalf("Counted = %v after failing check %v", res.Counted, ce.Check)
	}
	if res.Counted && (res.Advert.VRID != e.VRID || res.Advert.Version != e.Version) {
		t.Fatalf("counted advert %+v does not match the instance", res.Advert)
	}
}

func checkAccepted(t *testing.T, rx Received, res Result, e Expect) {
	t.Helper()
	a := res.Advert
	if !res.Counted || a.VRID != e.VRID || a.Version != e.Version || a.Type != TypeAdvertisement {
		t.Fatalf("accepted %+v for %+v", res, e)
	}
	if !e.SkipCheckAdvAddr && len(a.Addrs) != len(e.VIPs) {
		t.Fatalf("accepted %d addresses, instance has %d VIPs", len(a.Addrs), len(e.VIPs))
	}
	vrrp := rx.Packet
	if e.Family == IPv4 {
		vrrp = vrrp[int(vrrp[0]&0x0f)*4:]
	}
	raw, err := a.MarshalBinary()
	if err != nil || !bytes.Equal(raw, wireForm(vrrp)) {
		t.Fatalf("MarshalBinary = %x, %v; want %x", raw, err, wireForm(vrrp))
	}
	if e.Family != IPv4 {
		return
	}
	h, _ := ParseIPv4Header(rx.Packet)
	var m []byte
	switch res.Checksum {
	case ChecksumStandard:
		m, err = a.Marshal(h.Src, h.Dst)
	case ChecksumLegacyUnicast:
		m, err = a.MarshalLegacyUnicast(h.Src)
	default:
		t.Fatalf("accepted IPv4 advert with checksum %v", res.Checksum)
	}
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	// The reserved bits (RFC 5798 §5.2.6) are covered by the received
	// checksum but sent as zero, so only without them is the checksum the same.
	reserved := a.Version == 3 && vrrp[4]&0xf0 != 0
	if !reserved && !sameChecksum(binary.BigEndian.Uint16(m[6:8]), a.Checksum) {
		t.Fatalf("Marshal = %x; received checksum 0x%04x", m, a.Checksum)
	}
	w := wireForm(vrrp)
	copy(w[6:8], m[6:8])
	if !bytes.Equal(m, w) {
		t.Fatalf("Marshal = %x, want %x", m, w)
	}
}
