package daemon

import (
	"context"
	"log/slog"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// syncGroup is a vrrp_sync_group's coordinator (reference §4.4): its
// members move together. A member's own FAULT takes the others to FAULT
// until every member is clear; a member becoming MASTER takes the others to
// MASTER, and one giving up MASTER takes them to BACKUP; a member whose
// master-down timer fires waits until every other member wants to take over
// too (keepalived's vrrp_sync_can_goto_master), which keeps a group from
// thrashing when only one link lost the master's adverts. The group's own
// notifies run after the members' (observed on keepalived 2.2.7).
//
// Members report to the group without blocking (post); the group's
// goroutine orders members with syncCmds and waits for each member to
// carry the order out. It is safe for concurrent use.
type syncGroup struct {
	cfg     *config.SyncGroup
	members []*instance
	log     *slog.Logger
	notify  *notifier // nil without a script runner
	global  *config.Global
	events  EventSink
	mail    Mailer // nil sends no smtp_alert emails

	mu    sync.Mutex
	queue []groupMsg
	wake  chan struct{}

	// Owned by run.
	state    vrrp.State
	wants    map[*instance]bool
	ownFault map[*instance]bool
}

// groupMsg is a member's report: a state change, a master-down wish, or a
// change of its own (not group-induced) fault.
type groupMsg struct {
	from   *instance
	change *vrrp.StateChange
	want   *bool
	fault  *bool
}

// syncCmd is the group's order to a member: set the group fault (fault not
// nil), then move to state (StateMaster or StateBackup; StateInit for
// none). The member closes done once it has carried the order out.
type syncCmd struct {
	fault *bool
	state vrrp.State
	done  chan struct{}
}

func newSyncGroup(g *config.SyncGroup, members []*instance, d Deps, global *config.Global, events EventSink) *syncGroup {
	sg := &syncGroup{
		cfg: g, members: members, log: d.Log, global: global, events: events, mail: d.Mail,
		wake: make(chan struct{}, 1), state: vrrp.StateInit,
		wants: map[*instance]bool{}, ownFault: map[*instance]bool{},
	}
	if d.Scripts != nil {
		sg.notify = newNotifier(d.Scripts, d.Log, d.Clock)
	}
	return sg
}

// post queues a member's report; it never blocks.
func (g *syncGroup) post(m groupMsg) {
	g.mu.Lock()
	g.queue = append(g.queue, m)
	g.mu.Unlock()
	select {
	case g.wake <- struct{}{}:
	default:
	}
}

// start enters the group's initial state, BACKUP, before its members run:
// keepalived runs the group's BACKUP notifies first.
func (g *syncGroup) start() {
	g.enter(vrrp.StateBackup)
}

// run serves the members' reports until ctx ends.
func (g *syncGroup) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-g.wake:
		}
		g.mu.Lock()
		msgs := g.queue
		g.queue = nil
		g.mu.Unlock()
		for _, m := range msgs {
			g.handle(ctx, m)
		}
	}
}

// stop runs the group's STOP notifies, after every member has stopped, and
// waits for the group's scripts.
func (g *syncGroup) stop() {
	g.enter(vrrp.StateStop)
	if g.notify != nil {
		g.notify.close(stopNotifyGrace)
	}
}

func (g *syncGroup) handle(ctx context.Context, m groupMsg) {
	switch {
	case m.fault != nil:
		g.ownFault[m.from] = *m.fault
		if !*m.fault && g.state == vrrp.StateFault && !g.anyFault() {
			// The last fault cleared: that member leaves FAULT first, the
			// others follow when it reports BACKUP.
			f := false
			g.order(ctx, []*instance{m.from}, syncCmd{fault: &f})
		}
	case m.want != nil:
		g.wants[m.from] = *m.want
		if *m.want && g.canGoMaster(m.from) {
			g.order(ctx, []*instance{m.from}, syncCmd{state: vrrp.StateMaster})
		}
	case m.change != nil:
		g.changed(ctx, m.from, *m.change)
	}
}

