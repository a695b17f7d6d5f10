package config

import (
	"net/netip"
	"time"
)

// Config is a lowered keepalived configuration: the VRRP side, with
// keepalived's defaults applied. Slices keep configuration order.
type Config struct {
	Global          Global
	Instances       []*Instance
	Scripts         []*Script
	SyncGroups      []*SyncGroup
	TrackFiles      []*TrackFile
	TrackProcesses  []*TrackProcess
	GarpGroups      []*GarpGroup
	StaticAddresses []*Address
	StaticRoutes    []*Route
	StaticRules     []*Rule
	// TopLevel holds the top-level keywords outside any block (net_namespace,
	// instance, use_pid_dir, child_wait_time, ...).
	TopLevel TopLevel
	// NotRun lists the blocks of other keepalived subsystems (LVS, checkers,
	// BFD) that were read but are not run, with their positions.
	NotRun []NotRunBlock
}

// NotRunBlock is a block of a keepalived subsystem that gokeepalived parses
// but does not run (virtual_server, bfd_instance, ...).
type NotRunBlock struct {
	Keyword string
	Name    string
	Pos     Pos
	// Node is the statement as read, kept so that the dump reproduces it.
	Node *Node
}

// TopLevel holds keywords allowed only outside any block.
type TopLevel struct {
	NetNamespace        string
	NetNamespaceIPVS    string
	NamespaceWithIPSets bool
	Instance            string
	UsePIDDir           bool
	ChildWaitTime       time.Duration
	LinkbeatUsePolling  bool
}

// Command is a script command line: the words as configured (tokenised with
// keepalived's quote-and-escape tokeniser) and an optional user and group
// to run it as.
type Command struct {
	Args  []string
	User  string
	Group string
	// Text is the command string as written (keepalived's cmd_str).
	Text string
	Pos  Pos
	// Disabled is set when the program cannot be found or run; keepalived
	// then never runs the command.
	Disabled bool
}

// IsSet reports whether a command was configured.
func (c *Command) IsSet() bool { return c != nil && len(c.Args) > 0 }

// Global holds global_defs values that matter to the VRRP side.
type Global struct {
	RouterID                string
	Strict                  bool
	SkipCheckAdvAddr        bool
	GarpInterval            time.Duration
	GnaInterval             time.Duration
	Version                 int
	GarpMasterDelay         time.Duration
	GarpMasterRepeat        int
	GarpMasterRefresh       time.Duration
	GarpMasterRefreshRepeat int
	GarpLowerPrioDelay      time.Duration // -1 means "same as GarpMasterDelay"
	GarpLowerPrioRepeat     int           // -1 means "same as GarpMasterRepeat"
	MinGarp                 bool
	GarpExtraIf             time.Duration
	GarpExtraIfAll          bool
	DownTimerAdverts        int
	LowerPrioNoAdvert       bool
	HigherPrioSendAdvert    bool
	McastGroup4             netip.Addr
	McastGroup6             netip.Addr
	CheckUnicastSrc         bool
	EnableScriptSecurity    bool
	ScriptUser              string
	ScriptGroup             string
	NotifyFifo              *Fifo
	VRRPNotifyFifo          *Fifo
	NotifyPriorityChanges   bool
	FifoWriteStatesOnReload bool
	NotificationEmail       []string
	NotificationEmailFrom   string
	SMTPServer              string
	// SMTPAddr is smtp_server's address and port (25 unless given), a
	// name resolved when the configuration was read; invalid when unset.
	SMTPAddr                 netip.AddrPort
	SMTPHeloName             string
	SMTPConnectTimeout       time.Duration
	SMTPAlert                *bool
	SMTPAlertVRRP            *bool
	NoEmailFaults            bool
	DefaultInterface         string
	DynamicInterfaces        bool
	DynamicInterfacesChanges bool
	MaxAutoPriority          int
	MinAutoPriorityDelay     time.Duration
	VRRPPriority             int
	VRRPNoSwap               bool
	VRRPRTPriority           int
	VRRPCPUAffinity          []int
	VRRPRlimitRTTime         int
	VRRPStartupDelay         time.Duration
	LogUnknownVRIDs          bool
	VMACPrefix               string
	VMACAddrPrefix           string
	StartupScript            *Command
	StartupScriptTimeout     time.Duration
	ShutdownScript           *Command
	ShutdownScriptTimeout    time.Duration
	RandomSeed               int64
	Umask                    int
	ReloadCheckConfig        string
	ReloadCheckConfigSet     bool
	DataUseInstance          bool
	IncludeCheck             []string
	// Other records accepted global_defs keywords that gokeepalived reads
	// but that have no effect on the VRRP side (SNMP, DBus, LVS, tuning,
	// firewall), with their arguments, in order.
	Other []Setting
}

