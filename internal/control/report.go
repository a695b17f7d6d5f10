// Package control is gokeepalived's control socket: the requests and
// answers of `gokeepalived status`, `explain`, `demote`, `undemote` and
// `reload`, the server the daemon runs on a Unix socket (peers checked with
// SO_PEERCRED), the client those commands use, and how their answers are
// shown. It knows nothing of the daemon: the daemon answers through
// Backend.
package control

import "time"

// Report is what the daemon knows of one instance at a moment, for
// `gokeepalived status` and `explain`. It is a plain value.
type Report struct {
	Name      string    `json:"name"`
	Interface string    `json:"interface"`
	VRID      int       `json:"vrid"`
	Family    string    `json:"family"` // "inet" or "inet6"
	State     string    `json:"state"`
	Since     time.Time `json:"since"`
	// BasePriority is the configured priority (254 after an address-owner
	// conflict); EffectivePriority the one advertised.
	BasePriority      int  `json:"base_priority"`
	EffectivePriority int  `json:"effective_priority"`
	Owner             bool `json:"address_owner"`
	// Master is the master's address as last heard (our own while
	// MASTER), "" if none; MasterPriority its priority and MasterHeard
	// when its last advert arrived (zero while we are master).
	Master         string    `json:"master,omitempty"`
	MasterPriority int       `json:"master_priority,omitempty"`
	MasterHeard    time.Time `json:"master_heard,omitzero"`
	// Preempt is false with nopreempt; PreemptDelay is preempt_delay and
	// PreemptLeft what is left of a running one.
	Preempt      bool          `json:"preempt"`
	PreemptDelay time.Duration `json:"preempt_delay,omitempty"`
	PreemptLeft  time.Duration `json:"preempt_left,omitempty"`
	VIPs         []string      `json:"vips"`
	VIPsHeld     bool          `json:"vips_held"`
	Tracks       []TrackReport `json:"tracks,omitempty"`
	Fault        bool          `json:"fault"`
	FaultReason  string        `json:"fault_reason,omitempty"`
	// SyncGroup is the instance's vrrp_sync_group, with its members'
	// states by name.
	SyncGroup   string            `json:"sync_group,omitempty"`
	SyncMembers map[string]string `json:"sync_members,omitempty"`
	// Demoted is a running demotion; DemotedUntil its end, zero until
	// undemote.
	Demoted      bool      `json:"demoted"`
	DemotedUntil time.Time `json:"demoted_until,omitzero"`
	// AdvertInt is the instance's advert interval.
	AdvertInt time.Duration `json:"advert_int"`
}

// TrackReport is one tracked object of an instance and what it does to it.
type TrackReport struct {
	Kind string `json:"kind"` // "interface", "script", "file" or "process"
	Name string `json:"name"`
	// Known is false until the object's first result.
	Known bool `json:"known"`
	// OK: the interface is up, the script succeeds, the process quorum is
	// reached; for a file, its value is Value.
	OK    bool `json:"ok"`
	Value int  `json:"value,omitempty"`
	// Weight is the configured weight (0: FAULT when failing); Delta what
	// it adds to the priority now; Faults that it puts the instance in
	// FAULT now.
	Weight  int  `json:"weight"`
	Reverse bool `json:"reverse,omitempty"`
	Delta   int  `json:"delta"`
	Faults  bool `json:"faults"`
}

// Failing reports whether the object holds the instance back: it puts it
// in FAULT or lowers its priority.
func (t TrackReport) Failing() bool { return t.Faults || t.Delta < 0 }
