package dumps

import (
	"os"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// global writes the "Global definitions" section: keepalived's VRRP
// process (parent false) or its parent process (parent true), which leaves
// out the default interface and prints an unset lower-priority GARP delay
// and repeat as 4294967295.
func (d *dataWriter) global(cfg *config.Config, parent bool) {
	g := &cfg.Global
	d.line("------< Global definitions >------")
	d.f(" Network namespace = %s", orText(cfg.TopLevel.NetNamespace, "(default)"))
	d.f(" Network namespace ipvs = %s", orText(cfg.TopLevel.NetNamespaceIPVS, "(main namespace)"))
	d.f(" Router ID = %s", orText(g.RouterID, hostname()))
	d.smtp(g)
	d.f(" Default smtp_alert = %s", tristate(g.SMTPAlert))
	d.f(" Default smtp_alert_vrrp = %s", tristate(g.SMTPAlertVRRP))
	if g.ReloadCheckConfigSet {
		d.line(" Test config before reload")
	} else {
		d.line(" No test config before reload")
	}
	d.f(" Dynamic interfaces = %t", g.DynamicInterfaces)
	if !parent {
		d.f(" Default interface = %s", g.DefaultInterface)
	}
	d.f(" FIFO write vrrp states on reload = %t", g.FifoWriteStatesOnReload)
	d.f(" VRRP notify priority changes = %t", g.NotifyPriorityChanges)
	d.f(" VRRP IPv4 mcast group = %s", g.McastGroup4)
	d.f(" VRRP IPv6 mcast group = %s", g.McastGroup6)
	d.globalGarp(g, parent)
	d.f(" VRRP default protocol version = %d", g.Version)
	d.f(" VRRP check unicast_src = %t", g.CheckUnicastSrc)
	d.f(" VRRP skip check advert addresses = %t", g.SkipCheckAdvAddr)
	d.f(" VRRP strict mode = %t", g.Strict)
	d.f(" Max auto priority = %d", g.MaxAutoPriority)
	d.f(" Min auto priority delay = %d usecs", g.MinAutoPriorityDelay/time.Microsecond)
	d.f(" VRRP process priority = %d", g.VRRPPriority)
	d.f(" VRRP don't swap = %t", g.VRRPNoSwap)
	d.f(" VRRP realtime priority = %d", g.VRRPRTPriority)
	d.f(" VRRP realtime limit = %d", g.VRRPRlimitRTTime)
	d.f(" Script security %s", enabled(g.EnableScriptSecurity))
	d.f(" Default script uid:gid %s", scriptIDs(cfg, "", ""))
	umask := g.Umask
	if umask == 0 {
		umask = 0o177
	}
	d.f(" umask = %04o", umask)
}

func (d *dataWriter) smtp(g *config.Global) {
	if g.SMTPServer == "" {
		return
	}
	if a := g.SMTPAddr; a.IsValid() {
		d.f(" Smtp server = %s", a.Addr())
		d.f(" Smtp server port = %d", a.Port())
	}
	d.f(" Smtp HELO name = %s", orText(g.SMTPHeloName, hostname()))
	d.f(" Smtp server connection timeout = %d", wholeSeconds(g.SMTPConnectTimeout))
	if g.NotificationEmailFrom != "" {
		d.f(" Email notification from = %s", g.NotificationEmailFrom)
	}
	if len(g.NotificationEmail) > 0 {
		d.line(" Email notification to:")
		for _, e := range g.NotificationEmail {
			d.line("   " + e)
		}
	}
}

func (d *dataWriter) globalGarp(g *config.Global, parent bool) {
	lowDelay, lowRep := int64(wholeSeconds(g.GarpLowerPrioDelay)), int64(g.GarpLowerPrioRepeat)
	if g.GarpLowerPrioDelay < 0 {
		lowDelay = int64(wholeSeconds(g.GarpMasterDelay))
		if parent {
			lowDelay = 1<<32 - 1
		}
	}
	if g.GarpLowerPrioRepeat < 0 {
		lowRep = int64(g.GarpMasterRepeat)
		if parent {
			lowRep = 1<<32 - 1
		}
	}
	d.f(" Gratuitous ARP delay = %d", wholeSeconds(g.GarpMasterDelay))
	d.f(" Gratuitous ARP repeat = %d", g.GarpMasterRepeat)
	d.f(" Gratuitous ARP refresh timer = %d", wholeSeconds(g.GarpMasterRefresh))
	d.f(" Gratuitous ARP refresh repeat = %d", g.GarpMasterRefreshRepeat)
	d.f(" Gratuitous ARP lower priority delay = %d", lowDelay)
	d.f(" Gratuitous ARP lower priority repeat = %d", lowRep)
	d.f(" Num adverts before down = %d", g.DownTimerAdverts)
	d.f(" Gratuitous ARP for each secondary VMAC = %ds", wholeSeconds(g.GarpExtraIf))
	d.f(" Send advert after receive lower priority advert = %t", !g.LowerPrioNoAdvert)
	d.f(" Send advert after receive higher priority advert = %t", g.HigherPrioSendAdvert)
	d.f(" Gratuitous ARP interval = %.6f", g.GarpInterval.Seconds())
	d.f(" Gratuitous NA interval = %.6f", g.GnaInterval.Seconds())
}

// tristate prints an optional boolean as keepalived: unset, on or off.
func tristate(b *bool) string {
	switch {
	case b == nil:
		return "unset"
	case *b:
		return "on"
	}
	return "off"
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "(unknown)"
	}
	return h
}
