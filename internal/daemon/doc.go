// Package daemon runs a lowered configuration: one goroutine per
// vrrp_instance owning its state machine, timers and socket subscription,
// executing the machine's actions against the network (addresses, gratuitous
// ARP, adverts) in order; pidfiles; shutdown as keepalived's SIGTERM
// sequence.
//
// An instance's state is in three parts, each owned by one side of its
// loop: core (the vrrp.Machine and its steps), wire (the endpoint with its
// fast paths, the addresses, announcements and notifies) and tracking
// (what it tracks, and the fault and priority change that follow). The
// daemon's seams to the host (Net, LinkWatcher, AddrWatcher, Endpoint) are
// defined here, by their one user, and its time comes from one
// clock.Clock in Deps.
package daemon
