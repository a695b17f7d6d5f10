package confparse

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"syscall"

	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
)

// scFlags are the outcomes of checking one script: keepalived's SC_* flags
// (lib/notify.c) and one of gokeepalived's.
type scFlags uint8

const (
	scFound      scFlags = 1 << iota // found and examined (SC_ISSCRIPT): counts for SECURITY VIOLATION
	scExecutable                     // executable by its uid:gid
	scInsecure                       // a component of its path is not root's alone
	scInhibit                        // must not run (insecure under enable_script_security, wrong file type)
	scNotFound                       // cannot be found or examined
	scSystem                         // a "</..." file test, run through /bin/sh -c and not checked
	scNoExec                         // neither "#!" nor ELF: execve fails with ENOEXEC (gokeepalived's)
)

// Errors of scriptCred, reported by the callers with keepalived's words.
var (
	errScriptUser    = errors.New("invalid script user or group")
	errNoDefaultUser = errors.New("no default script user")
)

// defaultScriptUser is the account keepalived runs scripts as when neither
// the script nor script_user names a user, if the account exists.
const defaultScriptUser = "keepalived_script"

// checkScripts applies keepalived's script checks once the configuration is
// read (reference §5.3, vrrp.c check_vrrp_script_security and main.c's
// check of the start and shutdown scripts): each script is resolved and
// examined as the user it runs as; scripts that cannot or must not run are
// disabled; a tracked vrrp_script that cannot run is removed (with
// --keepalived-scripts, as keepalived does) or kept, disabled, to count
// as failed; and scripts run without enable_script_security are reported.
func (l *lowerer) checkScripts() {
	l.checkGlobalScriptUser()
	var vrrp scFlags
	var broken []*Script
	// A script whose user cannot be set is removed during the loop.
	for _, s := range slices.Clone(l.cfg.Scripts) {
		f, ok := l.checkTrackScript(s)
		vrrp |= f
		if !ok {
			broken = append(broken, s)
		}
	}
	for cmd, what := range vrrpNotifyCommands(l.cfg) {
		vrrp |= l.checkNotifyScript(cmd, what)
	}
	l.keepOrRemoveBroken(broken)
	l.securityViolation(vrrp, "scripts")
	var startStop scFlags
	for _, c := range []*Command{l.cfg.Global.StartupScript, l.cfg.Global.ShutdownScript} {
		if c.IsSet() {
			startStop |= l.checkNotifyScript(c, "startup/shutdown")
		}
	}
	l.securityViolation(startStop, "start/shutdown scripts")
}

// checkGlobalScriptUser reports a script_user that does not exist, as
// keepalived's global_defs parser does; scripts without their own user
// then cannot run.
func (l *lowerer) checkGlobalScriptUser() {
	g := &l.cfg.Global
	if g.ScriptUser == "" {
		return
	}
	if _, _, err := l.lookupUser(g.ScriptUser, g.ScriptGroup); err != nil {
		l.globalUserBad = true
		l.errorf(Pos{}, ClassGeneral, "Error setting global script uid/gid").Hint =
			fmt.Sprintf("script_user %s: %v", g.ScriptUser, err)
	}
}

// vrrpNotifyCommands yields the commands keepalived's VRRP process checks
// beside the vrrp_scripts, with what keepalived calls them: the instances'
// and sync groups' notifies and the notify FIFOs' scripts. It yields them
// rather than listing them: the list of a large configuration's notifies
// was the largest allocation of its check's last step.
func vrrpNotifyCommands(c *Config) iter.Seq2[*Command, string] {
	return func(yield func(*Command, string) bool) {
		each := func(what string, cs ...*Command) bool {
			for _, x := range cs {
				if x.IsSet() && !yield(x, what) {
					return false
				}
			}
			return true
		}
		for _, in := range c.Instances {
			if !each("notify", in.NotifyMaster, in.NotifyBackup, in.NotifyFault, in.NotifyStop, in.NotifyDeleted, in.Notify, in.NotifyMasterRxLowerPri) {
				return
			}
		}
		for _, g := range c.SyncGroups {
			if !each("notify", g.NotifyMaster, g.NotifyBackup, g.NotifyFault, g.NotifyStop, g.Notify) {
				return
			}
		}
		for _, f := range []*Fifo{c.Global.NotifyFifo, c.Global.VRRPNotifyFifo} {
			if f != nil && !each("notify_fifo", f.Script) {
				return
			}
		}
	}
}

