package vrrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
)

// The log lines expected below are keepalived 2.2.7's format strings
// (src vrrp/vrrp.c vrrp_check_packet, confirmed with strings(1) on
// /usr/sbin/keepalived). Those for checks 4, 5, 6, 8, 10 (v3), 12 and 13
// were also observed from a real keepalived 2.2.7 receiving mismatched
// adverts from another one in a namespace pair (testdata/capture/rxcheck.sh).

// spec describes an advert to build for Check, with knobs that each break
// one receive check.
type spec struct {
	fam      Family
	a        Advert
	src, dst netip.Addr
	ttl      int   // IPv4 TTL, IPv6 hop limit (-1: not received)
	ver      uint8 // if set, the version nibble written, with the layout fixed up
	typ      uint8 // if set, the type nibble written
	badSum   bool  // corrupt the VRRP checksum
	extra    int   // junk bytes after the advert, IPv4 total length following
	totDelta int   // added to the IPv4 total length field
	ah       bool  // protocol 51 and an AH header before the advert
	noInfo   bool  // IPv6: no IPV6_PKTINFO, so no destination address
}

func (s spec) received(t testing.TB) Received {
	t.Helper()
	p, err := s.a.Marshal(s.src, s.dst)
	if err != nil {
		t.Fatalf("Marshal(%+v): %v", s.a, err)
	}
	if s.ver != 0 || s.typ != 0 {
		if s.ver != 0 {
			switch {
			case s.ver == 3 && s.a.Version == 2:
				p = p[:len(p)-AuthDataLen] // VRRPv3 has no auth data
			case s.ver == 2 && s.a.Version == 3 && s.fam == IPv4:
				p = append(p, make([]byte, AuthDataLen)...)
			}
			p[0] = s.ver<<4 | p[0]&0x0f
		}
		if s.typ != 0 {
			p[0] = p[0]&0xf0 | s.typ
		}
		p[6], p[7] = 0, 0
		c, err := checksum(p, s.src, s.dst)
		if err != nil {
			t.Fatal(err)
		}
		binary.BigEndian.PutUint16(p[6:8], c)
	}
	if s.badSum {
		p[7] ^= 0x5a
	}
	p = append(p, make([]byte, s.extra)...)
	if s.fam == IPv6 {
		rx := Received{Packet: p, Src: s.src, Dst: s.dst, HopLimit: s.ttl}
		if s.noInfo {
			rx.Dst = netip.Addr{}
		}
		return rx
	}
	h := NewAdvertIPv4Header(s.src, s.dst, 1, uint8(s.ttl))
	if s.ah {
		h.Protocol = ProtocolAH
		ah := make([]byte, ahHeaderLen)
		ah[0], ah[1] = ProtocolVRRP, 4
		p = append(ah, p...)
	}
	pkt, err := h.MarshalPacket(p)
	if err != nil {
		t.Fatal(err)
	}
	tot := binary.BigEndian.Uint16(pkt[2:4])
	binary.BigEndian.PutUint16(pkt[2:4], uint16(int(tot)+s.totDelta))
	return Received{Packet: pkt, HopLimit: -1}
}

var (
	peerA  = netip.MustParseAddr("192.0.2.1")
	peerB  = netip.MustParseAddr("192.0.2.2")
	group4 = netip.MustParseAddr("224.0.0.18")
	ll6    = netip.MustParseAddr("fe80::1")
	group6 = netip.MustParseAddr("ff02::12")
)

func addrs(s ...string) []netip.Addr {
	var a []netip.Addr
	for _, x := range s {
		a = append(a, netip.MustParseAddr(x))
	}
	return a
}

// The three bases: VRRPv2 multicast, VRRPv3 IPv4 unicast, VRRPv3 IPv6
// multicast, each with the instance that accepts it.
func baseV2() (spec, Expect) {
	vips := addrs("192.0.2.100", "192.0.2.101")
	return spec{fam: IPv4, src: peerA, dst: group4, ttl: 255, a: Advert{
			Version: 2, Type: 1, VRID: 51, Priority: 150, AdvertInt: 1, Addrs: vips}},
		Expect{Name: "VI_1", Family: IPv4, Version: 2, VRID: 51, AdvertInt: 1, VIPs: slices.Clone(vips)}
}

