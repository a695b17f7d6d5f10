// Package daemon runs a lowered configuration: one goroutine per
// vrrp_instance owning its state machine, timers and socket subscription,
// executing the machine's actions against the network (addresses, gratuitous
// ARP, adverts) in order; pidfiles; shutdown as keepalived's SIGTERM
// sequence.
package daemon
