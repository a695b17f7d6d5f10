// Package sdnotify tells systemd about the daemon's state, as sd_notify(3)
// does, without cgo or libsystemd.
//
// systemd passes a unit of Type=notify the address of its notification
// socket in $NOTIFY_SOCKET: a file system path, or an abstract socket name
// written with a leading '@'. [Notify] sends one datagram of newline
// separated VAR=VALUE assignments there, and does nothing when the variable
// is unset, so a daemon started by hand or by another service manager calls
// the same functions and nothing happens.
//
// gokeepalived's daemon calls [Ready] once every vrrp_instance has started,
// [Reloading] when it begins a reload and [Ready] again when the reload is
// done, and [Stopping] when it begins to shut down; [Status] shows a line in
// "systemctl status". See packaging/gokeepalived.service for the unit.
//
// The functions open a new socket for each call and keep no state, so they
// are safe for concurrent use.
package sdnotify