// changed syncs the other members to a member's new state. A report that a
// later transition of the member overtook is stale and ignored.
func (g *syncGroup) changed(ctx context.Context, from *instance, sc vrrp.StateChange) {
	g.wants[from] = false
	if vrrp.State(from.core.state.Load()) != sc.To {
		return
	}
	others := g.others(from)
	switch {
	case sc.To == vrrp.StateMaster && g.state != vrrp.StateMaster:
		g.log.Info("VRRP_Group(" + g.cfg.Name + ") Syncing instances to MASTER state")
		g.order(ctx, others, syncCmd{state: vrrp.StateMaster})
		g.enter(vrrp.StateMaster)
	case sc.To == vrrp.StateBackup && g.state == vrrp.StateMaster:
		g.log.Info("VRRP_Group(" + g.cfg.Name + ") Syncing instances to BACKUP state")
		g.order(ctx, others, syncCmd{state: vrrp.StateBackup})
		g.enter(vrrp.StateBackup)
	case sc.To == vrrp.StateBackup && g.state == vrrp.StateFault && !g.anyFault():
		g.log.Info("VRRP_Group(" + g.cfg.Name + ") Syncing instances to BACKUP state")
		f := false
		g.order(ctx, others, syncCmd{fault: &f, state: vrrp.StateBackup})
		g.enter(vrrp.StateBackup)
	case sc.To == vrrp.StateFault && g.state != vrrp.StateFault && g.ownFault[from]:
		g.log.Info("VRRP_Group(" + g.cfg.Name + ") Syncing instances to FAULT state")
		t := true
		g.order(ctx, others, syncCmd{fault: &t})
		g.enter(vrrp.StateFault)
	}
}

// canGoMaster is keepalived's vrrp_sync_can_goto_master: the group is
// MASTER already, or every other member wants to take over too.
func (g *syncGroup) canGoMaster(from *instance) bool {
	if g.state == vrrp.StateMaster {
		return true
	}
	if g.state == vrrp.StateFault {
		return false
	}
	for _, m := range g.others(from) {
		if !g.wants[m] {
			return false
		}
	}
	return true
}

func (g *syncGroup) anyFault() bool {
	for _, f := range g.ownFault {
		if f {
			return true
		}
	}
	return false
}

func (g *syncGroup) others(from *instance) []*instance {
	var out []*instance
	for _, m := range g.members {
		if m != from {
			out = append(out, m)
		}
	}
	return out
}

// order sends cmd to each member and waits until each has carried it out,
// so that the group's notifies follow the members'.
func (g *syncGroup) order(ctx context.Context, to []*instance, cmd syncCmd) {
	for _, m := range to {
		c := cmd
		c.done = make(chan struct{})
		select {
		case m.ctl <- c:
		case <-ctx.Done():
			return
		}
		select {
		case <-c.done:
		case <-ctx.Done():
			return
		}
	}
}

// enter records the group's new state and runs its notifies: notify_<state>,
// then notify with GROUP name STATE 0, then the FIFO line (reference §5.1).
func (g *syncGroup) enter(s vrrp.State) {
	if g.state == s {
		return
	}
	g.state = s
	if g.notify != nil {
		g.notify.enqueue(g.notifyCommands(s))
	}
	if g.events != nil {
		g.events.Event("GROUP", g.cfg.Name, s.String(), 0)
	}
	g.mailAlert(s.String())
}

// notifyCommands are the group's scripts for entering s: GROUP name STATE
// 0 for notify.
func (g *syncGroup) notifyCommands(s vrrp.State) []scripts.Command {
	c := g.cfg
	specific, ok := specificNotify(s, c.NotifyMaster, c.NotifyBackup, c.NotifyFault, c.NotifyStop)
	if !ok {
		return nil
	}
	return notifyCommands(specific, c.Notify, "GROUP", c.Name, s.String(), 0, g.global, g.log)
}

// EventSink receives the notify FIFO lines: kind INSTANCE or GROUP, the
// name, the state word and the priority (reference §5.4). Implementations
// must be safe for concurrent use and must not block.
type EventSink interface {
	Event(kind, name, state string, prio int)
}
