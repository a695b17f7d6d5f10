package daemon

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// stopNotifyGrace is how long notify scripts still queued or running at
// shutdown are given before they are killed (keepalived gives notify_stop
// about a second, then SIGTERM).
const stopNotifyGrace = 2 * time.Second

// notifier runs one instance's notify scripts in transition order: a
// goroutine takes each transition's scripts (notify_<state>, then notify)
// from a queue and runs them one after the other, so a slow script never
// lets a later state's script finish first (keepalived forks them all at
// once). Its goroutine and queue exist from the first script on: most
// instances of a large configuration have none. It is not safe for
// concurrent use: the instance's goroutine owns it.
type notifier struct {
	exec   scripts.Executor
	log    *slog.Logger
	clock  clock.Clock
	queue  chan []scripts.Command // nil until the first script
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// notifyQueue is how many transitions' scripts may wait behind a running
// one before the instance waits too.
const notifyQueue = 64

func newNotifier(exec scripts.Executor, log *slog.Logger, clk clock.Clock) *notifier {
	return &notifier{exec: exec, log: log, clock: clock.Or(clk)}
}

// start makes the queue and the goroutine that runs it.
func (n *notifier) start() {
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.queue = make(chan []scripts.Command, notifyQueue)
	n.wg.Add(1)
	go func() { // Ends when close closes the queue.
		defer n.wg.Done()
		for cmds := range n.queue {
			for _, c := range cmds {
				if r := n.exec.Run(n.ctx, c, 0); r.Err != nil && n.ctx.Err() == nil {
					n.log.Info("notify script " + c.Args[0] + ": " + r.Err.Error())
				}
			}
		}
	}()
}

// enqueue queues a transition's scripts.
func (n *notifier) enqueue(cmds []scripts.Command) {
	if len(cmds) == 0 {
		return
	}
	if n.queue == nil {
		n.start()
	}
	n.queue <- cmds
}

// close lets the queued scripts run for at most grace, kills what is still
// running then, and waits for the goroutine to end.
func (n *notifier) close(grace time.Duration) {
	if n.queue == nil {
		return
	}
	close(n.queue)
	done := make(chan struct{})
	go func() { // Ends when the notifier's goroutine does.
		n.wg.Wait()
		close(done)
	}()
	timer := n.clock.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C():
		n.cancel()
		<-done
	}
	n.cancel()
}

// scriptCommand turns a configured command into one the runner takes, as
// the configured user (or script_user, or root). A disabled or unusable
// command gives false.
func scriptCommand(c *config.Command, args []string, g *config.Global, log *slog.Logger) (scripts.Command, bool) {
	if !c.IsSet() || c.Disabled {
		return scripts.Command{}, false
	}
	cred, err := scripts.ScriptCred(c.User, c.Group, g)
	if err != nil {
		log.Warn(err.Error())
		return scripts.Command{}, false
	}
	return scripts.Command{Args: args, Cred: &cred}, true
}

// deletedState is the state word for an instance removed by a reload:
// DELETED with notify_deleted, else FAULT (reference §3.7).
func (in *instance) deletedState() string {
	if in.cfg.NotifyDeletedSet {
		return "DELETED"
	}
	return "FAULT"
}

// notifyCommands are the scripts keepalived runs when an instance enters a
// state (reference §5.1): notify_<state> with its own words, then notify
// with INSTANCE name STATE priority appended.
// A removed instance (deleted) runs notify_deleted and says state DELETED
// when notify_deleted is set, else only notify, saying FAULT (observed on
// keepalived 2.2.7: its notify_fault does not run).
func (in *instance) notifyCommands(to vrrp.State, state string) []scripts.Command {
	c := in.cfg
	specific, ok := specificNotify(to, c.NotifyMaster, c.NotifyBackup, c.NotifyFault, c.NotifyStop)
	if !ok {
		return nil
	}
	if in.deleted && to == vrrp.StateStop {
		specific = nil
		if c.NotifyDeletedSet {
			specific = c.NotifyDeleted
		}
	}
	return notifyCommands(specific, c.Notify, "INSTANCE", c.Name, state, in.core.m.EffectivePriority(), in.global, in.log)
}

// specificNotify picks notify_<state> for a transition to; ok is false for
// a state without notifies.
func specificNotify(to vrrp.State, master, backup, fault, stop *config.Command) (c *config.Command, ok bool) {
	switch to {
	case vrrp.StateMaster:
		return master, true
	case vrrp.StateBackup:
		return backup, true
	case vrrp.StateFault:
		return fault, true
	case vrrp.StateStop:
		return stop, true
	}
	return nil, false
}

// notifyCommands are the scripts of one transition (reference §5.1): the
// specific script with its own words, then the generic notify with kind
// (INSTANCE or GROUP), name, state and priority appended.
func notifyCommands(specific, generic *config.Command, kind, name, state string, prio int, g *config.Global, log *slog.Logger) []scripts.Command {
	var out []scripts.Command
	if c, ok := scriptCommand(specific, scripts.NotifyArgs(specific, "", name, state, 0), g, log); ok {
		out = append(out, c)
	}
	if c, ok := scriptCommand(generic, scripts.NotifyArgs(generic, kind, name, state, prio), g, log); ok {
		out = append(out, c)
	}
	return out
}
