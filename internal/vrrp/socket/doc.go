// Package socket is gokeepalived's VRRP socket layer on Linux: the raw IP
// protocol 112 sockets keepalived 2.2.7 opens (reference §7.2, §7.8 and the
// "VRRP sockpool" log line of §8), shared between the instances that use the
// same interface and family, with incoming adverts demultiplexed by VRID.
//
// A [Pool] owns the sockets. [Pool.Open] returns an [Endpoint] for one
// vrrp_instance: a channel of received [Packet]s carrying that instance's VRID
// and a [Endpoint.Send] that puts one advert on the wire, to the multicast
// group or once to each unicast peer. Endpoints that agree on interface,
// family and multicast group (or, for unicast, on source address) share one
// pair of sockets, as keepalived's socket pool does: a receive socket and a
// send socket, so a thousand instances on one interface use two descriptors,
// and one goroutine reads for all of them.
//
// IPv4 sockets are sent on with IP_HDRINCL: the header is the one
// vrrp.NewAdvertIPv4Header builds (TOS 0xc0, TTL 255 or unicast_ttl, an
// identification that increments per packet and skips 0, DF clear), and a
// received packet is handed over whole, IP header included. IPv6 sockets have
// the kernel compute and verify the checksum (IPV6_CHECKSUM at offset 6), send
// with traffic class 0xc0 and hop limit 255 to multicast groups, and report
// the hop limit and destination of each received advert.
//
// Multicast receive sockets join the group on the instance's interface and
// are bound to it (SO_BINDTODEVICE); IP_MULTICAST_ALL is switched off so that a
// socket only hears the groups it joined. Multicast sends leave through that
// interface with MSG_DONTROUTE and without loopback. Unicast receive sockets
// are bound to the source address and join nothing; unicast sends are routed
// normally, one per peer.
//
// Opening sockets needs CAP_NET_RAW. The package is Linux only.
package socket
