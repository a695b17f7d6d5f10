// Package logging writes gokeepalived's log records the way keepalived
// writes its own, so that existing alerts and greps keep working: on the
// console (-l) and in the log file (-g, named as keepalived names its VRRP
// process's file) as "Sun Nov 22 04:10:54 2026: (VI_1) Entering MASTER
// STATE", and to syslog under keepalived's ident. [New] builds the daemon's
// logger from its flags.
//
// Two additions: --log-format=json writes the console and the file as one
// JSON object per record, with the attributes the daemon attaches
// (instance, vrid, from, to, reason), which keepalived's text handlers
// leave out; and a console that is systemd-journald's stream gets
// sd-daemon(3) "<N>" priority prefixes instead of times.
//
// Records at slog.LevelDebug are keepalived's detail lines (shown only with
// -D/--log-detail).
package logging
