package scripts

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// The kinds of generic notify (reference §5.1).
const (
	KindInstance = "INSTANCE"
	KindGroup    = "GROUP"
)

// NotifyArgs returns the argv keepalived runs for a notify command
// (reference §5.1). For the generic "notify" keyword, kind is KindInstance
// or KindGroup and the argv is the configured words followed by kind, name,
// state (MASTER, BACKUP, FAULT, STOP or DELETED) and prio (the effective
// priority for an instance, 0 for a sync group). For notify_master,
// notify_backup and the other state-specific keywords, kind is "" and the
// argv is exactly the configured words. The result never aliases cmd.Args.
func NotifyArgs(cmd *config.Command, kind string, name string, state string, prio int) []string {
	if !cmd.IsSet() {
		return nil
	}
	out := make([]string, 0, len(cmd.Args)+4)
	out = append(out, cmd.Args...)
	if kind == "" {
		return out
	}
	return append(out, kind, name, state, strconv.Itoa(prio))
}

// Background runs commands without waiting for them, as keepalived forks
// notify scripts and carries on; Wait waits for all of them. It is safe
// for concurrent use; the zero value needs Exec set.
type Background struct {
	Exec Executor
	wg   sync.WaitGroup
}

// Go starts c; it ends when c does, its timeout expires or ctx ends.
func (b *Background) Go(ctx context.Context, c Command, timeout time.Duration) {
	b.wg.Go(func() { b.Exec.Run(ctx, c, timeout) }) // waited for by Wait
}

// Wait waits for every command started with Go.
func (b *Background) Wait() { b.wg.Wait() }
