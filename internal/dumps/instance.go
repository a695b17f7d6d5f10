package dumps

import (
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// State is a VRRP state numbered as keepalived numbers it in its dumps
// (src include/vrrp.h: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 97 DELETED,
// 98 STOP). The first four have vrrp.State's numbers; vrrp.StateStop (4)
// is StateStop (98) here.
type State = config.State

// The states, with keepalived's numbers.
const (
	StateInit    State = config.StateInit    // 0
	StateBackup  State = config.StateBackup  // 1
	StateMaster  State = config.StateMaster  // 2
	StateFault   State = config.StateFault   // 3
	StateDeleted State = config.StateDeleted // 97
	StateStop    State = config.StateStop    // 98
)

// Stats are one instance's counters, in the order keepalived prints them
// (reference §6).
type Stats struct {
	AdvertRcvd        uint64
	AdvertSent        uint64
	BecomeMaster      uint64
	ReleaseMaster     uint64
	PacketLenErr      uint64
	AdvertIntervalErr uint64 // never incremented by keepalived 2.2.7
	IPTTLErr          uint64
	InvalidTypeRcvd   uint64
	AddrListErr       uint64
	InvalidAuthType   uint64
	AuthTypeMismatch  uint64
	AuthFailure       uint64
	PriZeroRcvd       uint64
	PriZeroSent       uint64 // priority-0 adverts sent at shutdown only
}

// Instance is what a dump needs to know of one vrrp_instance: its lowered
// configuration and its running state. It is a plain value.
type Instance struct {
	// Config is the lowered instance; it must not be nil.
	Config *config.Instance
	// Scripts are the configuration's vrrp_scripts (config.Config's
	// Scripts); the instance's track_script names are looked up in them.
	Scripts []*config.Script

	State     State
	WantState State
	// IfName is the interface the instance runs on now: the VMAC's name
	// when it uses one, else Config.Interface. Empty omits ifp_ifname.
	IfName string
	// VMACName is the VMAC interface's name, "" when none is used.
	VMACName string
	// MasterPriority is the priority in the last advert heard from another
	// router as master, 0 if none: a master that never heard one shows 0,
	// not its own priority.
	MasterPriority int
	// EffectivePriority is the priority after tracking.
	EffectivePriority int
	// LastTransition is when the instance last changed state (at start-up:
	// when it entered its first state).
	LastTransition time.Time
	// VIPSet reports whether the VIPs are installed.
	VIPSet bool
	// VIPInstalled and EVIPInstalled, parallel to Config.VIPs and
	// Config.EVIPs, say which addresses are installed (keepalived's " set"
	// suffix). Nil means every address is installed exactly when VIPSet.
	VIPInstalled  []bool
	EVIPInstalled []bool
	// MasterAdverInt is the advert interval learnt from the master (VRRPv3);
	// zero means Config.AdvertInt.
	MasterAdverInt time.Duration
	Stats          Stats

	// The fields below appear only in the data dump; zero values are
	// printed as keepalived prints unset ones.

	// MasterAddr is the address of the master heard, printed in BACKUP.
	MasterAddr netip.Addr
	// SrcIP is the source address of the adverts.
	SrcIP netip.Addr
	// ReadTimeout is when the instance's timer fires; zero prints DISABLED.
	ReadTimeout time.Time
	// Faults counts the tracked interfaces and scripts that are down.
	Faults int
	// IfIndex is the index of Config.Interface, printed for IPv6
	// multicast; zero looks it up by name.
	IfIndex int
	// SyncGroup is the name of the instance's vrrp_sync_group, if any.
	SyncGroup string
}

// masterAdverInt returns the master's advert interval, defaulting to the
// configured one.
func (in *Instance) masterAdverInt() time.Duration {
	if in.MasterAdverInt > 0 {
		return in.MasterAdverInt
	}
	return in.Config.AdvertInt
}

// vipSet reports whether address i of a list is installed.
func vipSet(installed []bool, i int, all bool) bool {
	if installed == nil {
		return all
	}
	return i < len(installed) && installed[i]
}

// addrDev is the interface keepalived names for an address: with a VMAC,
// the addresses on the instance's interface live on the VMAC, printed as
// "VMAC@interface".
func (in *Instance) addrDev(a *config.Address) string {
	dev := a.Dev
	if dev == "" {
		dev = in.Config.Interface
	}
	if in.VMACName != "" && dev == in.Config.Interface {
		return in.VMACName + "@" + in.Config.Interface
	}
	return dev
}

// trackScripts resolves the instance's track_script lines to their scripts,
// in configuration order; names with no script are left out, as keepalived
// drops them.
func (in *Instance) trackScripts() []*config.Script {
	var out []*config.Script
	for _, ref := range in.Config.TrackScripts {
		for _, s := range in.Scripts {
			if s.Name == ref.Name {
				out = append(out, s)
				break
			}
		}
	}
	return out
}
