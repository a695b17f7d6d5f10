package viptest

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/vip"
)

func TestTranscript(t *testing.T) {
	var f Fake
	a := &config.Address{Prefix: netip.MustParsePrefix("192.0.2.100/24"), Dev: "eth0", Label: "eth0:1"}
	r := &config.Route{Dst: netip.MustParsePrefix("198.51.100.0/24"), Via: netip.MustParseAddr("192.0.2.254"),
		Dev: "eth0", Type: -1, Tos: -1, Scope: -1, Table: -1, Metric: -1, Protocol: -1}
	rule := &config.Rule{Family: config.IPv4, From: netip.MustParsePrefix("192.0.2.0/24"), Preference: 100,
		Action: "lookup", Table: 100, Protocol: -1, IPProto: -1, SuppressPrefixLength: -1, SuppressIfgroup: -1}
	ctx := context.Background()
	s := &f
	steps := []error{
		s.AddAddress(a), s.AddAddress(a), s.AddRoute(r), s.AddRule(rule),
		s.Announce(ctx, "eth0", []netip.Addr{netip.MustParseAddr("192.0.2.100"), netip.MustParseAddr("2001:db8::1")}, 5, 0),
		s.Announce(ctx, "eth0", []netip.Addr{netip.MustParseAddr("192.0.2.100")}, 1, time.Millisecond),
		s.DelRule(rule), s.DelRoute(r), s.DelAddress(a),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"addr add 192.0.2.100/24 dev eth0 label eth0:1",
		"addr add 192.0.2.100/24 dev eth0 label eth0:1",
		"route add 198.51.100.0/24 via 192.0.2.254 dev eth0",
		"rule add from 192.0.2.0/24 preference 100 table 100",
		"garp 192.0.2.100 dev eth0 x5",
		"na 2001:db8::1 dev eth0 x5",
		"garp 192.0.2.100 dev eth0 x1 gap 1ms",
		"rule del from 192.0.2.0/24 preference 100 table 100",
		"route del 198.51.100.0/24 via 192.0.2.254 dev eth0",
		"addr del 192.0.2.100/24 dev eth0 label eth0:1",
	}
	if got := f.Transcript(); !slices.Equal(got, want) {
		t.Errorf("transcript\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestAddresses(t *testing.T) {
	var f Fake
	if err := f.DelAddress(&config.Address{Prefix: netip.MustParsePrefix("192.0.2.1/24"), Dev: "eth9"}); err != nil {
		t.Errorf("DelAddress of an absent address = %v", err)
	}
	f.Reset()
	p := netip.MustParsePrefix("192.0.2.100/24")
	a := &config.Address{Prefix: p, Dev: "eth0"}
	_ = f.AddAddress(a)
	_ = f.AddAddress(a)
	if got := f.Addresses("eth0"); !slices.Equal(got, []netip.Prefix{p}) {
		t.Errorf("addresses %v, want [%s]", got, p)
	}
	for _, tt := range []struct {
		p    string
		want bool
	}{{"192.0.2.100/24", true}, {"192.0.2.100/32", true}, {"192.0.2.100/25", false}, {"192.0.2.1/32", false}} {
		if ok, _ := f.HasAddress("eth0", netip.MustParsePrefix(tt.p)); ok != tt.want {
			t.Errorf("HasAddress(%s) = %v, want %v", tt.p, ok, tt.want)
		}
	}
	f.RemoveAddress("eth0", p)
	if ok, _ := f.HasAddress("eth0", p); ok {
		t.Error("address still present after RemoveAddress")
	}
	f.Reset()
	if len(f.Transcript()) != 0 {
		t.Error("transcript not empty after Reset")
	}
}

func TestFail(t *testing.T) {
	var f Fake
	boom := errors.New("boom")
	f.Fail("addr add 192.0.2.100", boom)
	a := &config.Address{Prefix: netip.MustParsePrefix("192.0.2.100/24"), Dev: "eth0"}
	if err := f.AddAddress(a); !errors.Is(err, boom) {
		t.Errorf("AddAddress = %v, want boom", err)
	}
	if ok, _ := f.HasAddress("eth0", a.Prefix); ok {
		t.Error("failed add left the address")
	}
	f.Fail("addr add 192.0.2.100", nil)
	if err := f.AddAddress(a); err != nil {
		t.Errorf("AddAddress after clearing = %v", err)
	}
	want := []string{"addr add 192.0.2.100/24 dev eth0 (failed)", "addr add 192.0.2.100/24 dev eth0"}
	if got := f.Transcript(); !slices.Equal(got, want) {
		t.Errorf("transcript %q, want %q", got, want)
	}
}

func TestLinks(t *testing.T) {
	before := runtime.NumGoroutine()
	var f Fake
	f.SetLink("eth0", true)
	ctx, cancel := context.WithCancel(context.Background())
	l := &f
	initial, events, err := l.Watch(ctx, "eth0", "eth1")
	if err != nil {
		t.Fatal(err)
	}
	want := []vip.LinkEvent{{Ifname: "eth0", Index: 1, Up: true}, {Ifname: "eth1"}}
	if !slices.Equal(initial, want) {
		t.Errorf("initial %v, want %v", initial, want)
	}
	f.SetLink("eth0", true) // no change
	f.SetLink("eth2", false)
	f.SetLink("eth0", false)
	f.SetLink("eth1", true)
	for _, w := range []vip.LinkEvent{{Ifname: "eth0", Index: 1}, {Ifname: "eth1", Index: 3, Up: true}} {
		if e := <-events; e != w {
			t.Errorf("event %v, want %v", e, w)
		}
	}
	cancel()
	for range events {
		t.Error("event after cancel")
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		<-tick.C
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left, %d before", n, before)
	}
}
