package confparse

import (
	"time"
)

// command lowers "KEYWORD CMD [USER [GROUP]]" with keepalived's quote-and-
// escape tokeniser, applied to the raw line and again to the command string
// (reference §1.3 B).
func (l *lowerer) command(n *Node) *Command {
	l.noBlock(n)
	words, err := SplitCommand(n.Line.Raw)
	if err != nil {
		l.errorf(n.Pos(), ClassUnmatchedQuote, "%s: %v", n.Keyword(), err)
		return nil
	}
	if len(words) < 2 || words[1] == "" {
		l.errorf(n.Pos(), ClassMissingParameter, "'%s' needs a command", n.Keyword())
		return nil
	}
	args, err := SplitCommand(words[1])
	if err != nil {
		l.errorf(n.Pos(), ClassUnmatchedQuote, "%s: %v", n.Keyword(), err)
		return nil
	}
	if len(args) == 0 {
		l.errorf(n.Pos(), ClassMissingParameter, "'%s' needs a command", n.Keyword())
		return nil
	}
	for i, a := range args {
		args[i] = l.words.word(a)
	}
	c := &Command{Args: args, Text: l.words.word(words[1]), Pos: n.Words[1].Pos}
	if len(words) > 2 {
		c.User = words[2]
	}
	if len(words) > 3 {
		c.Group = words[3]
	}
	if len(words) > 4 {
		l.errorf(n.Words[len(n.Words)-1].Pos, ClassGeneral, "%s: extra words after the user and group are ignored", n.Keyword())
	}
	return c
}

// trackKind describes one kind of tracked object.
type trackKind struct {
	what   string // "script", "file", ...
	lo, hi int    // weight range
	exists func(l *lowerer, name string) (weight int, reverse bool, ok bool)
}

var (
	trackScript = trackKind{what: "script", lo: -253, hi: 253, exists: func(l *lowerer, name string) (int, bool, bool) {
		if s := l.scriptByName[name]; s != nil {
			return s.Weight, s.Reverse, true
		}
		return 0, false, false
	}}
	trackFile = trackKind{what: "file", lo: -254, hi: 254, exists: func(l *lowerer, name string) (int, bool, bool) {
		for _, f := range l.cfg.TrackFiles {
			if f.Name == name {
				return f.Weight, f.Reverse, true
			}
		}
		return 0, false, false
	}}
	trackProcess = trackKind{what: "process", lo: -254, hi: 254, exists: func(l *lowerer, name string) (int, bool, bool) {
		for _, p := range l.cfg.TrackProcesses {
			if p.Name == name {
				return p.Weight, p.Reverse, true
			}
		}
		return 0, false, false
	}}
	// BFD instances are not run; any name is accepted.
	trackBFD = trackKind{what: "bfd", lo: -253, hi: 253, exists: func(*lowerer, string) (int, bool, bool) { return 0, false, true }}
)

// trackRefs lowers a track_script/track_file/track_process/track_bfd block.
// The objects must be defined before the block, as in keepalived.
func (l *lowerer) trackRefs(n *Node, dst []TrackRef, k trackKind, owner string) []TrackRef {
	if !l.wantBlock(n) {
		return dst
	}
	for _, c := range n.Children {
		l.noBlock(c)
		name := c.Words[0].Text
		w, rev, ok := k.exists(l, name)
		if !ok {
			d := l.errorf(c.Pos(), ClassGeneral, "(%s) track %s %s not found, ignoring...", owner, k.what, name)
			d.Hint = "define vrrp_" + k.what + " " + name + " before the block that tracks it"
			continue
		}
		if dup(dst, name) {
			l.errorf(c.Pos(), ClassGeneral, "(%s) duplicate track_%s %s - ignoring", owner, k.what, name)
			continue
		}
		r := TrackRef{Name: name, Weight: w, Reverse: rev, Pos: c.Pos()}
		if !l.trackWeight(c, &r, k.lo, k.hi, true) {
			continue
		}
		dst = append(dst, r)
	}
	return dst
}

func dup(refs []TrackRef, name string) bool {
	for _, r := range refs {
		if r.Name == name {
			return true
		}
	}
	return false
}

