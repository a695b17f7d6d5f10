package vip

import (
	"bytes"
	"encoding/hex"
	"net"
	"net/netip"
	"testing"

	"github.com/mdlayher/ndp"
	"golang.org/x/net/icmp"
)

var testMAC = net.HardwareAddr{0x02, 0, 0x5e, 0, 0x01, 0x01}

// TestGARPFrame checks the frame byte by byte against reference §7.7.
func TestGARPFrame(t *testing.T) {
	b, err := GARPFrame(testMAC, ip("192.0.2.100"))
	if err != nil {
		t.Fatal(err)
	}
	want := "ffffffffffff" + "02005e000101" + "0806" + // Ethernet: broadcast from the MAC, ARP
		"0001" + "0800" + "06" + "04" + "0001" + // Ethernet/IPv4, request
		"02005e000101" + "c0000264" + // sender: the MAC, the VIP
		"ffffffffffff" + "c0000264" // target: broadcast, the VIP
	if got := hex.EncodeToString(b[:42]); got != want {
		t.Errorf("frame\n%s\nwant\n%s", got, want)
	}
	if len(b) != 60 || !bytes.Equal(b[42:], make([]byte, 18)) {
		t.Errorf("frame is %d bytes, want 60 with zero padding", len(b))
	}
	if _, err := GARPFrame(testMAC, ip("2001:db8::1")); err == nil {
		t.Error("GARPFrame accepted an IPv6 address")
	}
}

// TestNAFrame checks the frame against reference §7.7 and RFC 4861 §4.4.
func TestNAFrame(t *testing.T) {
	for _, router := range []bool{false, true} {
		vip := ip("2001:db8::1")
		b, err := NAFrame(testMAC, vip, router)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := hex.EncodeToString(b[:14]), "333300000001"+"02005e000101"+"86dd"; got != want {
			t.Errorf("Ethernet header %s, want %s", got, want)
		}
		ip6 := b[14:]
		if ip6[0]>>4 != 6 || ip6[6] != 58 || ip6[7] != 255 {
			t.Errorf("IPv6 header %x: want version 6, next header 58, hop limit 255", ip6[:8])
		}
		src, _ := netip.AddrFromSlice(ip6[8:24])
		dst, _ := netip.AddrFromSlice(ip6[24:40])
		if src != vip || dst != allNodes {
			t.Errorf("IPv6 %s > %s, want %s > ff02::1", src, dst, vip)
		}
		body := ip6[40:]
		if n := int(ip6[4])<<8 | int(ip6[5]); n != len(body) {
			t.Errorf("payload length %d, want %d", n, len(body))
		}
		if sum := icmpChecksum(src, dst, body); sum != 0 {
			t.Errorf("ICMPv6 checksum does not verify: %#x", sum)
		}
		m, err := ndp.ParseMessage(body)
		if err != nil {
			t.Fatal(err)
		}
		na, ok := m.(*ndp.NeighborAdvertisement)
		if !ok {
			t.Fatalf("message %T, want a neighbour advertisement", m)
		}
		lla, _ := na.Options[0].(*ndp.LinkLayerAddress)
		if na.Router != router || na.Solicited || !na.Override || na.TargetAddress != vip || len(na.Options) != 1 ||
			lla == nil || lla.Direction != ndp.Target || !bytes.Equal(lla.Addr, testMAC) {
			t.Errorf("advertisement %+v (option %+v), want router=%v override, target %s, target LLA %s",
				na, lla, router, vip, testMAC)
		}
	}
	if _, err := NAFrame(testMAC, ip("192.0.2.1"), false); err == nil {
		t.Error("NAFrame accepted an IPv4 address")
	}
}

// icmpChecksum sums the pseudo-header and body; 0 means the checksum in
// body is right.
func icmpChecksum(src, dst netip.Addr, body []byte) uint16 {
	b := append(icmp.IPv6PseudoHeader(src.AsSlice(), dst.AsSlice()), body...)
	b[32], b[33], b[34], b[35] = byte(len(body)>>24), byte(len(body)>>16), byte(len(body)>>8), byte(len(body))
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}
