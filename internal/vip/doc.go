// Package vip puts virtual addresses, routes and rules on the host's links
// and announces them, as keepalived's VRRP process does when an instance
// becomes or stops being MASTER (reference §3.4, §3.5, §7.7).
//
// It has three parts, each talking to the kernel through a handle of its
// own and never through package-level state:
//
//   - [Manager] adds and deletes addresses ([confparse.Address]), routes
//     ([confparse.Route]) and rules ([confparse.Rule]) over rtnetlink.
//     Adding what is present and deleting what is absent are not errors.
//   - [Announcer] sends gratuitous ARP requests for IPv4 addresses and
//     unsolicited neighbour advertisements for IPv6 addresses, as raw
//     Ethernet frames laid out exactly as keepalived lays them out.
//   - [LinkWatcher] reports links going up and down, and their state at
//     start.
//
// [Host] joins the three and satisfies the seams the daemon defines for
// the host (package daemon's Net, LinkWatcher and AddrWatcher); package
// viptest has an in-memory fake of them that records a transcript. Logging of keepalived's lines "(VI_1) setting
// VIPs." and "Netlink reports eth0 down" ([LinkEvent.String]) is left to
// the caller; the Announcer logs "Sending gratuitous ARP on eth0 for
// 192.0.2.1" and "Sending unsolicited Neighbour Advert on eth0 for
// 2001:db8::1" at debug level, as keepalived does with --log-detail. Every part can work inside a named network
// namespace ([Config].Netns), as keepalived's net_namespace does; sockets
// are then opened inside that namespace and used from any thread.
package vip
