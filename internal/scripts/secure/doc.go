// Package secure applies keepalived's script security checks (reference
// §5.3): the path of a script is resolved as the user that runs it, the
// file must be executable by that user, and a script that runs as root
// (or is set-uid/set-gid root) must not be changeable by anyone but root:
// every component of its path, from "/", is examined.
//
// The checks run over a small filesystem interface, FS: OSFS is the real
// one and MemFS an in-memory one for tests. The package has no other
// dependency, so that both the configuration front end (confparse, for
// `gokeepalived -t` and the daemon's start) and package scripts can use it.
package secure