func baseV3Unicast() (spec, Expect) {
	vips := addrs("192.0.2.110", "192.0.2.111")
	return spec{fam: IPv4, src: peerA, dst: peerB, ttl: 64, a: Advert{
			Version: 3, Type: 1, VRID: 60, Priority: 200, MaxAdvertInt: 50, Addrs: vips}},
		Expect{Name: "VI_2", Family: IPv4, Version: 3, VRID: 60, VIPs: slices.Clone(vips),
			UnicastPeers: []Peer{{Addr: peerA, MinTTL: 0, MaxTTL: 255}}}
}

func baseV3IPv6() (spec, Expect) {
	vips := addrs("fe80::100", "2001:db8::100")
	return spec{fam: IPv6, src: ll6, dst: group6, ttl: 255, a: Advert{
			Version: 3, Type: 1, VRID: 61, Priority: 100, MaxAdvertInt: 100, Addrs: vips}},
		Expect{Name: "VI_6", Family: IPv6, Version: 3, VRID: 61, VIPs: slices.Clone(vips)}
}

// failure is one row: a change that makes exactly one check fail.
type failure struct {
	name    string
	mod     func(*spec, *Expect)
	check   CheckID
	counter Counter
	log     string
	counted bool
}

// v2Failures are, in keepalived's order, changes to baseV2 failing one
// check each (RFC 3768 §7.1 for the MUSTs).
func v2Failures() []failure {
	return []failure{
		{"other VRID", func(_ *spec, e *Expect) { e.VRID = 52 }, CheckVRID, CounterNone, "", false},
		// An AH packet for a non-AH instance also has the wrong length, so
		// check 1 cannot fail alone; it comes first.
		{"AH header", func(s *spec, _ *Expect) { s.ah = true }, CheckAH, CounterAuthTypeMismatch,
			"(VI_1) Received AH header but auth type not AH", false},
		{"trailing bytes", func(s *spec, _ *Expect) { s.extra = 4 }, CheckLength, CounterPacketLenErr,
			"(VI_1) vrrp packet too long, length 48 and expect 44", false},
		{"TTL 254", func(s *spec, _ *Expect) { s.ttl = 254 }, CheckTTL, CounterIPTTLErr, // RFC 3768 §7.1
			"(VI_1) invalid TTL/HL. Received 254 and expect 255", false},
		{"version 3", func(s *spec, _ *Expect) { s.ver = 3 }, CheckVersion, CounterNone, // RFC 3768 §7.1
			"(VI_1) wrong version. Received 3 and expect 2", false},
		{"auth type 3", func(s *spec, _ *Expect) { s.a.AuthType = 3 }, CheckAuth, CounterInvalidAuthType,
			"(VI_1) Invalid auth type: 3", false},
		{"PASS to none", func(s *spec, _ *Expect) { s.a.AuthType = AuthPass }, CheckAuth, CounterAuthTypeMismatch,
			"(VI_1) received a 1 auth, expecting 0!", false},
		{"wrong password", func(s *spec, e *Expect) {
			s.a.AuthType, s.a.AuthData = AuthPass, [8]byte{'s', '3', 'c', 'r', '3', 't'}
			e.AuthType, e.AuthData = AuthPass, [8]byte{'o', 't', 'h', 'e', 'r'}
		}, CheckAuth, CounterAuthFailure, "(VI_1) received an invalid passwd!", false},
		{"interval 1 to 2", func(_ *spec, e *Expect) { e.AdvertInt = 2 }, CheckInterval, CounterNone, // RFC 3768 §7.1
			"(VI_1) advertisement interval mismatch mine=2 sec rcv'd=1 sec", false},
		{"type 2", func(s *spec, _ *Expect) { s.typ = 2 }, CheckType, CounterInvalidTypeRcvd, // RFC 3768 §5.3.2
			"(VI_1) Invalid packet type. 2 and expect 1", false},
		{"one VIP configured", func(_ *spec, e *Expect) { e.VIPs = e.VIPs[:1] }, CheckAddrCount, CounterAddrListErr,
			"(VI_1) received an unexpected ip number count 2, expected 1!", false},
		{"total length +1", func(s *spec, _ *Expect) { s.totDelta = 1 }, CheckTotalLen, CounterPacketLenErr,
			"(VI_1) ip_tot_len mismatch against received length. 45 and received 44", false},
		{"bad checksum", func(s *spec, _ *Expect) { s.badSum = true }, CheckChecksum, CounterNone, // RFC 3768 §7.1
			"(VI_1) Invalid VRRPv2 checksum", false},
		{"unicast to multicast instance", func(s *spec, _ *Expect) { s.dst = peerB }, CheckCast, CounterAddrListErr,
			"(VI_1) Expected multicast packet but received unicast packet", false},
		{"VIP missing", func(s *spec, _ *Expect) { s.a.Addrs = addrs("192.0.2.100", "192.0.2.103") }, CheckVIPs,
			CounterAddrListErr, "(VI_1) ip address associated with VRID 51 not present in MASTER advert: 192.0.2.101", true},
	}
}

