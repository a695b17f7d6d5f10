// Package track watches the objects keepalived's track_file and
// vrrp_track_process blocks name, and says what each one does to a VRRP
// instance that tracks it.
//
// [FileTracker] watches each track_file's file with inotify and reports its
// integer value, read the way keepalived 2.2.7 reads it (reference §4.2;
// src keepalived/trackers/track_file.c). [ProcessTracker] counts the
// processes matching each vrrp_track_process and reports whether the count
// is within the quorum, after keepalived's fork and terminate delays
// (reference §4.3; src keepalived/track_process/track_process.c). Both send
// one update per tracked object when they start, then one per change.
//
// [FileEffect] and [ProcessEffect] are pure: given one line of an
// instance's (or sync group's) track_file or track_process block and the
// object's state, they return whether the instance must be in FAULT and
// what to add to its priority (reference §4.1; src vrrp/vrrp_track.c). The
// instance sums the deltas onto its base priority and clamps the result to
// [1, 254], as for track_script; an address owner (priority 255) keeps 255.
package track
