package dumps

import "syscall"

// The signals keepalived 2.2.7 takes for its dumps, numbered as on Linux
// with glibc (SIGRTMIN is 34 there, SIGRTMAX 64; reference §5.5).
const (
	// SignalData asks for the data dump (keepalived.data and
	// keepalived_parent.data).
	SignalData = syscall.SIGUSR1
	// SignalStats asks for the statistics (keepalived.stats).
	SignalStats = syscall.SIGUSR2
	// SignalStatsClear asks for the statistics, then zeroes the counters
	// (SIGRTMAX-1).
	SignalStatsClear = syscall.Signal(63)
	// SignalJSON asks for the JSON dump (keepalived.json; SIGRTMIN+2).
	SignalJSON = syscall.Signal(36)
)
