// Package dumps writes keepalived 2.2.7's state dumps: the JSON dump
// (/tmp/keepalived.json, SIGRTMIN+2), the statistics (/tmp/keepalived.stats,
// SIGUSR2 and SIGRTMAX-1) and the free-form data dump (/tmp/keepalived.data,
// SIGUSR1), in keepalived's formats (reference §5.5 and §6), so that tools
// written for keepalived keep reading them.
//
// The caller fills one [Instance] per vrrp_instance, in configuration order,
// from the lowered configuration and the instance's running state, and
// hands them to [WriteJSON], [WriteStats] or [WriteData] through
// [WriteFile], which puts the file in [Dir] atomically with mode 0600.
//
// Nothing here keeps state between calls; every function is safe for
// concurrent use as long as the values passed in are not mutated meanwhile.
package dumps