// Setting is a keyword and its raw arguments, kept for keywords that are
// accepted but not interpreted.
type Setting struct {
	Keyword string
	Args    []string
	Pos     Pos
}

// Fifo is a notify FIFO: its path, the user and group that own it, and an
// optional script that reads it.
type Fifo struct {
	Path   string
	User   string
	Group  string
	Script *Command
	Pos    Pos
}

// State is a VRRP state as configured or reported.
type State int

// The states, numbered as keepalived numbers them in its JSON dump.
const (
	StateInit    State = 0
	StateBackup  State = 1
	StateMaster  State = 2
	StateFault   State = 3
	StateDeleted State = 97
	StateStop    State = 98
)

// String returns the state in keepalived's upper-case spelling.
func (s State) String() string {
	switch s {
	case StateInit:
		return "INIT"
	case StateBackup:
		return "BACKUP"
	case StateMaster:
		return "MASTER"
	case StateFault:
		return "FAULT"
	case StateDeleted:
		return "DELETED"
	case StateStop:
		return "STOP"
	}
	return "UNKNOWN"
}

// Family is an address family.
type Family int

// The address families.
const (
	FamilyUnset Family = iota
	IPv4
	IPv6
)

// String returns "inet" or "inet6".
func (f Family) String() string {
	switch f {
	case IPv4:
		return "inet"
	case IPv6:
		return "inet6"
	}
	return "unset"
}

// AuthType is a VRRPv2 authentication type.
type AuthType int

// The authentication types, numbered as on the wire.
const (
	AuthNone AuthType = 0
	AuthPass AuthType = 1
	AuthAH   AuthType = 2
)

// Instance is one vrrp_instance, with keepalived's defaults applied.
type Instance struct {
	Name string
	Pos  Pos

	State                  State // initial wish: StateMaster or StateBackup
	StateSet               bool
	Interface              string
	VRID                   int
	Priority               int
	AdvertInt              time.Duration
	Version                int
	Family                 Family
	NativeIPv6             bool
	Nopreempt              bool
	DontTrackPrimary       bool
	PreemptDelay           time.Duration
	Debug                  int
	Strict                 bool
	SkipCheckAdvAddr       bool
	Accept                 bool
	DownTimerAdverts       int
	LowerPrioNoAdvert      bool
	HigherPrioSendAdvert   bool
	PromoteSecondaries     bool
	SMTPAlert              bool
	NotifyPriorityChanges  bool
	LinkbeatUsePolling     bool
	KernelRxBufSize        int
	LVSSyncDaemonInterface string

	// Transport.
	UnicastSrcIP            netip.Addr
	McastSrcIP              netip.Addr
	UnicastPeers            []UnicastPeer
	McastDstIP              netip.Addr
	UnicastTTL              int // -1: default
	CheckUnicastSrc         bool
	UnicastFaultNoPeer      bool
	OldUnicastChecksum      bool
	OldUnicastChecksumNever bool
	TrackSrcIP              bool
	VRF                     string
	// VMAC holds the virtual MAC settings; nil when none is given.
	VMAC *VMAC

	// Gratuitous ARP tuning (copied from global_defs).
	GarpMasterDelay         time.Duration
	GarpMasterRepeat        int
	GarpMasterRefresh       time.Duration
	GarpMasterRefreshRepeat int
	GarpLowerPrioDelay      time.Duration
	GarpLowerPrioRepeat     int
	GarpExtraIf             time.Duration
	GarpExtraIfAll          bool

	AuthType AuthType
	AuthPass string // at most 8 bytes

	VIPs   []*Address
	EVIPs  []*Address
	Routes []*Route
	Rules  []*Rule

	TrackInterfaces []TrackRef
	TrackScripts    []TrackRef
	TrackFiles      []TrackRef
	TrackProcesses  []TrackRef
	TrackBFDs       []TrackRef

	NotifyMaster           *Command
	NotifyBackup           *Command
	NotifyFault            *Command
	NotifyStop             *Command
	NotifyDeleted          *Command
	NotifyDeletedSet       bool
	Notify                 *Command
	NotifyMasterRxLowerPri *Command
}