// v3UnicastFailures are the same for baseV3Unicast (RFC 5798 §7.1).
func v3UnicastFailures() []failure {
	return []failure{
		{"trailing bytes", func(s *spec, _ *Expect) { s.extra = 1 }, CheckLength, CounterPacketLenErr,
			"(VI_2) vrrp packet too long, length 37 and expect 36", false},
		{"version 2", func(s *spec, _ *Expect) { s.ver = 2 }, CheckVersion, CounterNone,
			"(VI_2) wrong version. Received 2 and expect 3", false},
		{"type 0", func(s *spec, _ *Expect) { s.typ = 0xf }, CheckType, CounterInvalidTypeRcvd,
			"(VI_2) Invalid packet type. 15 and expect 1", false},
		{"three VIPs configured", func(_ *spec, e *Expect) { e.VIPs = append(e.VIPs, netip.MustParseAddr("192.0.2.112")) },
			CheckAddrCount, CounterAddrListErr, "(VI_2) received an unexpected ip number count 2, expected 3!", false},
		{"total length -1", func(s *spec, _ *Expect) { s.totDelta = -1 }, CheckTotalLen, CounterPacketLenErr,
			"(VI_2) ip_tot_len mismatch against received length. 35 and received 36", false},
		{"bad checksum", func(s *spec, _ *Expect) { s.badSum = true }, CheckChecksum, CounterNone,
			"(VI_2) Invalid VRRPv3 checksum", false},
		{"multicast to unicast instance", func(s *spec, _ *Expect) { s.dst = group4 }, CheckCast, CounterAddrListErr,
			"(VI_2) Expected unicast packet but received multicast packet", false},
		{"VIP missing", func(s *spec, _ *Expect) { s.a.Addrs = addrs("192.0.2.119", "192.0.2.111") }, CheckVIPs,
			CounterAddrListErr, "(VI_2) ip address associated with VRID 60 not present in MASTER advert: 192.0.2.110", true},
		{"not a peer", func(_ *spec, e *Expect) { e.CheckUnicastSrc, e.UnicastPeers[0].Addr = true, peerB },
			CheckUnicastSrc, CounterNone, "(VI_2) unicast source address 192.0.2.1 not a unicast peer", true},
		{"TTL out of range", func(_ *spec, e *Expect) {
			e.CheckUnicastSrc, e.UnicastPeers[0].MinTTL, e.UnicastPeers[0].MaxTTL = true, 10, 63
		}, CheckUnicastSrc, CounterIPTTLErr, "(VI_2) TTL/HL 64 not in range 10 - 63", true},
	}
}

// v6Failures are the same for baseV3IPv6 (RFC 5798 §7.1).
func v6Failures() []failure {
	return []failure{
		{"other VRID", func(_ *spec, e *Expect) { e.VRID = 62 }, CheckVRID, CounterNone, "", false},
		{"trailing bytes", func(s *spec, _ *Expect) { s.extra = 16 }, CheckLength, CounterPacketLenErr,
			"(VI_6) vrrp packet too long, length 56 and expect 40", false},
		{"hop limit 64", func(s *spec, _ *Expect) { s.ttl = 64 }, CheckTTL, CounterIPTTLErr,
			"(VI_6) invalid TTL/HL. Received 64 and expect 255", false},
		{"version 2", func(s *spec, _ *Expect) { s.ver = 2 }, CheckVersion, CounterNone,
			"(VI_6) wrong version. Received 2 and expect 3", false},
		{"type 2", func(s *spec, _ *Expect) { s.typ = 2 }, CheckType, CounterInvalidTypeRcvd,
			"(VI_6) Invalid packet type. 2 and expect 1", false},
		{"one VIP configured", func(_ *spec, e *Expect) { e.VIPs = e.VIPs[1:] }, CheckAddrCount, CounterAddrListErr,
			"(VI_6) received an unexpected ip number count 2, expected 1!", false},
		{"no IPV6_PKTINFO", func(s *spec, _ *Expect) { s.noInfo = true }, CheckCast, CounterAddrListErr,
			"(VI_6) Expected multicast packet but received unicast packet", false},
		{"VIP missing", func(s *spec, _ *Expect) { s.a.Addrs = addrs("fe80::100", "2001:db8::101") }, CheckVIPs,
			CounterAddrListErr, "(VI_6) ip address associated with VRID 61 not present in MASTER advert: 2001:db8::100", true},
	}
}