// trackWeight parses "[weight W [reverse|noreverse]]" after a tracked name.
func (l *lowerer) trackWeight(c *Node, r *TrackRef, lo, hi int, noreverse bool) bool {
	if len(c.Words) == 1 {
		return true
	}
	if c.Words[1].Text != "weight" {
		l.errorf(c.Words[1].Pos, ClassGeneral, "unknown option '%s' for tracked %s - expected 'weight'", c.Words[1].Text, r.Name)
		return false
	}
	if len(c.Words) < 3 {
		l.errorf(c.Words[1].Pos, ClassMissingParameter, "weight needs a value")
		return false
	}
	w, ok := l.parseInt("weight", c.Words[2], lo, hi)
	if !ok {
		return false
	}
	r.Weight, r.WeightSet, r.Reverse = w, true, false
	if len(c.Words) > 3 {
		switch t := c.Words[3]; {
		case t.Text == "reverse":
			r.Reverse = true
		case t.Text == "noreverse" && noreverse:
		default:
			l.errorf(t.Pos, ClassGeneral, "unknown weight option '%s' for tracked %s", t.Text, r.Name)
		}
	}
	return true
}

// trackInterfaces lowers a track_interface block.
func (l *lowerer) trackInterfaces(n *Node, dst []TrackRef, in *Instance) []TrackRef {
	if !l.wantBlock(n) {
		return dst
	}
	owner := "sync group"
	if in != nil {
		owner = in.Name
	}
	for _, c := range n.Children {
		l.noBlock(c)
		name := c.Words[0]
		if in != nil && name.Text == in.Interface {
			l.errorf(c.Pos(), ClassGeneral, "(%s) Ignoring track_interface %s since own interface", owner, name.Text)
			continue
		}
		if !l.env.InterfaceExists(name.Text) && !l.cfg.Global.DynamicInterfaces {
			d := l.errorf(name.Pos, ClassWarning, "(%s) tracked interface %s doesn't exist", owner, name.Text)
			d.CannotRun = true
			continue
		}
		if dup(dst, name.Text) {
			l.errorf(c.Pos(), ClassGeneral, "(%s) duplicate track_interface %s - ignoring", owner, name.Text)
			continue
		}
		r := TrackRef{Name: name.Text, Pos: c.Pos()}
		if l.trackWeight(c, &r, -254, 254, false) {
			if r.Weight < -253 || r.Weight > 253 {
				l.errorf(c.Words[2].Pos, ClassInvalidNumber, "(%s) track_interface weight %d outside range [-253, 253] - clamping", owner, r.Weight)
				r.Weight = max(-253, min(253, r.Weight))
			}
			dst = append(dst, r)
		}
	}
	return dst
}

// scriptTable is the table of vrrp_script keywords.
func scriptTable() table {
	s := func(f func(l *lowerer, s *Script, n *Node)) handler {
		return func(l *lowerer, n *Node) { f(l, l.cfg.Scripts[len(l.cfg.Scripts)-1], n) }
	}
	return table{
		"script": s(func(l *lowerer, s *Script, n *Node) { s.Command = l.command(n) }),
		"interval": s(func(l *lowerer, s *Script, n *Node) {
			l.noBlock(n)
			if v, ok := l.intArg(n, 1, 0, maxSeconds); ok {
				if v == 0 {
					l.errorf(n.Words[1].Pos, ClassInvalidNumber, "vrrp_script %s interval must be greater than 0, setting to 1", s.Name)
					v = 1
				}
				s.Interval = seconds(v)
			}
		}),
		"timeout": s(func(l *lowerer, s *Script, n *Node) {
			l.noBlock(n)
			if v, ok := l.intArg(n, 1, 0, maxSeconds); ok {
				s.Timeout = seconds(v)
			}
		}),
		"weight": s(func(l *lowerer, s *Script, n *Node) {
			l.noBlock(n)
			if v, ok := l.intArg(n, 1, -253, 253); ok {
				s.Weight = v
				s.Reverse = len(n.Words) > 2 && n.Words[2].Text == "reverse"
			}
		}),
		"rise": s(func(l *lowerer, s *Script, n *Node) { l.scriptCount(n, &s.Rise) }),
		"fall": s(func(l *lowerer, s *Script, n *Node) { l.scriptCount(n, &s.Fall) }),
		"user": s(func(l *lowerer, s *Script, n *Node) {
			l.noBlock(n)
			if t, ok := l.arg(n, 1); ok {
				s.User = t.Text
				if len(n.Words) > 2 {
					s.Group = n.Words[2].Text
				}
			}
		}),
		"init_fail": s(func(l *lowerer, s *Script, n *Node) { l.noBlock(n); s.InitFail = true }),
	}
}

