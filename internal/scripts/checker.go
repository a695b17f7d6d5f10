package scripts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/clock"
	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Update is what a Checker reports after each run.
type Update struct {
	Name    string
	Result  Result
	Changed bool // the script's OK/KO state changed with this run
	OK      bool // the state after this run
}

// Checker runs one vrrp_script: at once, then every Interval (reference
// §4.1). A run still going at the next tick makes that tick be skipped.
// Its fields must be set before Run and not changed afterwards.
type Checker struct {
	Name     string
	Command  Command
	Interval time.Duration // <= 0 means 1 s
	Timeout  time.Duration // <= 0 means Interval
	Counter  *Counter
	Exec     Executor
	Clock    clock.Clock // nil means clock.System; tests tick it by hand
	Log      *slog.Logger
	// Disabled is set for a script that cannot run: confparse disabled
	// it at start (not found, not executable, or insecure under
	// enable_script_security). Run then runs nothing and reports the
	// script failed once, so that its weight applies (weight 0: FAULT),
	// where keepalived would have removed it and counted it as never
	// tracked (issue 4; --keepalived-scripts keeps keepalived's way, in
	// confparse).
	Disabled bool
}

// ErrDisabled is the Result.Err of the one failed run a disabled Checker
// reports.
var ErrDisabled = errors.New("scripts: script disabled at start: it cannot be run")

// NewChecker returns the checker of the configured vrrp_script s, running
// cmd (s.Command with its credentials resolved) through exec.
// A disabled s.Command gives a disabled Checker.
func NewChecker(s *config.Script, cmd Command, exec Executor, log *slog.Logger) *Checker {
	return &Checker{
		Disabled: s.Command.IsSet() && s.Command.Disabled,
		Name:     s.Name,
		Command:  cmd,
		Interval: s.Interval,
		Timeout:  s.Timeout,
		Counter:  NewCounter(s.Name, s.Rise, s.Fall, s.InitFail, log),
		Exec:     exec,
		Log:      log,
	}
}

// Run runs the script until ctx ends, calling report after each run from
// Run's own goroutine. When ctx ends, a run in progress is ended by the
// Executor (SIGTERM, then SIGKILL, reaped) and its result is dropped; Run
// returns once it has finished.
func (c *Checker) Run(ctx context.Context, report func(Update)) {
	log := c.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	clk := clock.Or(c.Clock)
	interval := c.Interval
	if interval <= 0 {
		interval = time.Second
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = interval
	}
	if c.Disabled {
		c.reportDisabled(ctx, log, report)
		return
	}
	ticker := clk.NewTicker(interval)
	defer ticker.Stop()

	var wg sync.WaitGroup
	defer wg.Wait()
	results := make(chan Result, 1)
	running := false
	start := func() {
		running = true
		wg.Add(1)
		go func() { // ended by ctx through the Executor; waited for by the deferred wg.Wait
			defer wg.Done()
			results <- c.Exec.Run(ctx, c.Command, timeout)
		}()
	}
	start()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C():
			if running {
				log.Info(fmt.Sprintf("Track script %s is already running, expect idle - skipping run", c.Name))
				continue
			}
			start()
		case res := <-results:
			running = false
			if ctx.Err() != nil {
				return
			}
			changed, ok := c.Counter.Observe(res)
			if report != nil {
				report(Update{Name: c.Name, Result: res, Changed: changed, OK: ok})
			}
		}
	}
}

// reportDisabled reports a disabled script failed, once, and waits for
// ctx.
func (c *Checker) reportDisabled(ctx context.Context, log *slog.Logger, report func(Update)) {
	log.Warn(fmt.Sprintf("VRRP_Script(%s) failed (cannot be run)", c.Name))
	changed, ok := c.Counter.Result(false)
	if report != nil {
		report(Update{Name: c.Name, Result: Result{ExitCode: 127, Err: ErrDisabled}, Changed: changed, OK: ok})
	}
	<-ctx.Done()
}
