package confparse

import (
	"strconv"
	"time"
)

func (d *dumper) instance(in *Instance) {
	d.open(0, "vrrp_instance "+quoteWord(in.Name))
	d.kv(1, "state", in.State.String())
	if in.Interface != "" {
		d.kv(1, "interface", in.Interface)
	}
	if in.VRID != 0 {
		d.kv(1, "virtual_router_id", itoa(in.VRID))
	}
	d.kv(1, "priority", itoa(in.Priority))
	d.kv(1, "advert_int", secs(in.AdvertInt))
	d.kv(1, "version", itoa(in.Version))
	d.flag(1, "native_ipv6", in.NativeIPv6)
	d.flag(1, "nopreempt", in.Nopreempt)
	if in.PreemptDelay > 0 {
		d.kv(1, "preempt_delay", secs(in.PreemptDelay))
	}
	d.flag(1, "dont_track_primary", in.DontTrackPrimary)
	if in.Debug > 0 {
		d.kv(1, "debug", itoa(in.Debug))
	}
	d.kv(1, "strict_mode", onOff(in.Strict))
	d.flag(1, "skip_check_adv_addr", in.SkipCheckAdvAddr)
	d.line(1, map[bool]string{true: "accept", false: "no_accept"}[in.Accept])
	d.kv(1, "down_timer_adverts", itoa(in.DownTimerAdverts))
	d.kv(1, "lower_prio_no_advert", onOff(in.LowerPrioNoAdvert))
	d.kv(1, "higher_prio_send_advert", onOff(in.HigherPrioSendAdvert))
	d.flag(1, "promote_secondaries", in.PromoteSecondaries)
	d.kv(1, "smtp_alert", onOff(in.SMTPAlert))
	d.kv(1, "notify_priority_changes", onOff(in.NotifyPriorityChanges))
	if in.KernelRxBufSize > 0 {
		d.kv(1, "kernel_rx_buf_size", itoa(in.KernelRxBufSize))
	}
	d.instanceTransport(in)
	d.instanceGarp(in)
	if in.AuthType != AuthNone {
		d.open(1, "authentication")
		d.kv(2, "auth_type", map[AuthType]string{AuthPass: "PASS", AuthAH: "AH"}[in.AuthType])
		d.kv(2, "auth_pass", in.AuthPass)
		d.close(1)
	}
	lineBlock(d, 1, "virtual_ipaddress", in.VIPs)
	lineBlock(d, 1, "virtual_ipaddress_excluded", in.EVIPs)
	lineBlock(d, 1, "virtual_routes", in.Routes)
	lineBlock(d, 1, "virtual_rules", in.Rules)
	d.tracks(in.TrackInterfaces, in.TrackScripts, in.TrackFiles, in.TrackProcesses, in.TrackBFDs)
	d.command(1, "notify_master", in.NotifyMaster)
	d.command(1, "notify_backup", in.NotifyBackup)
	d.command(1, "notify_fault", in.NotifyFault)
	d.command(1, "notify_stop", in.NotifyStop)
	if in.NotifyDeletedSet {
		if in.NotifyDeleted.IsSet() {
			d.command(1, "notify_deleted", in.NotifyDeleted)
		} else {
			d.line(1, "notify_deleted")
		}
	}
	d.command(1, "notify", in.Notify)
	d.command(1, "notify_master_rx_lower_pri", in.NotifyMasterRxLowerPri)
	if in.LVSSyncDaemonInterface != "" {
		d.kv(1, "lvs_sync_daemon_interface", in.LVSSyncDaemonInterface)
	}
	d.flag(1, "linkbeat_use_polling", in.LinkbeatUsePolling)
	d.close(0)
}

func (d *dumper) instanceTransport(in *Instance) {
	if in.McastSrcIP.IsValid() {
		d.kv(1, "mcast_src_ip", in.McastSrcIP.String())
	}
	if in.McastDstIP.IsValid() {
		d.kv(1, "mcast_dst_ip", in.McastDstIP.String())
	}
	if in.UnicastSrcIP.IsValid() {
		d.kv(1, "unicast_src_ip", in.UnicastSrcIP.String())
	}
	if len(in.UnicastPeers) > 0 {
		d.open(1, "unicast_peer")
		for _, p := range in.UnicastPeers {
			s := p.Addr.String()
			if p.MinTTL != 0 || p.MaxTTL != 255 {
				s += " min_ttl " + itoa(p.MinTTL) + " max_ttl " + itoa(p.MaxTTL)
			}
			d.line(2, s)
		}
		d.close(1)
	}
	if in.UnicastTTL >= 0 {
		d.kv(1, "unicast_ttl", itoa(in.UnicastTTL))
	}
	d.flag(1, "check_unicast_src", in.CheckUnicastSrc)
	d.flag(1, "unicast_fault_no_peer", in.UnicastFaultNoPeer)
	switch {
	case in.OldUnicastChecksumNever:
		d.line(1, "old_unicast_checksum never")
	case in.OldUnicastChecksum:
		d.line(1, "old_unicast_checksum")
	}
	d.flag(1, "track_src_ip", in.TrackSrcIP)
	if in.VRF != "" {
		d.kv(1, "vrf", in.VRF)
	}
	if v := in.VMAC; v != nil {
		if v.UseVMAC {
			d.kv(1, "use_vmac", nonEmpty(v.Name, v.Addr)...)
		}
		d.flag(1, "use_vmac_addr", v.UseVMACAddr)
		d.flag(1, "vmac_xmit_base", v.XmitBase)
		if v.UseIPVLAN {
			d.kv(1, "use_ipvlan", nonEmpty(v.IPVLANName, v.IPVLANAddr, v.IPVLANMode)...)
		}
	}
}

func (d *dumper) instanceGarp(in *Instance) {
	d.kv(1, "garp_master_delay", wholeSecs(in.GarpMasterDelay))
	d.kv(1, "garp_master_repeat", itoa(in.GarpMasterRepeat))
	d.kv(1, "garp_master_refresh", wholeSecs(in.GarpMasterRefresh))
	d.kv(1, "garp_master_refresh_repeat", itoa(in.GarpMasterRefreshRepeat))
	d.kv(1, "garp_lower_prio_delay", wholeSecs(in.GarpLowerPrioDelay))
	d.kv(1, "garp_lower_prio_repeat", itoa(in.GarpLowerPrioRepeat))
	if in.GarpExtraIf > 0 {
		w := []string{strconv.FormatInt(int64(in.GarpExtraIf/time.Second), 10)}
		if in.GarpExtraIfAll {
			w = append([]string{"all"}, w...)
		}
		d.kv(1, "garp_extra_if", w...)
	}
}
