package daemon

import (
	"context"
	"slices"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
)

// runCheckers starts one checker per vrrp_script that an instance tracks
// and sends each script's state, after its first run and whenever it
// changes, to the instances tracking it. The checkers end with ctx.
func runCheckers(ctx context.Context, cfg *confparse.Config, d Deps, insts []*instance, wg *sync.WaitGroup) {
	if d.Scripts == nil {
		return
	}
	for _, s := range cfg.Scripts {
		var trackers []*instance
		for _, in := range insts {
			if slices.ContainsFunc(in.cfg.TrackScripts, func(t confparse.TrackRef) bool { return t.Name == s.Name }) {
				trackers = append(trackers, in)
			}
		}
		if len(trackers) == 0 {
			continue
		}
		cmd := s.Command
		if s.User != "" {
			c := *cmd
			c.User, c.Group = s.User, s.Group
			cmd = &c
		}
		sc, ok := scriptCommand(cmd, cmd.Args, &cfg.Global, d.Log)
		if !ok {
			continue
		}
		ch := scripts.NewChecker(s, sc, d.Scripts, d.Log)
		first := true
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch.Run(ctx, func(u scripts.Update) {
				if !u.Changed && !first {
					return
				}
				first = false
				for _, in := range trackers {
					select {
					case in.scriptCh <- u:
					case <-ctx.Done():
						return
					}
				}
			})
		}()
	}
}