func (l *lowerer) scriptCount(n *Node, dst *int) {
	l.noBlock(n)
	if v, ok := l.intArg(n, 1, 1, 1<<31-1); ok {
		*dst = v
	}
}

func (l *lowerer) lowerScript(n *Node) {
	name, ok := l.blockName(n)
	if !ok || !l.wantBlock(n) {
		return
	}
	s := &Script{Name: name, Pos: n.Pos(), Interval: time.Second, Rise: 1, Fall: 1}
	l.cfg.Scripts = append(l.cfg.Scripts, s)
	l.walk(n.Children, l.table("vrrp_script", scriptTable), "vrrp_script")
	if !s.Command.IsSet() {
		l.errorf(n.Pos(), ClassGeneral, "no script set for vrrp_script %s - removing", name)
		l.cfg.Scripts = l.cfg.Scripts[:len(l.cfg.Scripts)-1]
		return
	}
	if s.Timeout == 0 {
		s.Timeout = s.Interval
	}
	if s.User == "" && !l.defaultScriptUserOK(n.Pos()) {
		l.errorf(n.Pos(), ClassGeneral, "Unable to set default user for vrrp script %s - removing", name)
		l.cfg.Scripts = l.cfg.Scripts[:len(l.cfg.Scripts)-1]
		return
	}
	if l.scriptByName == nil {
		l.scriptByName = map[string]*Script{}
	}
	if _, ok := l.scriptByName[name]; !ok {
		l.scriptByName[name] = s
	}
}

// defaultScriptUserOK reports whether a script without its own user can
// run: with enable_script_security keepalived needs script_user or a
// keepalived_script account, and otherwise removes the script (reference
// §5.3). The first failure is reported once.
func (l *lowerer) defaultScriptUserOK(pos Pos) bool {
	g := &l.cfg.Global
	if !g.EnableScriptSecurity || g.ScriptUser != "" || l.env.UserExists("keepalived_script") {
		return true
	}
	if !l.noDefaultUserReported {
		l.noDefaultUserReported = true
		l.errorf(pos, ClassGeneral, "Unable to set default user keepalived_script for script").Hint =
			"set script_user in global_defs, or create the keepalived_script account"
	}
	return false
}

// trackFileTable is the table of track_file keywords.
func trackFileTable() table {
	f := func(fn func(l *lowerer, f *TrackFile, n *Node)) handler {
		return func(l *lowerer, n *Node) { fn(l, l.cfg.TrackFiles[len(l.cfg.TrackFiles)-1], n) }
	}
	return table{
		"file": f(func(l *lowerer, f *TrackFile, n *Node) { l.stringArg(n, &f.Path) }),
		"weight": f(func(l *lowerer, f *TrackFile, n *Node) {
			l.noBlock(n)
			if v, ok := l.intArg(n, 1, -254, 254); ok {
				f.Weight = v
				f.Reverse = len(n.Words) > 2 && n.Words[2].Text == "reverse"
			}
		}),
		"init_file": f(func(l *lowerer, f *TrackFile, n *Node) {
			l.noBlock(n)
			f.InitFile = true
			for _, t := range n.Args() {
				if t.Text == "overwrite" {
					f.InitOverwrite = true
				} else if v, ok := l.parseInt("init_file", t, -(1 << 31), 1<<31-1); ok {
					f.InitValue = v
				}
			}
		}),
	}
}

func (l *lowerer) lowerTrackFileDeprecated(n *Node) {
	l.errorf(n.Pos(), ClassDeprecated, "vrrp_track_file is deprecated - use track_file")
	l.lowerTrackFile(n)
}

func (l *lowerer) lowerTrackFile(n *Node) {
	name, ok := l.blockName(n)
	if !ok || !l.wantBlock(n) {
		return
	}
	f := &TrackFile{Name: name, Pos: n.Pos(), Weight: 1}
	l.cfg.TrackFiles = append(l.cfg.TrackFiles, f)
	l.walk(n.Children, l.table("track_file", trackFileTable), "track_file")
	if f.Path == "" {
		l.errorf(n.Pos(), ClassGeneral, "no file set for track_file %s - removing", name)
		l.cfg.TrackFiles = l.cfg.TrackFiles[:len(l.cfg.TrackFiles)-1]
	}
}