// VMAC holds an instance's virtual MAC settings: use_vmac, use_vmac_addr,
// vmac_xmit_base and use_ipvlan.
type VMAC struct {
	UseVMAC     bool
	Name        string // use_vmac interface name; "" for keepalived's default
	Addr        string // use_vmac MAC address; "" for the VRRP MAC
	UseVMACAddr bool
	XmitBase    bool
	UseIPVLAN   bool
	IPVLANName  string
	IPVLANAddr  string
	IPVLANMode  string
}

// UnicastPeer is one unicast_peer entry.
type UnicastPeer struct {
	Addr   netip.Addr
	MinTTL int
	MaxTTL int
	Pos    Pos
}

// TrackRef is one line of a track_* block: the tracked object's name and the
// weight that applies (the object's own unless overridden).
type TrackRef struct {
	Name      string
	Weight    int
	WeightSet bool // the line gave a weight
	Reverse   bool
	Pos       Pos
}

// Script is a vrrp_script.
type Script struct {
	Name     string
	Pos      Pos
	Command  *Command
	Interval time.Duration
	Timeout  time.Duration
	Weight   int
	Reverse  bool
	Rise     int
	Fall     int
	User     string
	Group    string
	InitFail bool
}

// TrackFile is a track_file (or vrrp_track_file) block.
type TrackFile struct {
	Name          string
	Pos           Pos
	Path          string
	Weight        int
	Reverse       bool
	InitFile      bool
	InitValue     int
	InitOverwrite bool
}

// TrackProcess is a vrrp_track_process block.
type TrackProcess struct {
	Name           string
	Pos            Pos
	Process        string
	Params         []string
	ParamMatch     string // "", "initial", "partial" or "exact" (param_match with no value)
	Weight         int
	Reverse        bool
	Quorum         int
	QuorumMax      int
	Delay          time.Duration
	ForkDelay      time.Duration
	TerminateDelay time.Duration
	FullCommand    bool
}

// SyncGroup is a vrrp_sync_group.
type SyncGroup struct {
	Name    string
	Pos     Pos
	Members []string

	TrackInterfaces []TrackRef
	TrackScripts    []TrackRef
	TrackFiles      []TrackRef
	TrackProcesses  []TrackRef
	TrackBFDs       []TrackRef

	NotifyMaster *Command
	NotifyBackup *Command
	NotifyFault  *Command
	NotifyStop   *Command
	Notify       *Command

	SMTPAlert             bool
	NotifyPriorityChanges bool
	TrackingWeight        bool // sync_group_tracking_weight (or global_tracking)
}

// GarpGroup is a garp_group block.
type GarpGroup struct {
	Pos          Pos
	GarpInterval time.Duration
	GnaInterval  time.Duration
	Interfaces   []string
}
