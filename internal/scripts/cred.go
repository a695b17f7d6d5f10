package scripts

import (
	"fmt"
	"os/user"
	"strconv"
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
