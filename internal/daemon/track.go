package daemon

import (
	"context"
	"slices"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
)

// runCheckers starts one checker per vrrp_script that an instance tracks
// and sends each script's state, after its first run and whenever it
// changes, to the instances tracking it. A script that confparse disabled
// (it cannot run: issue 4) is never run and reported failed once. The
// checkers end with ctx.
func runCheckers(ctx context.Context, cfg *config.Config, d Deps, insts []*instance, wg *sync.WaitGroup) {
	if d.Scripts == nil {
		return
	}
	for _, s := range cfg.Scripts {
		var trackers []*instance
		for _, in := range insts {
			if slices.ContainsFunc(in.cfg.TrackScripts, func(t config.TrackRef) bool { return t.Name == s.Name }) {
				trackers = append(trackers, in)
			}
		}
		if len(trackers) == 0 {
			continue
		}
		sc, ok := checkerCommand(s, &cfg.Global, d)
		if !ok {
			continue
		}
		// Every instance has the one Status; the checker's runs go to it.
		obs := trackers[0].status.script(s.Name)
		ch := scripts.NewChecker(s, sc, observedExec{Executor: d.Scripts, obs: obs, clock: clock.Or(d.Clock)}, d.Log)
		ch.Clock = d.Clock
		first := true
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch.Run(ctx, func(u scripts.Update) {
				obs.report(u)
				if !u.Changed && !first {
					return
				}
				first = false
				for _, in := range trackers {
					select {
					case in.ctl <- u:
					case <-ctx.Done():
						return
					}
				}
			})
		}()
	}
}

// checkerCommand is the command a vrrp_script's checker runs, as the
// script's user (or script_user, or root); a disabled script needs none.
func checkerCommand(s *config.Script, g *config.Global, d Deps) (scripts.Command, bool) {
	if s.Command.Disabled {
		return scripts.Command{}, true
	}
	cmd := s.Command
	if s.User != "" {
		c := *cmd
		c.User, c.Group = s.User, s.Group
		cmd = &c
	}
	return scriptCommand(cmd, cmd.Args, g, d.Log)
}
