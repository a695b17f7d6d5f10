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
// [FileEffect], [ProcessEffect] and [UpDownEffect] are pure: given one line
// of an instance's (or sync group's) track block and the object's state
// (a file's value; a process quorum, interface or script up or down), they
// return whether the instance must be in FAULT and what to add to its
// priority (reference §4.1; src vrrp/vrrp_track.c). [Priority] sums the
// deltas onto the base priority and clamps the result to [1, 254]; an
// address owner (priority 255) keeps 255. They are the one place the
// daemon's instances take these rules from.
package track