// trackProcessTable is the table of vrrp_track_process keywords.
func trackProcessTable() table {
	p := func(fn func(l *lowerer, p *TrackProcess, n *Node)) handler {
		return func(l *lowerer, n *Node) { fn(l, l.cfg.TrackProcesses[len(l.cfg.TrackProcesses)-1], n) }
	}
	delay := func(f func(p *TrackProcess) *time.Duration) handler {
		return p(func(l *lowerer, p *TrackProcess, n *Node) {
			l.noBlock(n)
			if v, ok := l.durationArg(n, 1, 0, maxSeconds*time.Second); ok {
				*f(p) = v
			}
		})
	}
	return table{
		"process": p(func(l *lowerer, p *TrackProcess, n *Node) {
			l.noBlock(n)
			if t, ok := l.arg(n, 1); ok {
				p.Process = t.Text
				p.Params = nil
				for _, a := range n.Words[2:] {
					p.Params = append(p.Params, a.Text)
				}
			}
		}),
		"param_match": p(func(l *lowerer, p *TrackProcess, n *Node) {
			l.noBlock(n)
			if len(n.Words) == 1 {
				// keepalived: no value is an exact match of the whole
				// command line.
				p.ParamMatch, p.FullCommand = "exact", true
				return
			}
			if t, ok := l.arg(n, 1); ok {
				if t.Text != "initial" && t.Text != "partial" {
					l.errorf(t.Pos, ClassGeneral, "unknown param_match '%s'", t.Text)
					return
				}
				p.ParamMatch = t.Text
			}
		}),
		"weight": p(func(l *lowerer, p *TrackProcess, n *Node) {
			l.noBlock(n)
			if v, ok := l.intArg(n, 1, -254, 254); ok {
				p.Weight = v
				p.Reverse = len(n.Words) > 2 && n.Words[2].Text == "reverse"
			}
		}),
		"quorum":          p(func(l *lowerer, p *TrackProcess, n *Node) { l.noBlock(n); l.setInt(n, &p.Quorum, 1, 1<<31-1) }),
		"quorum_max":      p(func(l *lowerer, p *TrackProcess, n *Node) { l.noBlock(n); l.setInt(n, &p.QuorumMax, 0, 1<<31-1) }),
		"delay":           delay(func(p *TrackProcess) *time.Duration { return &p.Delay }),
		"fork_delay":      delay(func(p *TrackProcess) *time.Duration { return &p.ForkDelay }),
		"terminate_delay": delay(func(p *TrackProcess) *time.Duration { return &p.TerminateDelay }),
		"full_command":    p(func(l *lowerer, p *TrackProcess, n *Node) { l.noBlock(n); p.FullCommand = true }),
	}
}

func (l *lowerer) setInt(n *Node, dst *int, lo, hi int) {
	if v, ok := l.intArg(n, 1, lo, hi); ok {
		*dst = v
	}
}

func (l *lowerer) lowerTrackProcess(n *Node) {
	name, ok := l.blockName(n)
	if !ok || !l.wantBlock(n) {
		return
	}
	p := &TrackProcess{Name: name, Pos: n.Pos(), Quorum: 1}
	l.cfg.TrackProcesses = append(l.cfg.TrackProcesses, p)
	l.walk(n.Children, l.table("vrrp_track_process", trackProcessTable), "vrrp_track_process")
	if p.Process == "" {
		l.errorf(n.Pos(), ClassGeneral, "vrrp_track_process %s has no process specified - removing", name)
		l.cfg.TrackProcesses = l.cfg.TrackProcesses[:len(l.cfg.TrackProcesses)-1]
	}
}

