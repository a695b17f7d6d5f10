package daemon

import (
	"fmt"
	"strconv"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/vip"
)

// usesVMAC reports whether the instance has a macvlan VMAC (use_vmac
// without use_ipvlan).
func usesVMAC(ic *config.Instance) bool {
	return ic.VMAC != nil && ic.VMAC.UseVMAC && !ic.VMAC.UseIPVLAN
}

// xmitBase reports whether an instance with a VMAC sends and receives its
// adverts on the base interface: vmac_xmit_base, forced on by unicast
// peers (reference §7.8).
func xmitBase(ic *config.Instance) bool {
	return ic.VMAC.XmitBase || len(ic.UnicastPeers) > 0
}

// planVMACs names the VMAC of every instance of cfg that uses one, in
// configuration order, as keepalived 2.2.7 does: the configured name, else
// PREFIX.VRID (vmac_prefix, default "vrrp"); a default name already taken
// by an earlier instance becomes PREFIX1.VRID, PREFIX2.VRID and so on
// (seen with keepalived: an IPv6 and an IPv4 instance with VRID 51 get
// vrrp.51 and vrrp1.51).
func planVMACs(cfg *config.Config) (map[*config.Instance]vip.VMAC, error) {
	prefix := cfg.Global.VMACPrefix
	if prefix == "" {
		prefix = "vrrp"
	}
	taken := map[string]bool{}
	out := map[*config.Instance]vip.VMAC{}
	for _, ic := range cfg.Instances {
		if !usesVMAC(ic) {
			continue
		}
		v := vip.VMAC{Name: ic.VMAC.Name, Base: ic.Interface, IPv6: ic.Family == config.IPv6}
		vrid := uint8(ic.VRID)
		v.MAC = vip.VRRPMAC(vrid, v.IPv6)
		if ic.VMAC.Addr != "" {
			mac, err := vip.ParseVMACAddr(ic.VMAC.Addr, vrid)
			if err != nil {
				return nil, fmt.Errorf("(%s) %w", ic.Name, err)
			}
			v.MAC = mac
		}
		if v.Name == "" {
			v.Name = prefix + "." + strconv.Itoa(ic.VRID)
			for n := 1; taken[v.Name]; n++ {
				v.Name = prefix + strconv.Itoa(n) + "." + strconv.Itoa(ic.VRID)
			}
		}
		taken[v.Name] = true
		out[ic] = v
	}
	return out, nil
}

// withVMAC returns a copy of ic whose VIPs and eVIPs on the instance's
// interface are on the VMAC instead, as keepalived puts VIPs without dev
// on the VMAC. The configuration does not say whether "dev" was written,
// so an explicit "dev" naming the instance's own interface moves too;
// VIPs on other interfaces stay where they are.
func withVMAC(ic *config.Instance, v vip.VMAC) *config.Instance {
	out := *ic
	move := func(as []*config.Address) []*config.Address {
		moved := make([]*config.Address, len(as))
		for i, a := range as {
			c := *a
			if c.Dev == ic.Interface {
				c.Dev = v.Name
			}
			moved[i] = &c
		}
		return moved
	}
	out.VIPs, out.EVIPs = move(ic.VIPs), move(ic.EVIPs)
	return &out
}

// createVMAC creates the instance's VMAC, logging keepalived's line.
func createVMAC(d Deps, ic *config.Instance, v vip.VMAC) error {
	if err := d.Net.AddVMAC(v); err != nil {
		return err
	}
	d.Log.Info(fmt.Sprintf("(%s): Success creating VMAC interface %s", ic.Name, v.Name))
	return nil
}

// removeVMACs deletes the instances' VMACs, the last step of the stop
// sequence (reference §5.6).
func removeVMACs(d Deps, insts []*instance) {
	for _, in := range insts {
		if in.wire.vmac == nil {
			continue
		}
		if err := d.Net.DelVMAC(*in.wire.vmac); err != nil {
			d.Log.Warn("(" + in.cfg.Name + ") " + err.Error())
			continue
		}
		d.Log.Info(fmt.Sprintf("(%s) Success removing VMAC interface %s", in.cfg.Name, in.wire.vmac.Name))
	}
}
