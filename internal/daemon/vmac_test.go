package daemon

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

const vmacConf = `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 0.05
    version 3
    EXTRA
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101/24 dev eth1
    }
}
`

// vmacRun runs a lone router on vmacConf with extra lines until it is
// master, stops it and returns its transcript and the interfaces its
// endpoint was opened on.
func vmacRun(t *testing.T, extra string) ([]string, []string) {
	t.Helper()
	cfg := loadConfig(t, strings.Replace(vmacConf, "EXTRA", extra, 1))
	f := &viptest.Fake{}
	f.SetLink("eth0", true)
	f.SetLink("eth1", true)
	h := &hub{}
	var mu sync.Mutex
	var opened []string
	deps := Deps{
		Net: f, Links: f, Addrs: f,
		Open: func(o socket.Options) (Endpoint, error) {
			mu.Lock()
			opened = append(opened, o.Ifname)
			mu.Unlock()
			return h.open("192.0.2.1")(o)
		},
		SourceAddr: func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr("192.0.2.1"), nil },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := Run(ctx, cfg, deps, NewStatus()); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	name := "vrrp.51"
	if strings.Contains(extra, "myvmac") {
		name = "myvmac"
	}
	waitUntil(t, "the VIP is on "+name, func() bool {
		return slices.Contains(f.Addresses(name), netip.MustParsePrefix("192.0.2.100/24"))
	})
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	return f.Transcript(), opened
}

// TestRunVMAC: with use_vmac the VMAC is created before the socket opens,
// the VIP without dev goes on it (the one with dev eth1 stays), adverts use
// it, GARPs go out on it, and it is deleted last at stop (reference §3.2,
// §5.6).
func TestRunVMAC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, opened := vmacRun(t, "use_vmac")
		if !slices.Equal(opened, []string{"vrrp.51"}) {
			t.Errorf("endpoint opened on %v, want [vrrp.51]", opened)
		}
		if tr[0] != "vmac add vrrp.51 link eth0 address 00:00:5e:00:01:33" {
			t.Errorf("first line %q, want the VMAC created", tr[0])
		}
		if last := tr[len(tr)-1]; last != "vmac del vrrp.51" {
			t.Errorf("last line %q, want the VMAC deleted", last)
		}
		joined := strings.Join(tr, "\n")
		for _, want := range []string{
			"addr add 192.0.2.100/24 dev vrrp.51", "addr add 192.0.2.101/24 dev eth1",
			"garp 192.0.2.100 dev vrrp.51 x5", "garp 192.0.2.101 dev eth1 x5",
			"addr del 192.0.2.100/24 dev vrrp.51",
		} {
			if !strings.Contains(joined, want) {
				t.Errorf("transcript lacks %q:\n%s", want, joined)
			}
		}
	})
}

// TestRunVMACXmitBase: vmac_xmit_base keeps the adverts on the base
// interface; the VIP and its GARPs are still on the VMAC.
func TestRunVMACXmitBase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, opened := vmacRun(t, "use_vmac myvmac 02:11:22:33:44\n    vmac_xmit_base")
		if !slices.Equal(opened, []string{"eth0"}) {
			t.Errorf("endpoint opened on %v, want [eth0]", opened)
		}
		joined := strings.Join(tr, "\n")
		for _, want := range []string{
			"vmac add myvmac link eth0 address 02:11:22:33:44:33",
			"addr add 192.0.2.100/24 dev myvmac", "garp 192.0.2.100 dev myvmac x5", "vmac del myvmac",
		} {
			if !strings.Contains(joined, want) {
				t.Errorf("transcript lacks %q:\n%s", want, joined)
			}
		}
	})
}

// TestRunVMACDown: the VMAC going down is a FAULT, as in keepalived, which
// leaves it down; the VIP comes back when it is up again.
func TestRunVMACDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := loadConfig(t, strings.Replace(vmacConf, "EXTRA", "use_vmac", 1))
		f := &viptest.Fake{}
		f.SetLink("eth0", true)
		f.SetLink("eth1", true)
		deps := Deps{
			Net: f, Links: f, Addrs: f, Open: (&hub{}).open("192.0.2.1"),
			SourceAddr: func(string, vrrp.Family) (netip.Addr, error) { return netip.MustParseAddr("192.0.2.1"), nil },
		}
		st := NewStatus()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := Run(ctx, cfg, deps, st); err != nil {
				t.Errorf("run: %v", err)
			}
		}()
		defer func() { cancel(); <-done }()
		vip := netip.MustParsePrefix("192.0.2.100/24")
		holds := func() bool { return slices.Contains(f.Addresses("vrrp.51"), vip) }
		waitUntil(t, "the VIP is on vrrp.51", holds)
		f.SetLink("vrrp.51", false)
		waitUntil(t, "FAULT", func() bool { return st.Snapshot()[0].State == vrrp.StateFault })
		if holds() {
			t.Error("VIP kept in FAULT")
		}
		f.SetLink("vrrp.51", true)
		waitUntil(t, "the VIP is back", holds)
	})
}

// TestPlanVMACs: names and MACs as keepalived 2.2.7 gives them (seen with
// ip -d link): vrrp.VRID, the IPv6 MAC 00:00:5e:00:02:VRID, a clash of
// default names resolved as vrrp1.VRID, a configured name and a 5-octet MAC
// completed with the VRID; unicast forces vmac_xmit_base (reference §7.8).
func TestPlanVMACs(t *testing.T) {
	cfg := loadConfig(t, `
vrrp_instance V6 {
    interface eth0
    virtual_router_id 51
    use_vmac
    virtual_ipaddress {
        fe80::100
        2001:db8::100/64
    }
}
vrrp_instance V4 {
    interface eth0
    virtual_router_id 51
    use_vmac
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance V4B {
    interface eth1
    virtual_router_id 52
    use_vmac named 02:11:22:33:44
    unicast_peer {
        198.51.100.2
    }
    virtual_ipaddress {
        198.51.100.100/24
    }
}
vrrp_instance PLAIN {
    interface eth1
    virtual_router_id 53
    virtual_ipaddress {
        203.0.113.100/24
    }
}
`)
	plan, err := planVMACs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ic := range cfg.Instances {
		if v, ok := plan[ic]; ok {
			got = append(got, ic.Name+": "+v.String())
		} else {
			got = append(got, ic.Name+": none")
		}
	}
	want := []string{
		"V6: vrrp.51 link eth0 address 00:00:5e:00:02:33 inet6",
		"V4: vrrp1.51 link eth0 address 00:00:5e:00:01:33",
		"V4B: named link eth1 address 02:11:22:33:44:34",
		"PLAIN: none",
	}
	if !slices.Equal(got, want) {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !xmitBase(cfg.Instances[2]) || xmitBase(cfg.Instances[1]) {
		t.Error("unicast must force vmac_xmit_base, multicast must not")
	}
}
