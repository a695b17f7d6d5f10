// Package vrrptest joins vrrp.Machines on an in-memory LAN, so that
// elections, split brain, preemption, priority 0 and nopreempt can be tested
// without root, sockets or sleeps.
//
// A LAN is a discrete-event simulation in virtual time: each router is one
// vrrp.Machine, its timers are the ones its SetTimer and StopTimer actions
// arm, and its SendAdvert actions are marshalled with the real codec and
// delivered to every other router that can hear it, where they pass through
// vrrp.Check exactly as a received packet would. Links can be cut, routers
// isolated and adverts dropped; Heal restores everything. Every router's
// actions are recorded as transcript lines such as
// "t=3.609375 r1 state BACKUP->MASTER", which tests compare whole.
package vrrptest