// syncGroupTable is the table of vrrp_sync_group keywords.
func syncGroupTable() table {
	g := func(fn func(l *lowerer, g *SyncGroup, n *Node)) handler {
		return func(l *lowerer, n *Node) { fn(l, l.cfg.SyncGroups[len(l.cfg.SyncGroups)-1], n) }
	}
	notify := func(f func(g *SyncGroup) **Command) handler {
		return g(func(l *lowerer, g *SyncGroup, n *Node) {
			if *f(g) != nil {
				l.errorf(n.Pos(), ClassGeneral, "(%s) %s script already specified - ignoring this one", g.Name, n.Keyword())
				return
			}
			*f(g) = l.command(n)
		})
	}
	return table{
		"group": g(func(l *lowerer, g *SyncGroup, n *Node) {
			if !l.wantBlock(n) {
				return
			}
			for _, c := range n.Children {
				for _, t := range c.Words {
					g.Members = append(g.Members, t.Text)
				}
			}
		}),
		"track_interface": g(func(l *lowerer, g *SyncGroup, n *Node) {
			g.TrackInterfaces = l.trackInterfaces(n, g.TrackInterfaces, nil)
		}),
		"track_script": g(func(l *lowerer, g *SyncGroup, n *Node) {
			g.TrackScripts = l.trackRefs(n, g.TrackScripts, trackScript, g.Name)
		}),
		"track_file": g(func(l *lowerer, g *SyncGroup, n *Node) {
			g.TrackFiles = l.trackRefs(n, g.TrackFiles, trackFile, g.Name)
		}),
		"track_process": g(func(l *lowerer, g *SyncGroup, n *Node) {
			g.TrackProcesses = l.trackRefs(n, g.TrackProcesses, trackProcess, g.Name)
		}),
		"track_bfd":     g(func(l *lowerer, g *SyncGroup, n *Node) { g.TrackBFDs = l.trackRefs(n, g.TrackBFDs, trackBFD, g.Name) }),
		"notify_master": notify(func(g *SyncGroup) **Command { return &g.NotifyMaster }),
		"notify_backup": notify(func(g *SyncGroup) **Command { return &g.NotifyBackup }),
		"notify_fault":  notify(func(g *SyncGroup) **Command { return &g.NotifyFault }),
		"notify_stop":   notify(func(g *SyncGroup) **Command { return &g.NotifyStop }),
		"notify":        notify(func(g *SyncGroup) **Command { return &g.Notify }),
		"smtp_alert": g(func(l *lowerer, g *SyncGroup, n *Node) {
			if v, ok := l.boolArg(n, 1); ok {
				g.SMTPAlert = v
				if l.groupSMTPSet == nil {
					l.groupSMTPSet = map[*SyncGroup]bool{}
				}
				l.groupSMTPSet[g] = true
			}
		}),
		"notify_priority_changes": g(func(l *lowerer, g *SyncGroup, n *Node) {
			if v, ok := l.boolArg(n, 1); ok {
				g.NotifyPriorityChanges = v
			}
		}),
		"sync_group_tracking_weight": g(func(l *lowerer, g *SyncGroup, n *Node) { l.noBlock(n); g.TrackingWeight = true }),
		"global_tracking": g(func(l *lowerer, g *SyncGroup, n *Node) {
			l.noBlock(n)
			l.errorf(n.Pos(), ClassDeprecated, "(%s) global_tracking is deprecated - use sync_group_tracking_weight", g.Name)
			g.TrackingWeight = true
		}),
	}
}

func (l *lowerer) lowerSyncGroup(n *Node) {
	name, ok := l.blockName(n)
	if !ok || !l.wantBlock(n) {
		return
	}
	l.cfg.SyncGroups = append(l.cfg.SyncGroups, &SyncGroup{Name: name, Pos: n.Pos()})
	l.walk(n.Children, l.table("vrrp_sync_group", syncGroupTable), "vrrp_sync_group")
}

// garpGroupTable is the table of garp_group keywords.
func garpGroupTable() table {
	g := func(fn func(l *lowerer, g *GarpGroup, n *Node)) handler {
		return func(l *lowerer, n *Node) { fn(l, l.cfg.GarpGroups[len(l.cfg.GarpGroups)-1], n) }
	}
	interval := func(f func(g *GarpGroup) *time.Duration) handler {
		return g(func(l *lowerer, g *GarpGroup, n *Node) {
			l.noBlock(n)
			if v, ok := l.durationArg(n, 1, 0, maxSeconds*time.Second); ok {
				*f(g) = v
			}
		})
	}
	return table{
		"garp_interval": interval(func(g *GarpGroup) *time.Duration { return &g.GarpInterval }),
		"gna_interval":  interval(func(g *GarpGroup) *time.Duration { return &g.GnaInterval }),
		"interface": g(func(l *lowerer, g *GarpGroup, n *Node) {
			l.noBlock(n)
			if t, ok := l.arg(n, 1); ok {
				g.Interfaces = append(g.Interfaces, t.Text)
			}
		}),
		"interfaces": g(func(l *lowerer, g *GarpGroup, n *Node) {
			if !l.wantBlock(n) {
				return
			}
			for _, c := range n.Children {
				for _, t := range c.Words {
					g.Interfaces = append(g.Interfaces, t.Text)
				}
			}
		}),
	}
}

func (l *lowerer) lowerGarpGroup(n *Node) {
	if !l.wantBlock(n) {
		return
	}
	l.cfg.GarpGroups = append(l.cfg.GarpGroups, &GarpGroup{Pos: n.Pos()})
	l.walk(n.Children, l.table("garp_group", garpGroupTable), "garp_group")
}