// checkTrackScript checks a vrrp_script and reports whether it can run.
// A script whose user cannot be set is removed at once, as keepalived
// removes it while parsing; the others are kept for keepOrRemoveBroken.
func (l *lowerer) checkTrackScript(s *Script) (scFlags, bool) {
	uid, gid, err := l.scriptCred(s.User, s.Group, s.Command.Pos)
	if err != nil {
		if errors.Is(err, errScriptUser) {
			l.errorf(s.Pos, ClassGeneral, "Unable to set uid/gid for script '%s'", s.Command.Text).Hint = err.Error()
		} else {
			l.errorf(s.Pos, ClassGeneral, "Unable to set default user for vrrp script %s - removing", s.Name)
		}
		l.removeTrackScripts(map[string]bool{s.Name: true}, true)
		return 0, true
	}
	f := l.checkScript(s.Command, uid, gid)
	var why string
	switch {
	case f&scInhibit != 0:
		l.errorf(s.Command.Pos, ClassGeneral, "Disabling track script %s due to insecure", s.Name)
		why = "insecure"
	case f&scNotFound != 0:
		l.errorf(s.Command.Pos, ClassGeneral, "Disabling track script %s since not found/accessible", s.Name)
		why = "not found"
	case f&(scExecutable|scSystem) == 0:
		why = "not executable" // keepalived removes it without a message of its own
	}
	if why != "" {
		s.Command.Disabled = true
		l.brokenWhy(s, why)
		return f, false
	}
	if f&scNoExec != 0 {
		l.noExecTrackScript(s)
	}
	return f, true
}

// brokenWhy tells what happens to a tracked script that cannot run.
func (l *lowerer) brokenWhy(s *Script, why string) {
	if l.keepalivedScripts {
		return
	}
	l.note(s.Command.Pos, "vrrp_script %s cannot run (%s): gokeepalived counts it as failed, so its weight applies (weight 0: FAULT)", s.Name, why).Hint =
		"keepalived removes such a script and runs as if it was never tracked; --keepalived-scripts does the same"
}

// noExecTrackScript warns about a tracked program that execve(2) refuses
// with ENOEXEC (no "#!" line): keepalived counts every run as a success.
func (l *lowerer) noExecTrackScript(s *Script) {
	if l.keepalivedScripts {
		l.note(s.Command.Pos, "vrrp_script %s: %s has no \"#!\" line and is not a binary, so it never runs; every run counts as a success, as in keepalived", s.Name, s.Command.Args[0]).Hint =
			"add a #! line, e.g. #!/bin/sh"
		return
	}
	l.note(s.Command.Pos, "vrrp_script %s: %s has no \"#!\" line and is not a binary, so it never runs; every run counts as failed", s.Name, s.Command.Args[0]).Hint =
		"add a #! line, e.g. #!/bin/sh; keepalived counts such runs as successes, and so does --keepalived-scripts"
}

// keepOrRemoveBroken removes the vrrp_scripts that cannot run, and their
// uses, with --keepalived-scripts, as keepalived does; otherwise they stay,
// disabled, and the daemon counts them as failed.
func (l *lowerer) keepOrRemoveBroken(broken []*Script) {
	if !l.keepalivedScripts || len(broken) == 0 {
		return
	}
	names := map[string]bool{}
	for _, s := range broken {
		names[s.Name] = true
	}
	l.removeTrackScripts(names, false)
}

// removeTrackScripts removes the named vrrp_scripts and their uses by
// instances and sync groups; report reports each use as keepalived does
// when the script was removed before the use was read.
func (l *lowerer) removeTrackScripts(names map[string]bool, report bool) {
	kept := l.cfg.Scripts[:0]
	for _, s := range l.cfg.Scripts {
		if !names[s.Name] {
			kept = append(kept, s)
		}
	}
	clear(l.cfg.Scripts[len(kept):])
	l.cfg.Scripts = kept
	drop := func(owner string, refs []TrackRef) []TrackRef {
		out := refs[:0]
		for _, r := range refs {
			if !names[r.Name] {
				out = append(out, r)
			} else if report {
				l.errorf(r.Pos, ClassGeneral, "(%s) track script %s not found, ignoring...", owner, r.Name)
			}
		}
		return out
	}
	for _, in := range l.cfg.Instances {
		in.TrackScripts = drop(in.Name, in.TrackScripts)
	}
	for _, g := range l.cfg.SyncGroups {
		g.TrackScripts = drop(g.Name, g.TrackScripts)
	}
}

// checkNotifyScript checks a notify (or FIFO, startup, shutdown) command
// and disables it when keepalived would not run it.
func (l *lowerer) checkNotifyScript(c *Command, what string) scFlags {
	uid, gid, err := l.scriptCred(c.User, c.Group, c.Pos)
	if err != nil {
		if errors.Is(err, errScriptUser) {
			l.note(c.Pos, "Invalid user/group for %s script %s - ignoring", what, c.Args[0]).Hint = err.Error()
		} else {
			l.warnf(c.Pos, "Failed to set default user for %s script %s - ignoring", what, c.Args[0])
		}
		c.Disabled = true
		return 0
	}
	f := l.checkScript(c, uid, gid)
	switch {
	case f&scSystem != 0:
		// keepalived never runs a "</..." file test as a notify, silently.
		l.warnf(c.Pos, "%s script %s is a file test, which keepalived never runs for a %s - disabling", what, c.Args[0], what)
		c.Disabled = true
	case f&(scInhibit|scNotFound) != 0 || f&scExecutable == 0:
		c.Disabled = true
	case f&scNoExec != 0:
		l.note(c.Pos, "%s script %s has no \"#!\" line and is not a binary, so it never runs (as in keepalived)", what, c.Args[0]).Hint =
			"add a #! line, e.g. #!/bin/sh"
	}
	return f
}

