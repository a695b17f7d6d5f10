package vip

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/mdlayher/ethernet"
	"github.com/mdlayher/ndp"
)

// allNodes is ff02::1 and allNodesMAC its Ethernet multicast address.
var (
	allNodes    = netip.MustParseAddr("ff02::1")
	allNodesMAC = net.HardwareAddr{0x33, 0x33, 0, 0, 0, 1}
)

// Lengths and values of the IPv6 header.
const (
	ipv6HeaderLen = 40
	nextICMPv6    = 58
	ndHopLimit    = 255
)

// NAFrame returns keepalived's unsolicited neighbour advertisement for ip
// from an interface with address mac: an Ethernet frame to 33:33:00:00:00:01
// carrying an IPv6 packet from ip to ff02::1 with hop limit 255, whose
// ICMPv6 neighbour advertisement has the Override flag, the Router flag iff
// router, target ip and a target link-layer address option holding mac.
func NAFrame(mac net.HardwareAddr, ip netip.Addr, router bool) ([]byte, error) {
	if !ip.Is6() || ip.Is4In6() {
		return nil, fmt.Errorf("neighbour advertisement for %s: not an IPv6 address", ip)
	}
	na := &ndp.NeighborAdvertisement{
		Router:        router,
		Override:      true,
		TargetAddress: ip,
		Options:       []ndp.Option{&ndp.LinkLayerAddress{Direction: ndp.Target, Addr: mac}},
	}
	icmp, err := ndp.MarshalMessageChecksum(na, ip, allNodes)
	if err != nil {
		return nil, fmt.Errorf("neighbour advertisement for %s: %w", ip, err)
	}
	pkt := make([]byte, ipv6HeaderLen, ipv6HeaderLen+len(icmp))
	pkt[0] = 6 << 4 // version 6, traffic class 0, flow label 0
	binary.BigEndian.PutUint16(pkt[4:6], uint16(len(icmp)))
	pkt[6] = nextICMPv6
	pkt[7] = ndHopLimit
	src, dst := ip.As16(), allNodes.As16()
	copy(pkt[8:24], src[:])
	copy(pkt[24:40], dst[:])
	pkt = append(pkt, icmp...)
	f := &ethernet.Frame{
		Destination: allNodesMAC,
		Source:      mac,
		EtherType:   ethernet.EtherTypeIPv6,
		Payload:     pkt,
	}
	return f.MarshalBinary()
}

// ipv6Forwarding reports whether IPv6 forwarding is on for ifname in the
// calling thread's network namespace.
func ipv6Forwarding(ifname string) bool {
	b, err := os.ReadFile("/proc/sys/net/ipv6/conf/" + ifname + "/forwarding")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}
