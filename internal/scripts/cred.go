package scripts

import (
	"fmt"
	"os"
	"os/user"
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// LookupCred resolves a configured user and optional group to ids, as
// keepalived does: the group defaults to the user's primary group.
func LookupCred(userName, groupName string) (Cred, error) {
	u, err := user.Lookup(userName)
	if err != nil {
		return Cred{}, fmt.Errorf("script user '%s' does not exist: %w", userName, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return Cred{}, fmt.Errorf("user %s: uid %q: %w", userName, u.Uid, err)
	}
	gidText := u.Gid
	if groupName != "" {
		g, err := user.LookupGroup(groupName)
		if err != nil {
			return Cred{}, fmt.Errorf("script group '%s' does not exist: %w", groupName, err)
		}
		gidText = g.Gid
	}
	gid, err := strconv.ParseUint(gidText, 10, 32)
	if err != nil {
		return Cred{}, fmt.Errorf("group of %s: gid %q: %w", userName, gidText, err)
	}
	return Cred{UID: uint32(uid), GID: uint32(gid)}, nil
}

// DefaultScriptUser is the account keepalived runs scripts as when neither
// the script nor global_defs script_user names a user, if it exists.
const DefaultScriptUser = "keepalived_script"

// ScriptCred returns the uid:gid keepalived runs a configured command as
// (reference §5.3): its own user (and group, else the user's primary
// group); else global_defs script_user (and group); else the
// keepalived_script account if it exists; else our own effective ids
// (root for the daemon). confparse has already disabled the commands
// that keepalived would not run for want of a user.
func ScriptCred(userName, groupName string, g *config.Global) (Cred, error) {
	switch {
	case userName != "":
		return LookupCred(userName, groupName)
	case g != nil && g.ScriptUser != "":
		return LookupCred(g.ScriptUser, g.ScriptGroup)
	}
	if _, err := user.Lookup(DefaultScriptUser); err == nil {
		return LookupCred(DefaultScriptUser, "")
	}
	return Cred{UID: uint32(os.Geteuid()), GID: uint32(os.Getegid())}, nil
}
