package confparse

import "github.com/gokeepalived/gokeepalived/internal/config"

// The typed configuration is package config's; these are its names in the
// parser's vocabulary. Code outside the front end uses package config.
type (
	Config       = config.Config
	NotRunBlock  = config.NotRunBlock
	TopLevel     = config.TopLevel
	Command      = config.Command
	Global       = config.Global
	Setting      = config.Setting
	Fifo         = config.Fifo
	State        = config.State
	Family       = config.Family
	AuthType     = config.AuthType
	Instance     = config.Instance
	VMAC         = config.VMAC
	UnicastPeer  = config.UnicastPeer
	TrackRef     = config.TrackRef
	Script       = config.Script
	TrackFile    = config.TrackFile
	TrackProcess = config.TrackProcess
	SyncGroup    = config.SyncGroup
	GarpGroup    = config.GarpGroup
	Address      = config.Address
	Route        = config.Route
	Nexthop      = config.Nexthop
	Rule         = config.Rule
	Pos          = config.Pos
	Token        = config.Token
	Line         = config.Line
	Node         = config.Node
)

// The constants of package config.
const (
	StateInit               = config.StateInit
	StateBackup             = config.StateBackup
	StateMaster             = config.StateMaster
	StateFault              = config.StateFault
	StateDeleted            = config.StateDeleted
	StateStop               = config.StateStop
	FamilyUnset             = config.FamilyUnset
	IPv4                    = config.IPv4
	IPv6                    = config.IPv6
	AuthNone                = config.AuthNone
	AuthPass                = config.AuthPass
	AuthAH                  = config.AuthAH
	RouteProtocolKeepalived = config.RouteProtocolKeepalived
)
