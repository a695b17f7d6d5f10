// Package logging formats gokeepalived's log records the way keepalived
// writes its own, so that existing alerts and greps keep working: on the
// console (-l) as "Sun Nov 22 04:10:54 2026: (VI_1) Entering MASTER STATE",
// and to syslog under keepalived's idents.
//
// Records at slog.LevelDebug are keepalived's detail lines (shown only with
// -D/--log-detail).
package logging