type base struct {
	name     string
	build    func() (spec, Expect)
	failures []failure
}

func bases() []base {
	return []base{{"v2", baseV2, v2Failures()}, {"v3unicast", baseV3Unicast, v3UnicastFailures()},
		{"v3ipv6", baseV3IPv6, v6Failures()}}
}

// run applies mods to a base and runs Check.
func run(t *testing.T, build func() (spec, Expect), mods ...func(*spec, *Expect)) (Result, error) {
	t.Helper()
	s, e := build()
	for _, m := range mods {
		m(&s, &e)
	}
	return Check(s.received(t), e)
}

func wantFailure(t *testing.T, res Result, err error, f failure) {
	t.Helper()
	wantCheck(t, res, err, f)
	if ce := (*CheckError)(nil); errors.As(err, &ce) && ce.Log != f.log {
		t.Errorf("Log = %q, want %q", ce.Log, f.log)
	}
}

// wantCheck is wantFailure without the log line, which for two failures may
// depend on both.
func wantCheck(t *testing.T, res Result, err error, f failure) {
	t.Helper()
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("Check: err = %v, want a *CheckError for %v", err, f.check)
	}
	if ce.Check != f.check || ce.Counter != f.counter || !errors.Is(err, ErrRejected) {
		t.Errorf("Check failed %v (%v) %q, want %v (%v)", ce.Check, ce.Counter, ce.Log, f.check, f.counter)
	}
	if res.Counted != f.counted {
		t.Errorf("Counted = %v, want %v (advert_rcvd is incremented between checks 11 and 12)", res.Counted, f.counted)
	}
}

func TestCheckBasesPass(t *testing.T) {
	for _, b := range bases() {
		t.Run(b.name, func(t *testing.T) {
			res, err := run(t, b.build)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			s, _ := b.build()
			if !res.Counted || res.PriorityZero || res.Src != s.src || res.Log != "" {
				t.Errorf("Result = %+v", res)
			}
			s.a.Checksum = res.Advert.Checksum
			if !advertEqual(res.Advert, s.a) {
				t.Errorf("Advert = %+v, want %+v", res.Advert, s.a)
			}
			if want := map[Family]ChecksumVariant{IPv4: ChecksumStandard, IPv6: ChecksumUnverified}[s.fam]; res.Checksum != want {
				t.Errorf("Checksum = %v, want %v", res.Checksum, want)
			}
		})
	}
}

// Every check, with a packet that fails it and no other.
func TestCheckEachFailure(t *testing.T) {
	for _, b := range bases() {
		for _, f := range b.failures {
			t.Run(b.name+"/"+f.name, func(t *testing.T) {
				res, err := run(t, b.build, f.mod)
				wantFailure(t, res, err, f)
			})
		}
	}
}

// checkPos is the position of a check in Check's order: header, the VRID
// demux, then keepalived's checks 1 to 13.
func checkPos(c CheckID) int {
	switch c {
	case CheckHeader:
		return -2
	case CheckVRID:
		return -1
	}
	return int(c)
}

