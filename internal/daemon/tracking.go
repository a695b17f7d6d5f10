package daemon

import (
	"fmt"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// tracking is the last known state of what an instance tracks: its own
// and tracked interfaces, vrrp_scripts, track_files and
// vrrp_track_processes, and the fault its sync group ordered. From them it
// decides the instance's fault and priority change, by package track's
// rules; it knows nothing of the machine or the socket.
type tracking struct {
	linkUp   map[string]bool // absent: never reported, so up
	scriptOK map[string]bool // absent until the script's first result
	fileVal  map[string]int  // track_file values
	procUp   map[string]bool // vrrp_track_process quorums reached

	// ownFault is the tracking fault last reported to the sync group,
	// groupFault the group's fault as last ordered.
	ownFault   bool
	groupFault bool

	// waitScripts are the tracked objects whose first result the start
	// waits for (keepalived's silent FAULT until then), at most waitMax.
	waitScripts map[string]bool
	waitMax     time.Duration

	// scriptSeen is a copy of scriptOK for dumps, which read it from
	// their own goroutine, under scriptMu.
	scriptMu   sync.Mutex
	scriptSeen map[string]bool
}

// setLink records an interface's state and reports whether it changed.
func (t *tracking) setLink(ifname string, up bool) bool {
	if t.linkUp == nil {
		t.linkUp = map[string]bool{}
	}
	if was, ok := t.linkUp[ifname]; ok && was == up {
		return false
	}
	t.linkUp[ifname] = up
	return true
}

// up reports a link's last known state; links never reported are up.
func (t *tracking) up(ifname string) bool {
	up, ok := t.linkUp[ifname]
	return !ok || up
}

// setScript records a vrrp_script's state and reports whether it changed
// (a first result always does).
func (t *tracking) setScript(name string, ok bool) bool {
	if t.scriptOK == nil {
		t.scriptOK = map[string]bool{}
	}
	if was, known := t.scriptOK[name]; known && was == ok {
		return false
	}
	t.scriptOK[name] = ok
	return true
}

// setTracked records a track_file value or a vrrp_track_process state (a
// removed file stops counting) and returns the name its start waits on.
func (t *tracking) setTracked(u trackUpdate) string {
	if t.fileVal == nil {
		t.fileVal, t.procUp = map[string]int{}, map[string]bool{}
	}
	switch {
	case u.file && u.removed:
		delete(t.fileVal, u.name)
		return "file " + u.name
	case u.file:
		t.fileVal[u.name] = u.value
		return "file " + u.name
	}
	t.procUp[u.name] = u.up
	return "process " + u.name
}

// arrived notes the first result of a tracked object the start waits on
// and reports whether it was the last one awaited.
func (t *tracking) arrived(name string) bool {
	if len(t.waitScripts) == 0 {
		return false
	}
	delete(t.waitScripts, name)
	return len(t.waitScripts) == 0
}

// fault reports whether the instance's own interface or its VMAC named
// vmac (unless dont_track_primary) is down, or a tracked interface,
// script, file or process puts it in FAULT (track.UpDownEffect,
// track.FileEffect, track.ProcessEffect), with keepalived's reason.
func (t *tracking) fault(cfg *config.Instance, vmac string) (bool, string) {
	if !cfg.DontTrackPrimary && !t.up(cfg.Interface) {
		return true, "interface " + cfg.Interface + " down"
	}
	if vmac != "" && !cfg.DontTrackPrimary && !t.up(vmac) {
		// keepalived does not bring a VMAC set down by hand back up.
		return true, "interface " + vmac + " down"
	}
	for _, r := range cfg.TrackInterfaces {
		if fault, _ := track.UpDownEffect(r, t.up(r.Name)); fault {
			return true, "tracked interface " + r.Name + " " + map[bool]string{true: "up", false: "down"}[r.Reverse]
		}
	}
	for _, r := range cfg.TrackScripts {
		if ok, known := t.scriptOK[r.Name]; known {
			if fault, _ := track.UpDownEffect(r, ok); fault {
				return true, "script " + r.Name
			}
		}
	}
	for _, r := range cfg.TrackFiles {
		if v, ok := t.fileVal[r.Name]; ok {
			if fault, _ := track.FileEffect(r, v); fault {
				return true, fmt.Sprintf("tracked file %s has status %d", r.Name, track.FileStatus(r, v))
			}
		}
	}
	for _, r := range cfg.TrackProcesses {
		if up, ok := t.procUp[r.Name]; ok {
			if fault, _ := track.ProcessEffect(r, up); fault {
				return true, "tracked process " + r.Name + " quorum not achieved"
			}
		}
	}
	return false, ""
}

// delta is the weighted tracked interfaces', scripts', files' and
// processes' change to the base priority (for track.Priority).
func (t *tracking) delta(cfg *config.Instance) int {
	d := 0
	for _, r := range cfg.TrackInterfaces {
		_, delta := track.UpDownEffect(r, t.up(r.Name))
		d += delta
	}
	for _, r := range cfg.TrackScripts {
		if ok, known := t.scriptOK[r.Name]; known {
			_, delta := track.UpDownEffect(r, ok)
			d += delta
		}
	}
	for _, r := range cfg.TrackFiles {
		if v, ok := t.fileVal[r.Name]; ok {
			_, delta := track.FileEffect(r, v)
			d += delta
		}
	}
	for _, r := range cfg.TrackProcesses {
		if up, ok := t.procUp[r.Name]; ok {
			_, delta := track.ProcessEffect(r, up)
			d += delta
		}
	}
	return d
}
