package vip

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// TestVRRPMAC: RFC 5798 §7.3.
func TestVRRPMAC(t *testing.T) {
	if got := VRRPMAC(51, false).String(); got != "00:00:5e:00:01:33" {
		t.Errorf("IPv4: %s", got)
	}
	if got := VRRPMAC(255, true).String(); got != "00:00:5e:00:02:ff" {
		t.Errorf("IPv6: %s", got)
	}
}

func TestParseVMACAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"02:11:22:33:44", "02:11:22:33:44:33"}, // 5 octets: VRID appended
		{"02:11:22:33:44:55", "02:11:22:33:44:55"},
		{"02:11:22:33", ""},
		{"zz:11:22:33:44", ""},
	} {
		mac, err := ParseVMACAddr(tc.in, 51)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%s: no error, got %s", tc.in, mac)
			}
			continue
		}
		if err != nil || mac.String() != tc.want {
			t.Errorf("%s: %v, %v; want %s", tc.in, mac, err, tc.want)
		}
	}
}

// sysctlOf reads /proc/sys/net/PATH in ns.
func sysctlOf(t *testing.T, ns *nstest.Netns, path string) string {
	t.Helper()
	out, err := ns.Output(context.Background(), "cat", "/proc/sys/net/"+path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}

// TestIntegrationVMAC creates, re-creates and deletes VMACs and checks them
// against what keepalived 2.2.7 makes (ip -d link, ip addr, sysctls).
func TestIntegrationVMAC(t *testing.T) {
	ns, h := hostNS(t)
	v4 := VMAC{Name: "vrrp.51", Base: "eth0", MAC: VRRPMAC(51, false)}
	for range 2 { // the second time finds it in place
		if err := h.AddVMAC(v4); err != nil {
			t.Fatal(err)
		}
	}
	link := ipShow(t, ns, "-d", "-o", "link", "show", "vrrp.51")
	for _, want := range []string{`vrrp\.51@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP>`, `link/ether 00:00:5e:00:01:33 `,
		`macvlan mode private `, `addrgenmode none`} {
		if !regexp.MustCompile(want).MatchString(link) {
			t.Errorf("ip link lacks %s:\n%s", want, link)
		}
	}
	for path, want := range map[string]string{
		"ipv4/conf/vrrp.51/arp_ignore": "1", "ipv4/conf/vrrp.51/accept_local": "1",
		"ipv4/conf/vrrp.51/rp_filter": "0", "ipv4/conf/vrrp.51/promote_secondaries": "1",
		"ipv6/conf/vrrp.51/disable_ipv6": "1", "ipv4/conf/eth0/arp_ignore": "1", "ipv4/conf/eth0/arp_filter": "1",
	} {
		if got := sysctlOf(t, ns, path); got != want {
			t.Errorf("%s = %s, want %s", path, got, want)
		}
	}

	v6 := VMAC{Name: "vrrp6.52", Base: "eth0", MAC: VRRPMAC(52, true), IPv6: true}
	if err := h.AddVMAC(v6); err != nil {
		t.Fatal(err)
	}
	base := ipShow(t, ns, "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link")
	ll := regexp.MustCompile(`inet6 (fe80::\S+)/64`).FindStringSubmatch(base)
	if ll == nil {
		t.Fatalf("eth0 has no link-local address:\n%s", base)
	}
	addrs := ipShow(t, ns, "-6", "-o", "addr", "show", "dev", "vrrp6.52")
	if !strings.Contains(addrs, "inet6 "+ll[1]+"/64 scope link nodad") || strings.Count(addrs, "inet6 ") != 1 {
		t.Errorf("vrrp6.52 should carry only eth0's link-local %s, nodad:\n%s", ll[1], addrs)
	}

	if err := h.DelVMAC(VMAC{Name: "eth0"}); err == nil {
		t.Error("DelVMAC deleted eth0, which is no macvlan")
	}
	for _, v := range []VMAC{v4, v6, v4} { // deleting what is gone is no error
		if err := h.DelVMAC(v); err != nil {
			t.Fatal(err)
		}
	}
	if out := ipShow(t, ns, "-o", "link", "show"); strings.Contains(out, "vrrp") || !strings.Contains(out, "eth0") {
		t.Errorf("after DelVMAC:\n%s", out)
	}
}
