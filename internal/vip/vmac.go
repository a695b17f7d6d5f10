package vip

import (
	"errors"
	"fmt"
	"github.com/gokeepalived/gokeepalived/internal/netnsrun"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// VMAC is a VRRP virtual MAC interface (use_vmac, reference §3.2): a
// macvlan in private mode on Base with the VRRP MAC address, carrying an
// instance's VIPs and, unless vmac_xmit_base, its adverts. It is a plain
// value.
type VMAC struct {
	Name string           // vrrp.<VRID> unless configured
	Base string           // the instance's interface
	MAC  net.HardwareAddr // 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6) unless configured
	IPv6 bool             // the instance's family
}

// String returns the VMAC as "vrrp.51 link eth0 address 00:00:5e:00:01:33",
// with " inet6" appended for an IPv6 instance.
func (v VMAC) String() string {
	s := v.Name + " link " + v.Base + " address " + v.MAC.String()
	if v.IPv6 {
		s += " inet6"
	}
	return s
}

// VRRPMAC returns the virtual router MAC address of RFC 5798 §7.3:
// 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6.
func VRRPMAC(vrid uint8, ipv6 bool) net.HardwareAddr {
	fam := byte(1)
	if ipv6 {
		fam = 2
	}
	return net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, fam, vrid}
}

// ParseVMACAddr parses use_vmac's MAC argument: six octets are taken as
// they are; five octets get the VRID appended, as keepalived does.
func ParseVMACAddr(s string, vrid uint8) (net.HardwareAddr, error) {
	if strings.Count(s, ":") == 4 {
		s += fmt.Sprintf(":%02x", vrid)
	}
	mac, err := net.ParseMAC(s)
	if err != nil || len(mac) != 6 {
		return nil, fmt.Errorf("invalid VMAC address %q", s)
	}
	return mac, nil
}

// sysctl is one setting under /proc/sys/net.
type sysctl struct {
	path  string // relative to /proc/sys/net, with %s for the interface
	value string
}

// vmacSysctls4 are what keepalived 2.2.7 sets on an IPv4 VMAC (seen with
// sysctl on a running keepalived): answer ARP only for its own addresses,
// accept packets with a local source (the base's own adverts), no reverse
// path filter, promote secondaries, and no IPv6.
var vmacSysctls4 = []sysctl{
	{"ipv4/conf/%s/arp_ignore", "1"},
	{"ipv4/conf/%s/accept_local", "1"},
	{"ipv4/conf/%s/rp_filter", "0"},
	{"ipv4/conf/%s/promote_secondaries", "1"},
	{"ipv6/conf/%s/disable_ipv6", "1"},
}

// baseSysctls4 are what keepalived sets on the base interface of an IPv4
// VMAC so that the base stops answering ARP for the VIPs on the VMAC. Like
// keepalived 2.2.7, they are left set when the VMAC is deleted.
var baseSysctls4 = []sysctl{
	{"ipv4/conf/%s/arp_ignore", "1"},
	{"ipv4/conf/%s/arp_filter", "1"},
}

// AddVMAC creates v as keepalived does: a macvlan in private mode on
// v.Base with address v.MAC and IPv6 address generation off, sets
// keepalived's sysctls on it and on the base (IPv4) and brings it up. For
// IPv6 it gives the VMAC the base's link-local address (nodad, preferred
// lifetime 0), the source of the adverts. A macvlan called v.Name already
// on v.Base is reused; any other interface of that name is an error.
func (m *Manager) AddVMAC(v VMAC) error {
	return m.call(func() error {
		if err := m.addVMAC(v); err != nil {
			return fmt.Errorf("create VMAC %s: %w", v.Name, err)
		}
		return nil
	})
}

func (m *Manager) addVMAC(v VMAC) error {
	base, err := m.link(v.Base)
	if err != nil {
		return err
	}
	l, err := m.existingVMAC(v.Name, base.Attrs().Index)
	if err != nil {
		return err
	}
	if l == nil {
		mv := &netlink.Macvlan{Mode: netlink.MACVLAN_MODE_PRIVATE}
		mv.Name, mv.ParentIndex, mv.HardwareAddr = v.Name, base.Attrs().Index, v.MAC
		if err := m.h.LinkAdd(mv); err != nil {
			return fmt.Errorf("add macvlan: %w", err)
		}
		if l, err = m.link(v.Name); err != nil {
			return err
		}
	} else if l.Attrs().HardwareAddr.String() != v.MAC.String() {
		if err := m.h.LinkSetHardwareAddr(l, v.MAC); err != nil {
			return fmt.Errorf("set address: %w", err)
		}
	}
	set := []sysctl{{"ipv6/conf/%s/addr_gen_mode", "1"}}
	if !v.IPv6 {
		set = append(set, vmacSysctls4...)
	}
	if err := m.setSysctls(v.Name, set); err != nil {
		return err
	}
	if !v.IPv6 {
		if err := m.setSysctls(v.Base, baseSysctls4); err != nil {
			return err
		}
	}
	if err := m.h.LinkSetUp(l); err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	if v.IPv6 {
		return m.copyLinkLocal(base, l)
	}
	return nil
}

// existingVMAC returns the macvlan called name on the base with index
// parent, nil if there is no interface of that name, or an error if the
// interface is something else.
func (m *Manager) existingVMAC(name string, parent int) (netlink.Link, error) {
	l, err := m.link(name)
	if errors.Is(err, ErrNoLink) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if _, ok := l.(*netlink.Macvlan); !ok || l.Attrs().ParentIndex != parent {
		return nil, fmt.Errorf("interface %s exists and is not a macvlan on the base interface", name)
	}
	return l, nil
}

// copyLinkLocal adds the first link-local IPv6 address of base to l.
func (m *Manager) copyLinkLocal(base, l netlink.Link) error {
	list, err := m.h.AddrList(base, netlink.FAMILY_V6)
	if err != nil {
		return fmt.Errorf("list addresses of %s: %w", base.Attrs().Name, err)
	}
	for _, a := range list {
		if !a.IP.IsLinkLocalUnicast() {
			continue
		}
		na := &netlink.Addr{
			IPNet: &net.IPNet{IP: a.IP, Mask: net.CIDRMask(64, 128)},
			Flags: unix.IFA_F_NODAD, PreferedLft: 0, ValidLft: forever,
		}
		if err := m.h.AddrAdd(l, na); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("add link-local address %s: %w", a.IP, err)
		}
		return nil
	}
	return fmt.Errorf("interface %s has no IPv6 link-local address", base.Attrs().Name)
}

// setSysctls writes the settings for interface ifname in the Manager's
// namespace.
func (m *Manager) setSysctls(ifname string, set []sysctl) error {
	return netnsrun.Do(m.netns, func() error {
		for _, s := range set {
			p := filepath.Join("/proc/sys/net", fmt.Sprintf(s.path, ifname))
			if err := os.WriteFile(p, []byte(s.value), 0); err != nil {
				return fmt.Errorf("sysctl: %w", err)
			}
		}
		return nil
	})
}

// DelVMAC deletes the VMAC v.Name. An absent interface is not an error; an
// interface of that name that is not a macvlan is left alone and is one.
func (m *Manager) DelVMAC(v VMAC) error {
	return m.call(func() error {
		l, err := m.link(v.Name)
		if errors.Is(err, ErrNoLink) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("delete VMAC %s: %w", v.Name, err)
		}
		if _, ok := l.(*netlink.Macvlan); !ok {
			return fmt.Errorf("delete VMAC %s: not a macvlan", v.Name)
		}
		if err := m.h.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("delete VMAC %s: %w", v.Name, err)
		}
		return nil
	})
}
