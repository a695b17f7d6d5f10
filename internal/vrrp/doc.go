// Package vrrp is the protocol core of gokeepalived: VRRP advertisements as
// keepalived 2.2.7 sends and receives them, and nothing that touches a socket.
//
// The codec (packet.go) turns an Advert value into the bytes of a VRRPv2
// (RFC 3768) or VRRPv3 (RFC 5798) advertisement and back. Checksums are
// computed with an explicit pseudo-header: none for VRRPv2, the IPv4 or IPv6
// pseudo-header for VRRPv3, plus keepalived's legacy "old_unicast_checksum"
// variant in which a VRRPv3 IPv4 unicast advert is checksummed as if it had
// been sent to 224.0.0.18.
//
// ipv4hdr.go builds and parses the IPv4 header keepalived writes itself on its
// IP_HDRINCL raw socket (TOS 0xc0, TTL 255, an identification that increments
// and skips 0, DF clear, protocol 112).
//
// checks.go is keepalived's receive validation (vrrp_check_packet) as a pure
// function: Check takes the received bytes, what the socket layer learnt about
// them and the instance's expectations, and returns either the advert or a
// *CheckError naming the §7.4 check that failed, the keepalived statistics
// counter it increments and the exact line keepalived logs.
//
// machine*.go is the state machine of one vrrp_instance (Machine): time and
// events go in through Step, actions (send an advert, add or remove the VIPs,
// send a GARP burst, arm a timer, a state change, a log line) come out in the
// order the caller must carry them out. Package vrrptest joins machines on an
// in-memory LAN with a virtual clock; package socket is the raw-socket layer
// the daemon uses.
//
// Nothing in this package performs I/O, reads the clock or logs. Values are
// safe for concurrent use when not mutated; functions keep no state.
package vrrp
