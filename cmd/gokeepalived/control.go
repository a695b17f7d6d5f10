package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/user"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/daemon"
)

// controlCommands are the subcommands that talk to a running daemon.
var controlCommands = map[string]string{
	"status":   "one line per instance: state, priorities, master, VIPs, failing tracks",
	"explain":  "why an instance is or is not master",
	"demote":   "drain instances for maintenance: advertise priority 1",
	"undemote": "end a demotion",
	"reload":   "reload the configuration, printing the plan first",
}

// reloadReq is a control socket reload, served with SIGHUP's.
type reloadReq struct {
	dryRun bool
	reply  chan<- *control.ReloadResult
}

// backend answers the control socket through the daemon's channel and
// the reload loop.
type backend struct {
	reqs    chan<- daemon.ControlRequest
	reloads chan<- reloadReq
}

func (b backend) ask(ctx context.Context, req daemon.ControlRequest) ([]control.Report, error) {
	reply := make(chan daemon.ControlReply, 1)
	req.Reply = reply
	select {
	case b.reqs <- req:
	case <-ctx.Done():
		return nil, errors.New("the daemon is busy: try again")
	}
	select {
	case r := <-reply:
		return r.Reports, r.Err
	case <-ctx.Done():
		return nil, errors.New("the daemon did not answer in time")
	}
}

func (b backend) Reports(ctx context.Context, names []string, all bool) ([]control.Report, error) {
	return b.ask(ctx, daemon.ControlRequest{Op: daemon.ControlReports, Names: names, All: all})
}

func (b backend) Demote(ctx context.Context, names []string, all bool, d time.Duration) ([]control.Report, error) {
	return b.ask(ctx, daemon.ControlRequest{Op: daemon.ControlDemote, Names: names, All: all, For: d})
}

func (b backend) Undemote(ctx context.Context, names []string, all bool) ([]control.Report, error) {
	return b.ask(ctx, daemon.ControlRequest{Op: daemon.ControlUndemote, Names: names, All: all})
}

func (b backend) Reload(ctx context.Context, dryRun bool) (*control.ReloadResult, error) {
	reply := make(chan *control.ReloadResult, 1)
	select {
	case b.reloads <- reloadReq{dryRun: dryRun, reply: reply}:
	case <-ctx.Done():
		return nil, errors.New("a reload is already running: try again")
	}
	select {
	case r := <-reply:
		if !r.Applied && len(r.Errors) > 0 {
			return r, errors.New("the configuration was refused; the running one is unchanged")
		}
		return r, nil
	case <-ctx.Done():
		return nil, errors.New("the reload did not finish in time; see the log")
	}
}

// startControl opens the control socket, unless --control-socket none.
// A socket that cannot be opened is logged: VRRP runs on without it.
func startControl(o *options, log *slog.Logger, b backend) (stop func()) {
	if o.controlSocket == "none" || o.controlSocket == "" {
		return func() {}
	}
	gid := -1
	if o.controlGroup != "" {
		g, err := user.LookupGroup(o.controlGroup)
		if err != nil {
			log.Error("control socket not opened: --control-group: " + err.Error())
			return func() {}
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	s := &control.Server{Path: o.controlSocket, Group: gid, Backend: b, Log: log}
	if err := s.Listen(); err != nil {
		log.Error(err.Error() + "; gokeepalived status, explain, demote and reload are not available")
		return func() {}
	}
	go s.Serve() // Ends with Close.
	return func() { s.Close() }
}

// demotionStore is where the demotions survive a restart.
func demotionStore(o *options) daemon.DemotionStore {
	if o.stateDir == "" || o.stateDir == "none" {
		return nil
	}
	return control.DemotionFile{Path: filepath.Join(o.stateDir, "demotions.json")}
}

// runControl is `gokeepalived status|explain|demote|undemote|reload ...`.
func runControl(cmd string, args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("gokeepalived "+cmd, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	sock := fs.String("control-socket", control.DefaultSocket, "the daemon's control socket `PATH`")
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	timeout := fs.Duration("timeout", 15*time.Second, "give up after `DURATION`")
	var all, dryRun bool
	var forText string
	switch cmd {
	case "demote", "undemote":
		fs.BoolVar(&all, "all", false, "every instance")
		if cmd == "demote" {
			fs.StringVar(&forText, "for", "", "end the demotion after `DURATION` (30m, 2h); default: until undemote")
		}
	case "explain":
		fs.BoolVar(&all, "all", false, "every instance")
	case "reload":
		fs.BoolVar(&dryRun, "dry-run", false, "print the plan only")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: gokeepalived %s [OPTION...]%s\n\n%s.\n\n", cmd, map[bool]string{true: " [INSTANCE...]"}[cmd != "reload"], controlCommands[cmd])
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	names := fs.Args()
	switch {
	case cmd == "reload" && len(names) > 0:
		fmt.Fprintf(stderr, "gokeepalived reload: unexpected argument %q\n", names[0])
		return exitUsage
	case (cmd == "explain" || cmd == "demote" || cmd == "undemote") && len(names) == 0 && !all:
		fmt.Fprintf(stderr, "gokeepalived %s: name instances or give --all\n", cmd)
		return exitUsage
	case all && len(names) > 0:
		fmt.Fprintf(stderr, "gokeepalived %s: --all and instance names together\n", cmd)
		return exitUsage
	}
	resp, err := control.Do(*sock, control.Request{Cmd: cmd, Instances: names, All: all, For: forText, DryRun: dryRun}, *timeout)
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived %s: %v\n", cmd, err)
		return exitFatal
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(resp)
	} else {
		printAnswer(cmd, resp, stdout)
	}
	if resp.Error != "" {
		fmt.Fprintf(stderr, "gokeepalived %s: %s\n", cmd, resp.Error)
		return exitFatal
	}
	return exitOK
}

// printAnswer prints a control answer for people.
func printAnswer(cmd string, resp control.Response, w io.Writer) {
	switch cmd {
	case "status":
		if resp.Error == "" {
			control.WriteStatus(w, resp.Reports, resp.Now)
		}
	case "explain":
		for i, r := range resp.Reports {
			if i > 0 {
				fmt.Fprintln(w)
			}
			for _, line := range control.Explain(r, resp.Now) {
				fmt.Fprintln(w, line)
			}
		}
	case "demote", "undemote":
		for _, r := range resp.Reports {
			fmt.Fprintf(w, "%s: %s, advertising priority %d%s\n", r.Name, r.State, r.EffectivePriority,
				map[bool]string{true: " (demoted)", false: ""}[r.Demoted])
		}
	case "reload":
		rr := resp.Reload
		if rr == nil {
			return
		}
		for _, e := range rr.Errors {
			fmt.Fprintln(w, e)
		}
		if len(rr.Plan) > 0 {
			fmt.Fprintln(w, "plan:")
			for _, l := range rr.Plan {
				fmt.Fprintln(w, "  "+l)
			}
		}
		switch {
		case rr.Applied:
			fmt.Fprintln(w, "applied")
		case len(rr.Errors) > 0:
			fmt.Fprintln(w, "refused: the running configuration is unchanged")
		default:
			fmt.Fprintln(w, "dry run: nothing applied")
		}
	}
}
