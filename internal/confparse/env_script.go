package confparse

import (
	"fmt"
	"os/user"
	"strconv"
	"syscall"

	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
)

// ScriptEnv is an optional extension of Environment: it answers the
// questions of keepalived's script checks (reference §5.3). With an
// Environment without it, every user exists as root, and a script is
// found, executable and secure when Executable says it can be executed.
type ScriptEnv interface {
	// LookupUser resolves a user, and a group ("" for the user's primary
	// group), to ids.
	LookupUser(user, group string) (uid, gid uint32, err error)
	// CheckScript applies keepalived's checks (secure.CheckScript) to the
	// program prog run as uid:gid.
	CheckScript(prog string, uid, gid uint32) (secure.Verdict, error)
}

func (e hostEnv) LookupUser(name, group string) (uint32, uint32, error) {
	a := remember(e.m().creds, [2]string{name, group}, func() credAnswer {
		uid, gid, err := lookupHostUser(name, group)
		return credAnswer{uid, gid, err}
	})
	return a.uid, a.gid, a.err
}

// lookupHostUser resolves a user, and a group ("" for the user's primary
// group), in the machine's account databases.
func lookupHostUser(name, group string) (uint32, uint32, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, err
	}
	gidText := u.Gid
	if group != "" {
		g, err := user.LookupGroup(group)
		if err != nil {
			return 0, 0, err
		}
		gidText = g.Gid
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("user %s: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.ParseUint(gidText, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("user %s: gid %q: %w", name, gidText, err)
	}
	return uint32(uid), uint32(gid), nil
}

func (e hostEnv) CheckScript(prog string, uid, gid uint32) (secure.Verdict, error) {
	a := remember(e.m().checks, scriptQuestion{prog, uid, gid}, func() scriptAnswer {
		v, err := secure.CheckScript(secure.OSFS{}, prog, uid, gid)
		return scriptAnswer{v, err}
	})
	return a.v, a.err
}

// scriptEnvOf returns env's ScriptEnv, or one built on Executable and
// UserExists alone.
func scriptEnvOf(env Environment) ScriptEnv {
	if se, ok := env.(ScriptEnv); ok {
		return se
	}
	return plainScriptEnv{env}
}

// plainScriptEnv is the ScriptEnv of an Environment without one.
type plainScriptEnv struct{ env Environment }

func (p plainScriptEnv) LookupUser(name, _ string) (uint32, uint32, error) {
	if !p.env.UserExists(name) {
		return 0, 0, fmt.Errorf("user %s: %w", name, user.UnknownUserError(name))
	}
	return 0, 0, nil
}

func (p plainScriptEnv) CheckScript(prog string, uid, gid uint32) (secure.Verdict, error) {
	if secure.IsShell(prog) {
		return secure.Verdict{Path: prog, Shell: true, Executable: true}, nil
	}
	if !p.env.Executable(prog) {
		return secure.Verdict{Path: prog}, fmt.Errorf("%w: %s: %w", secure.ErrNotFound, prog, syscall.ENOENT)
	}
	return secure.Verdict{Path: prog, Found: true, Executable: true, Protected: uid == 0 || gid == 0}, nil
}