// securityViolation reports scripts run without enable_script_security,
// as keepalived does (reference §5.3): `-t` exits 6.
func (l *lowerer) securityViolation(f scFlags, what string) {
	if l.cfg.Global.EnableScriptSecurity || f&scFound == 0 {
		return
	}
	insecure := ""
	if f&scInsecure != 0 {
		insecure = " There are insecure scripts."
	}
	l.errorf(Pos{}, ClassSecurity, "SECURITY VIOLATION - %s are being executed but script_security not enabled.%s", what, insecure).Hint =
		"set enable_script_security in global_defs"
}

// scriptCred returns the uid:gid a command runs as (reference §5.3): its
// own user (and group, else the user's primary group); else script_user;
// else the keepalived_script account if it exists; else root, which with
// enable_script_security is refused.
func (l *lowerer) scriptCred(user, group string, pos Pos) (uint32, uint32, error) {
	g := &l.cfg.Global
	switch {
	case user != "":
		return l.lookupUser(user, group)
	case g.ScriptUser != "":
		if l.globalUserBad {
			return 0, 0, errNoDefaultUser
		}
		return l.lookupUser(g.ScriptUser, g.ScriptGroup)
	case l.env.UserExists(defaultScriptUser):
		return l.lookupUser(defaultScriptUser, "")
	}
	if !l.noDefaultUserWarned {
		l.noDefaultUserWarned = true
		l.note(pos, "Script user '%s' does not exist", defaultScriptUser).Hint = "scripts without a user run as root"
	}
	if g.EnableScriptSecurity {
		if !l.noDefaultUserReported {
			l.noDefaultUserReported = true
			l.errorf(pos, ClassGeneral, "Unable to set default user keepalived_script for script").Hint =
				"set script_user in global_defs, or create the keepalived_script account"
		}
		return 0, 0, errNoDefaultUser
	}
	return 0, 0, nil
}

func (l *lowerer) lookupUser(user, group string) (uint32, uint32, error) {
	uid, gid, err := l.scripts.LookupUser(user, group)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %w", errScriptUser, err)
	}
	return uid, gid, nil
}

// checkScript resolves and examines one command's program as uid:gid, as
// keepalived's check_script_secure does, logging keepalived's lines as
// warnings, and replaces the program word with the path to execute.
func (l *lowerer) checkScript(c *Command, uid, gid uint32) scFlags {
	name := c.Args[0]
	if secure.IsShell(name) {
		return scSystem
	}
	bare := !strings.Contains(name, "/")
	if bare {
		p, err := l.env.LookPath(name)
		if err != nil {
			l.warnf(c.Pos, "Cannot find script %s in path - disabling", name)
			return scNotFound
		}
		name = p
	}
	v, err := l.scripts.CheckScript(name, uid, gid)
	if bare && (!v.Found || !v.Executable) {
		l.warnf(c.Pos, "Permissions failure for script %s in path - disabling", c.Args[0])
		return scNotFound
	}
	if bare {
		l.warnf(c.Pos, "WARNING - script `%s` resolved by path search to `%s`. Please specify full path.", c.Args[0], name)
	}
	if !v.Found {
		l.warnf(c.Pos, "Script %s cannot be accessed - %s", name, strerror(err))
		return scNotFound
	}
	c.Args[0] = v.Path
	if !v.Executable {
		l.warnf(c.Pos, "WARNING - script '%s' is not executable for uid:gid %d:%d - disabling.", v.Path, uid, gid)
		return scFound
	}
	f := scFound | scExecutable
	switch {
	case errors.Is(err, secure.ErrWrongType):
		l.warnf(c.Pos, "Wrong file type found in script path '%s'.", v.Path)
		return f | scInhibit
	case err != nil:
		l.warnf(c.Pos, "check_script_secure could not find script '%s' - disabling", v.Path)
		return f | scNotFound
	case v.Insecure:
		l.note(c.Pos, "%s", v.UnsafeMessage(l.cfg.Global.EnableScriptSecurity)).Hint =
			fmt.Sprintf("%s can be changed by a user other than root, and the script runs as %d:%d", v.Component, uid, gid)
		f |= scInsecure
		if l.cfg.Global.EnableScriptSecurity {
			f |= scInhibit
		}
	}
	if v.NoExecFormat {
		f |= scNoExec
	}
	return f
}

// strerror is the C library's text for the errno in err.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		if err == nil {
			return "unknown error"
		}
		return err.Error()
	}
	s := errno.Error()
	return strings.ToUpper(s[:1]) + s[1:]
}

// note records a warning (what keepalived only logs) and returns it, so
// that a hint can be added.
func (l *lowerer) note(pos Pos, format string, args ...any) *Diagnostic {
	return l.errorf(pos, ClassNote, format, args...)
}
