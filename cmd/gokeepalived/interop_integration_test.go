package main

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// TestIntegrationInteropKeepalived runs gokeepalived beside Debian's
// keepalived 2.2.7 in each role, for each kind of VRRP: one master after
// convergence, takeover both ways, and tshark decoding gokeepalived's
// packets as VRRP with a correct checksum.
func TestIntegrationInteropKeepalived(t *testing.T) {
	for _, tc := range []struct {
		name         string
		gAddr, kAddr string // host addresses with prefix
		vip, want    string
		extra        func(self, peer string) []string
	}{
		{name: "v2 multicast", gAddr: "192.0.2.1/24", kAddr: "192.0.2.2/24", vip: "192.0.2.100/24", want: "192.0.2.100",
			extra: func(string, string) []string { return []string{"advert_int 1"} }},
		{name: "v2 unicast", gAddr: "192.0.2.1/24", kAddr: "192.0.2.2/24", vip: "192.0.2.100/24", want: "192.0.2.100",
			extra: func(self, peer string) []string {
				return []string{"advert_int 1", "unicast_src_ip " + self, "unicast_peer {", "    " + peer, "}"}
			}},
		{name: "v2 PASS auth", gAddr: "192.0.2.1/24", kAddr: "192.0.2.2/24", vip: "192.0.2.100/24", want: "192.0.2.100",
			extra: func(string, string) []string {
				return []string{"advert_int 1", "authentication {", "    auth_type PASS", "    auth_pass s3cret", "}"}
			}},
		{name: "v3 IPv4", gAddr: "192.0.2.1/24", kAddr: "192.0.2.2/24", vip: "192.0.2.100/24", want: "192.0.2.100",
			extra: func(string, string) []string { return []string{"version 3", "advert_int 1"} }},
		{name: "v3 IPv6", gAddr: "2001:db8::1/64", kAddr: "2001:db8::2/64", vip: "2001:db8::100/64", want: "2001:db8::100",
			extra: func(string, string) []string { return []string{"version 3", "advert_int 1"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			nstest.RequireBinaries(t, "keepalived", "tshark")
			g := l.host("g", tc.gAddr)
			k := l.host("k", tc.kAddr)
			gIP, kIP := strings.Split(tc.gAddr, "/")[0], strings.Split(tc.kAddr, "/")[0]
			conf := func(prio int, self, peer string) string {
				return instanceConf(61, prio, tc.vip, tc.extra(self, peer)...)
			}
			pcap, stopCapture := l.capture("ip proto 112 or ip6 proto 112")

			// gokeepalived master, keepalived backup; then keepalived takes over.
			g.startGK(conf(150, gIP, kIP))
			k.startKA(conf(100, kIP, gIP))
			waitMaster(t, 15*time.Second, tc.want, g, k)
			g.stop(syscall.SIGKILL)
			waitVIP(t, 10*time.Second, tc.want, k)
			k.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering MASTER STATE")

			// keepalived master, gokeepalived backup; then gokeepalived takes over.
			g.startGK(conf(50, gIP, kIP))
			g.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering BACKUP STATE (init)")
			waitMaster(t, 10*time.Second, tc.want, k, g)
			k.stop(syscall.SIGKILL)
			waitVIP(t, 10*time.Second, tc.want, g)
			g.proc.WaitOutput(t, 5*time.Second, "(VI_1) Entering MASTER STATE")
			stopCapture()

			checkTshark(t, l, pcap, g.mac())
		})
	}
}

// checkTshark decodes the capture with tshark and requires gokeepalived's
// adverts to be VRRP with a good checksum.
func checkTshark(t *testing.T, l *lab, pcap, mac string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := l.lan.Output(ctx, "tshark", "-r", pcap, "-V", "-Y", "vrrp && eth.src == "+mac)
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	s := string(out)
	good := strings.Count(s, "[Checksum Status: Good]")
	bad := strings.Count(s, "[Checksum Status: Bad]")
	adverts := strings.Count(s, "Virtual Router Redundancy Protocol")
	if adverts == 0 || good != adverts || bad != 0 {
		t.Fatalf("tshark decoded %d VRRP packets from %s: %d with a good checksum, %d bad:\n%.3000s", adverts, mac, good, bad, s)
	}
	t.Logf("tshark: %d VRRP packets from gokeepalived, all with a good checksum", adverts)
}