// A packet failing two checks reports the one keepalived applies first.
func TestCheckOrder(t *testing.T) {
	n := 0
	for _, b := range bases() {
		for i, f := range b.failures {
			for j, g := range b.failures {
				if i == j || f.check == g.check {
					continue
				}
				first := f
				if checkPos(g.check) < checkPos(f.check) {
					first = g
				}
				t.Run(fmt.Sprintf("%s/%s+%s", b.name, f.name, g.name), func(t *testing.T) {
					res, err := run(t, b.build, f.mod, g.mod)
					wantCheck(t, res, err, first)
				})
				n++
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d pairs tested", n)
	}
}

// vrrp_get_header: too little for the headers, logged without instance name.
func TestCheckHeader(t *testing.T) {
	_, e4 := baseV2()
	_, e6 := baseV3IPv6()
	s, _ := baseV2()
	pkt := s.received(t).Packet
	ahPkt := func() []byte { s := s; s.ah = true; return s.received(t).Packet[:IPv4HeaderLen+ahHeaderLen+4] }()
	badIHL := slices.Clone(pkt)
	badIHL[0] = 0x43
	tests := []struct {
		name string
		rx   Received
		e    Expect
		log  string
	}{
		{"empty IPv4", Received{}, e4, "IPv4 VRRP packet too short - 0 bytes"},
		{"IP header only", Received{Packet: pkt[:20]}, e4, "IPv4 VRRP packet too short - 20 bytes"},
		{"27 bytes", Received{Packet: pkt[:27]}, e4, "IPv4 VRRP packet too short - 27 bytes"},
		{"AH cut", Received{Packet: ahPkt}, e4, "IPv4 VRRP packet with AH too short - 48 bytes"},
		{"IHL 3", Received{Packet: badIHL}, e4, "IPv4 VRRP packet with bad IP header - 44 bytes"},
		{"IPv6 7 bytes", Received{Packet: make([]byte, 7), HopLimit: 255}, e6, "IPv6 VRRP packet too short - 7 bytes"},
	}
	for _, tt := range tests {
		res, err := Check(tt.rx, tt.e)
		wantFailure(t, res, err, failure{check: CheckHeader, log: tt.log})
		if _, err := PeekVRID(tt.rx.Packet, tt.e.Family); !errors.Is(err, ErrRejected) {
			t.Errorf("PeekVRID(%s): err = %v, want ErrRejected", tt.name, err)
		}
	}
	if v, err := PeekVRID(pkt, IPv4); err != nil || v != 51 {
		t.Errorf("PeekVRID = %d, %v; want 51", v, err)
	}
}

// keepalived reads the password at ip + tot_len - 8 before check 9 compares
// tot_len with the length received, so a bad total length in a PASS advert
// shows up as an authentication failure.
func TestCheckPasswordUsesTotalLength(t *testing.T) {
	pw := [8]byte{'s', '3', 'c', 'r', '3', 't'}
	withPass := func(s *spec, e *Expect) {
		s.a.AuthType, s.a.AuthData = AuthPass, pw
		e.AuthType, e.AuthData = AuthPass, pw
	}
	if _, err := run(t, baseV2, withPass); err != nil {
		t.Fatalf("PASS advert: %v", err)
	}
	for _, d := range []int{-4, 4, -60, 200} {
		res, err := run(t, baseV2, withPass, func(s *spec, _ *Expect) { s.totDelta = d })
		wantFailure(t, res, err, failure{check: CheckAuth, counter: CounterAuthFailure, log: "(VI_1) received an invalid passwd!"})
	}
}

// skip_check_adv_addr: in BACKUP, adverts from the current master skip
// checks 8, 12 and 13; from anyone else they do not.
func TestCheckSkipAdvAddr(t *testing.T) {
	wrongVIPs := func(_ *spec, e *Expect) { e.VIPs = addrs("192.0.2.200") }
	skip := func(master netip.Addr) func(*spec, *Expect) {
		return func(_ *spec, e *Expect) { e.SkipCheckAdvAddr, e.Master = true, master }
	}
	if _, err := run(t, baseV2, wrongVIPs, skip(peerA)); err != nil {
		t.Errorf("from the master: %v", err)
	}
	for _, m := range []netip.Addr{peerB, {}} {
		res, err := run(t, baseV2, wrongVIPs, skip(m))
		wantFailure(t, res, err, failure{check: CheckAddrCount, counter: CounterAddrListErr,
			log: "(VI_1) received an unexpected ip number count 2, expected 1!"})
	}
	notPeer := func(_ *spec, e *Expect) { e.CheckUnicastSrc, e.UnicastPeers[0].Addr = true, peerB }
	if _, err := run(t, baseV3Unicast, notPeer, skip(peerA)); err != nil {
		t.Errorf("unicast source check from the master: %v", err)
	}
	missing := func(s *spec, _ *Expect) { s.a.Addrs = addrs("192.0.2.119", "192.0.2.111") }
	if _, err := run(t, baseV3Unicast, missing, skip(peerA)); err != nil {
		t.Errorf("VIP check from the master: %v", err)
	}
}

// Check 3 applies to multicast instances only; check 13's TTL range only
// with check_unicast_src; an unknown IPv6 hop limit passes both.
func TestCheckTTLRules(t *testing.T) {
	if _, err := run(t, baseV3Unicast, func(s *spec, _ *Expect) { s.ttl = 1 }); err != nil {
		t.Errorf("unicast TTL 1 without check_unicast_src: %v", err)
	}
	if _, err := run(t, baseV3IPv6, func(s *spec, _ *Expect) { s.ttl = -1 }); err != nil {
		t.Errorf("IPv6 without IPV6_HOPLIMIT: %v", err)
	}
	if _, err := run(t, baseV3Unicast, func(_ *spec, e *Expect) {
		e.CheckUnicastSrc, e.UnicastPeers = true, []Peer{{Addr: peerB, MaxTTL: 255}, {Addr: peerA, MinTTL: 64, MaxTTL: 64}}
	}); err != nil {
		t.Errorf("second peer, TTL at both ends of its range: %v", err)
	}
}

// Real keepalived adverts pass Check for the instance they were built for.
func TestCheckCaptures(t *testing.T) {
	exps := map[string]Expect{
		"v2mcast": {Family: IPv4, Version: 2, VRID: 51, AdvertInt: 1, VIPs: addrs("192.0.2.100", "192.0.2.101")},
		"v2pass": {Family: IPv4, Version: 2, VRID: 52, AdvertInt: 2, AuthType: AuthPass,
			AuthData: [8]byte{'s', '3', 'c', 'r', '3', 't'}, VIPs: addrs("192.0.2.102")},
		"v3ucast": {Family: IPv4, Version: 3, VRID: 60, VIPs: addrs("192.0.2.110", "192.0.2.111"),
			UnicastPeers: []Peer{{Addr: peerA, MaxTTL: 255}}, CheckUnicastSrc: true},
		"v3ucastold": {Family: IPv4, Version: 3, VRID: 62, VIPs: addrs("192.0.2.120"),
			UnicastPeers: []Peer{{Addr: peerA, MaxTTL: 255}}},
		"v3mcast4": {Family: IPv4, Version: 3, VRID: 63, VIPs: addrs("192.0.2.130")},
		"v3ipv6":   {Family: IPv6, Version: 3, VRID: 61, VIPs: addrs("2001:db8::100", "2001:db8::101")},
	}
	for _, c := range captures() {
		t.Run(c.name, func(t *testing.T) {
			e := exps[c.name]
			e.Name = "VI_1"
			res, err := Check(c.received(t), e)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if !advertEqual(res.Advert, c.advert) || !res.Counted || res.Src != c.src {
				t.Errorf("Result = %+v", res)
			}
			wantLog := ""
			if c.variant == ChecksumLegacyUnicast {
				wantLog = "(VI_1) Setting unicast VRRPv3 checksum to old version"
			}
			if c.fam == IPv4 && res.Checksum != c.variant || res.Log != wantLog {
				t.Errorf("Checksum = %v, Log = %q; want %v, %q", res.Checksum, res.Log, c.variant, wantLog)
			}
		})
	}
}

// Reference §7.3: legacy checksums are retried only for unicast instances in
// the default mode; "old_unicast_checksum never" refuses them, and the
// legacy mode accepts them silently and refuses standard ones.
func TestCheckLegacyChecksum(t *testing.T) {
	old := captures()[3]
	exp := Expect{Name: "VI_1", Family: IPv4, Version: 3, VRID: 62, VIPs: addrs("192.0.2.120"),
		UnicastPeers: []Peer{{Addr: peerA, MaxTTL: 255}}}
	for _, tt := range []struct {
		mode ChecksumMode
		ok   bool
		log  string
	}{
		{ChecksumAuto, true, "(VI_1) Setting unicast VRRPv3 checksum to old version"},
		{ChecksumNever, false, ""},
		{ChecksumLegacy, true, ""},
	} {
		e := exp
		e.Checksum = tt.mode
		res, err := Check(old.received(t), e)
		if tt.ok && (err != nil || res.Checksum != ChecksumLegacyUnicast || res.Log != tt.log) {
			t.Errorf("mode %d: %+v, %v", tt.mode, res, err)
		}
		if !tt.ok {
			wantFailure(t, res, err, failure{check: CheckChecksum, log: "(VI_1) Invalid VRRPv3 checksum"})
		}
	}
	// A standard advert to an instance already in legacy mode fails.
	res, err := run(t, baseV3Unicast, func(_ *spec, e *Expect) { e.Checksum = ChecksumLegacy })
	wantFailure(t, res, err, failure{check: CheckChecksum, log: "(VI_2) Invalid VRRPv3 checksum"})
	// A multicast instance never retries with the legacy sum.
	s, _ := baseV3Unicast()
	s.dst = peerB
	p, _ := s.a.MarshalLegacyUnicast(s.src)
	pkt, _ := NewAdvertIPv4Header(peerA, peerB, 1, 255).MarshalPacket(p)
	e := Expect{Name: "VI_3", Family: IPv4, Version: 3, VRID: 60, VIPs: s.a.Addrs}
	res, err = Check(Received{Packet: pkt}, e)
	wantFailure(t, res, err, failure{check: CheckChecksum, log: "(VI_3) Invalid VRRPv3 checksum"})
}

func TestCheckPriorityZero(t *testing.T) {
	res, err := run(t, baseV2, func(s *spec, _ *Expect) { s.a.Priority = 0 })
	if err != nil || !res.PriorityZero || !res.Counted {
		t.Errorf("priority 0: %+v, %v; want PriorityZero", res, err)
	}
}

func TestCheckAHUnsupported(t *testing.T) {
	for _, ah := range []bool{false, true} {
		res, err := run(t, baseV2, func(s *spec, e *Expect) { s.ah, e.AuthType = ah, AuthAH })
		var ce *CheckError
		if !errors.Is(err, ErrAHUnsupported) || !errors.As(err, &ce) || ce.Check != CheckAH || res.Counted {
			t.Errorf("AH packet %v: %+v, %v; want ErrAHUnsupported", ah, res, err)
		}
	}
	// For VRRPv3 keepalived ignores the authentication block.
	if _, err := run(t, baseV3Unicast, func(_ *spec, e *Expect) { e.AuthType = AuthAH }); err != nil {
		t.Errorf("v3 with auth_type AH: %v", err)
	}
}

func TestCheckInvalidExpect(t *testing.T) {
	s, _ := baseV2()
	rx := s.received(t)
	for _, tt := range []struct {
		e    Expect
		want error
	}{
		{Expect{Version: 2}, ErrFamily},
		{Expect{Family: IPv4, Version: 4}, ErrBadVersion},
		{Expect{Family: IPv6, Version: 2}, ErrFamily},
	} {
		var ce *CheckError
		if _, err := Check(rx, tt.e); !errors.Is(err, tt.want) || errors.As(err, &ce) {
			t.Errorf("Check(%+v): err = %v, want plain %v", tt.e, err, tt.want)
		}
	}
}

func TestCheckErrorText(t *testing.T) {
	_, err := run(t, baseV2, func(_ *spec, e *Expect) { e.AdvertInt = 2 })
	want := `vrrp: advert rejected: check 6 (interval) failed: "(VI_1) advertisement interval mismatch mine=2 sec rcv'd=1 sec"`
	if err == nil || err.Error() != want {
		t.Errorf("Error() = %v, want %s", err, want)
	}
	for c, name := range map[CheckID]string{CheckHeader: "header", CheckVRID: "vrid", CheckUnicastSrc: "unicast-src", 99: "CheckID(99)"} {
		if c.String() != name {
			t.Errorf("%d.String() = %q, want %q", c, c.String(), name)
		}
	}
	for c, name := range map[Counter]string{CounterNone: "none", CounterAuthFailure: "auth_failure", 42: "Counter(42)"} {
		if c.String() != name {
			t.Errorf("%d.String() = %q, want %q", c, c.String(), name)
		}
	}
}
