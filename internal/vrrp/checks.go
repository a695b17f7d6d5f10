package vrrp

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// ahHeaderLen is sizeof(ipsec_ah_t) in keepalived: next header, payload
// length, reserved, SPI, sequence number and a 96-bit ICV.
const ahHeaderLen = 24

// Errors wrapped by a *CheckError.
var (
	// ErrRejected is wrapped by every *CheckError for an advert keepalived
	// would discard.
	ErrRejected = errors.New("vrrp: advert rejected")
	// ErrAHUnsupported is wrapped when the instance expects IPsec AH
	// authentication, which gokeepalived does not implement.
	ErrAHUnsupported = errors.New("vrrp: IPsec AH authentication is not supported")
)

// CheckID identifies one of keepalived's receive checks. The numbered ones
// are the ordered checks of vrrp_check_packet (reference §7.4); CheckHeader
// and CheckVRID come before them, in keepalived's socket read and demux.
type CheckID uint8

// The receive checks, in the order Check applies them.
const (
	CheckHeader     CheckID = 0  // not even a whole IP + VRRP header (vrrp_get_header)
	CheckVRID       CheckID = 14 // advert for another VRID (the demux)
	CheckAH         CheckID = 1  // AH header present iff auth type AH
	CheckLength     CheckID = 2  // received length = headers + Count addresses [+ auth data]
	CheckTTL        CheckID = 3  // TTL/hop limit 255, multicast instances only
	CheckVersion    CheckID = 4  // version = configured version
	CheckAuth       CheckID = 5  // VRRPv2 auth type and password
	CheckInterval   CheckID = 6  // VRRPv2 advert interval = ours
	CheckType       CheckID = 7  // type = advertisement
	CheckAddrCount  CheckID = 8  // Count = number of VIPs (when checking addresses)
	CheckTotalLen   CheckID = 9  // IPv4 total length = bytes received
	CheckChecksum   CheckID = 10 // VRRP checksum (IPv4; the kernel does IPv6)
	CheckCast       CheckID = 11 // multicast destination iff no unicast peers
	CheckVIPs       CheckID = 12 // every VIP present (when checking addresses)
	CheckUnicastSrc CheckID = 13 // source is a peer and TTL in its range
)

// String returns a short name for the check.
func (c CheckID) String() string {
	names := [...]string{"header", "ah", "length", "ttl", "version", "auth", "interval", "type",
		"addr-count", "total-length", "checksum", "cast", "vips", "unicast-src", "vrid"}
	if int(c) < len(names) {
		return names[c]
	}
	return fmt.Sprintf("CheckID(%d)", uint8(c))
}

// Counter names the keepalived statistics counter (reference §6) that a
// failed check increments.
type Counter uint8

// The counters a receive check can increment.
const (
	CounterNone Counter = iota // the failure is not counted
	CounterPacketLenErr
	CounterIPTTLErr
	CounterInvalidTypeRcvd
	CounterAddrListErr
	CounterInvalidAuthType
	CounterAuthTypeMismatch
	CounterAuthFailure
)

// String returns the counter's name in keepalived's JSON stats, such as
// "packet_len_err", or "none".
func (c Counter) String() string {
	names := [...]string{"none", "packet_len_err", "ip_ttl_err", "invalid_type_rcvd", "addr_list_err",
		"invalid_authtype", "authtype_mismatch", "auth_failure"}
	if int(c) < len(names) {
		return names[c]
	}
	return fmt.Sprintf("Counter(%d)", uint8(c))
}

// CheckError reports an advert that keepalived would discard: which check
// failed, which statistics counter keepalived increments for it and the line
// it logs. It is a plain value, safe for concurrent use.
type CheckError struct {
	Check   CheckID
	Counter Counter
	// Log is the line keepalived 2.2.7 logs, without timestamp or syslog
	// prefix, such as "(VI_1) wrong version. Received 3 and expect 2". It is
	// empty where keepalived logs nothing (CheckVRID: keepalived logs
	// "Unknown VRID(%d) received on interface(%s). ignoring..." only with
	// log_unknown_vrids, and only if no instance on the socket has the VRID,
	// which the demultiplexing caller knows).
	Log string
	// Err is ErrRejected, or ErrAHUnsupported.
	Err error
}

// Error describes the failure in one line.
func (e *CheckError) Error() string {
	return fmt.Sprintf("%v: check %d (%v) failed: %q", e.Err, e.Check, e.Check, e.Log)
}

// Unwrap returns Err.
func (e *CheckError) Unwrap() error { return e.Err }

// Peer is a unicast_peer with its optional TTL range. keepalived's defaults
// are MinTTL 0 and MaxTTL 255; the zero Peer has MaxTTL 0.
type Peer struct {
	Addr   netip.Addr
	MinTTL uint8
	MaxTTL uint8
}

// Expect is what a vrrp_instance expects of the adverts it receives. It is a
// plain value, safe for concurrent use when not mutated.
type Expect struct {
	Name    string // instance name, for log lines: "(Name) ..."
	Family  Family
	Version uint8 // 2 or 3; VRRPv2 is IPv4 only
	VRID    uint8

	// AuthType and AuthData are the VRRPv2 authentication block; AuthData is
	// the auth_pass zero-padded to 8 bytes. AuthAH is refused.
	AuthType AuthType
	AuthData [AuthDataLen]byte
	// AdvertInt is the VRRPv2 advert_int in seconds.
	AdvertInt uint8

	// VIPs are the virtual_ipaddress entries, in configuration order.
	VIPs []netip.Addr
	// UnicastPeers makes the instance a unicast one when not empty.
	UnicastPeers []Peer
	// CheckUnicastSrc is global vrrp_check_unicast_src or the instance's
	// check_unicast_src, which a peer's min_ttl/max_ttl also turns on.
	CheckUnicastSrc bool
	// SkipCheckAdvAddr and Master decide whether addresses are checked:
	// keepalived skips checks 8, 12 and 13 only in BACKUP state with
	// skip_check_adv_addr, for adverts from the master it last accepted.
	// Master is that master's address while BACKUP, and zero otherwise.
	SkipCheckAdvAddr bool
	Master           netip.Addr
	// Checksum is the old_unicast_checksum setting.
	Checksum ChecksumMode
}

// Received is an advert as the socket layer got it. It is a plain value,
// safe for concurrent use when not mutated.
type Received struct {
	// Packet is, for IPv4, the packet from its IP header on, as a raw
	// socket returns it; for IPv6, the VRRP packet (the IP payload).
	Packet []byte
	// Src, Dst and HopLimit are used for IPv6 only; for IPv4 keepalived
	// takes source, destination and TTL from the IP header. Src is the
	// sender, Dst the destination from IPV6_PKTINFO (zero if absent: not
	// multicast) and HopLimit the value from IPV6_HOPLIMIT (-1 if absent:
	// not checked).
	Src      netip.Addr
	Dst      netip.Addr
	HopLimit int
}

// Result is what Check learnt about a received advert. It is a plain value,
// safe for concurrent use when not mutated.
type Result struct {
	// Advert is the decoded advert; set once checks 1 to 11 have passed.
	Advert Advert
	// Src is the advert's source address (for IPv4 from the IP header).
	Src netip.Addr
	// Counted reports that keepalived incremented advert_rcvd, which it
	// does after check 11: true for accepted adverts and for those failing
	// checks 12 or 13.
	Counted bool
	// PriorityZero reports that keepalived incremented pri_zero_rcvd: an
	// accepted advert with priority 0.
	PriorityZero bool
	// Checksum is the checksum variant that verified (IPv4 only).
	Checksum ChecksumVariant
	// Log is an informational line keepalived logs for an accepted advert:
	// "(Name) Setting unicast VRRPv3 checksum to old version" when a
	// ChecksumAuto unicast instance sees a legacy checksum, after which the
	// caller should switch the instance to ChecksumLegacy.
	Log string
}

// checker holds the state of one Check call.
type checker struct {
	exp      Expect
	buf      []byte // everything received
	vrrp     []byte // from the VRRP header on
	tot, ihl int    // IPv4 total length field and header length
	proto    uint8  // IPv4 protocol
	src, dst netip.Addr
	ttl      int // TTL or hop limit, -1 if unknown
	mcast    bool
	unicast  bool
	addrs    bool // whether addresses are checked
	res      Result
}

// Check applies keepalived 2.2.7's receive checks (vrrp_get_header, the VRID
// demux, then vrrp_check_packet, reference §7.4) to rx in keepalived's order
// and returns the advert, or a *CheckError for the first check that fails.
// The Result is returned in both cases, as Counted matters for failures too.
// An invalid exp (family, version, VRRPv2 over IPv6) returns a plain error
// wrapping ErrFamily or ErrBadVersion.
func Check(rx Received, exp Expect) (Result, error) {
	if err := exp.validate(); err != nil {
		return Result{}, err
	}
	c := &checker{exp: exp, buf: rx.Packet, unicast: len(exp.UnicastPeers) > 0}
	if e := c.header(rx); e != nil {
		return c.res, e
	}
	c.res.Src = c.src
	c.addrs = !(exp.SkipCheckAdvAddr && exp.Master.IsValid() && exp.Master.WithZone("") == c.src.WithZone(""))
	steps := []func() *CheckError{c.vrid, c.ah, c.length, c.ttlCheck, c.version, c.auth, c.interval,
		c.pktType, c.addrCount, c.totalLen, c.checksum, c.cast}
	for _, step := range steps {
		if e := step(); e != nil {
			return c.res, e
		}
	}
	a, err := ParseAdvert(c.vrrp, exp.Family)
	if err != nil {
		return Result{}, fmt.Errorf("vrrp: advert passed checks 1-11 but does not parse: %w", err)
	}
	c.res.Advert = a
	c.res.Counted = true // "Correct type, version, and length. Count as VRRP advertisement"
	if c.addrs {
		if e := c.vips(); e != nil {
			return c.res, e
		}
		if e := c.unicastSrc(); e != nil {
			return c.res, e
		}
	}
	c.res.PriorityZero = a.Priority == 0
	return c.res, nil
}

// PeekVRID returns the VRID of a received packet, for demultiplexing it to
// an instance, after the same minimum-length checks as Check (a failure is a
// *CheckError for CheckHeader). For IPv4 b starts with the IP header.
func PeekVRID(b []byte, fam Family) (uint8, error) {
	c := &checker{exp: Expect{Family: fam}, buf: b}
	if e := c.header(Received{Packet: b, HopLimit: -1}); e != nil {
		return 0, e
	}
	return c.vrrp[1], nil
}

// validate rejects expectations keepalived's configuration would not allow.
func (exp Expect) validate() error {
	if exp.Family.addrLen() == 0 {
		return fmt.Errorf("%w: instance family %v", ErrFamily, exp.Family)
	}
	if exp.Version != 2 && exp.Version != 3 {
		return fmt.Errorf("%w: instance version %d", ErrBadVersion, exp.Version)
	}
	if exp.Version == 2 && exp.Family != IPv4 {
		return fmt.Errorf("%w: VRRPv2 instance over %v", ErrFamily, exp.Family)
	}
	return nil
}

// fail builds the *CheckError for a failed check, prefixing the log line
// with the instance name as keepalived does.
func (c *checker) fail(check CheckID, counter Counter, format string, args ...any) *CheckError {
	return &CheckError{
		Check:   check,
		Counter: counter,
		Log:     "(" + c.exp.Name + ") " + fmt.Sprintf(format, args...),
		Err:     ErrRejected,
	}
}

// header is vrrp_get_header plus the packet facts keepalived's read
// dispatcher records: source, destination, TTL and multicast flag.
func (c *checker) header(rx Received) *CheckError {
	n := len(c.buf)
	if c.exp.Family == IPv6 {
		if n < HeaderLen {
			return &CheckError{Check: CheckHeader, Err: ErrRejected,
				Log: fmt.Sprintf("IPv6 VRRP packet too short - %d bytes", n)}
		}
		c.vrrp = c.buf
		c.src, c.dst, c.ttl = rx.Src, rx.Dst, rx.HopLimit
		c.mcast = rx.Dst.IsMulticast()
		return nil
	}
	// Built only on failure: every advert passes through here.
	short := func(what string) *CheckError {
		return &CheckError{Check: CheckHeader, Err: ErrRejected, Log: fmt.Sprintf("IPv4 VRRP packet %s - %d bytes", what, n)}
	}
	if n < IPv4HeaderLen || n < int(c.buf[0]&0x0f)*4+HeaderLen {
		return short("too short")
	}
	h, err := ParseIPv4Header(c.buf)
	if err != nil {
		// A bad IP version or an IHL below 5: the kernel never delivers
		// such a packet to a raw socket, so keepalived has no message.
		return short("with bad IP header")
	}
	c.ihl, c.tot, c.proto = h.Len(), int(h.TotalLen), h.Protocol
	off := c.ihl
	if h.Protocol == ProtocolAH {
		if n < off+ahHeaderLen+HeaderLen {
			return short("with AH too short")
		}
		off += ahHeaderLen
	}
	c.vrrp = c.buf[off:]
	c.src, c.dst, c.ttl = h.Src, h.Dst, int(h.TTL)
	c.mcast = h.Dst.IsMulticast()
	return nil
}

// vrid is the demux: keepalived hands the advert to the instance with its
// VRID on that socket, and silently drops it if there is none.
func (c *checker) vrid() *CheckError {
	if c.vrrp[1] != c.exp.VRID {
		return &CheckError{Check: CheckVRID, Err: ErrRejected}
	}
	return nil
}

// ah is check 1. gokeepalived refuses AH instances here, where keepalived
// would go on to check the AH header.
func (c *checker) ah() *CheckError {
	if c.exp.AuthType == AuthAH && c.exp.Version == 2 {
		e := c.fail(CheckAH, CounterNone, "auth_type AH is not supported")
		e.Err = ErrAHUnsupported
		return e
	}
	if c.exp.Family == IPv4 && c.proto == ProtocolAH {
		return c.fail(CheckAH, CounterAuthTypeMismatch, "Received AH header but auth type not AH")
	}
	return nil
}

// length is check 2: the expected length is computed from the advert's own
// version and Count (RFC 5798 §7.1: "MUST verify that the received packet
// contains the complete VRRP packet").
func (c *checker) length() *CheckError {
	want := c.ihl + encodedLen(c.vrrp[0]>>4, c.exp.Family, int(c.vrrp[3]))
	if c.exp.Family == IPv6 && c.vrrp[0]>>4 == 2 {
		want -= AuthDataLen // keepalived's VRRPv2 over IPv6 has no auth data
	}
	if got := len(c.buf); got != want {
		dir := "short"
		if got > want {
			dir = "long"
		}
		return c.fail(CheckLength, CounterPacketLenErr, "vrrp packet too %s, length %d and expect %d", dir, got, want)
	}
	return nil
}

// ttlCheck is check 3 (RFC 5798 §7.1: "MUST verify that the IPv4 TTL/IPv6
// HL is 255"), which keepalived applies to multicast instances only.
func (c *checker) ttlCheck() *CheckError {
	if !c.unicast && c.ttl != -1 && c.ttl != DefaultTTL {
		return c.fail(CheckTTL, CounterIPTTLErr, "invalid TTL/HL. Received %d and expect %d", c.ttl, DefaultTTL)
	}
	return nil
}

// version is check 4; keepalived counts it only in SNMP (vers_err).
func (c *checker) version() *CheckError {
	if v := c.vrrp[0] >> 4; v != c.exp.Version {
		return c.fail(CheckVersion, CounterNone, "wrong version. Received %d and expect %d", v, c.exp.Version)
	}
	return nil
}

// auth is check 5, VRRPv2 only (RFC 2338 §7.1 authentication; RFC 3768
// §5.3.6 keeps the field).
func (c *checker) auth() *CheckError {
	if c.exp.Version != 2 {
		return nil
	}
	at := AuthType(c.vrrp[4])
	if at != AuthNone && at != AuthPass && at != AuthAH {
		return c.fail(CheckAuth, CounterInvalidAuthType, "Invalid auth type: %d", at)
	}
	if at != c.exp.AuthType {
		return c.fail(CheckAuth, CounterAuthTypeMismatch, "received a %d auth, expecting %d!", at, c.exp.AuthType)
	}
	if at == AuthPass {
		// keepalived reads the password at ip + tot_len - 8, before it has
		// compared tot_len with the bytes received (check 9); a password
		// outside the buffer cannot match.
		pw := c.tot - AuthDataLen
		if pw < 0 || c.tot > len(c.buf) ||
			subtle.ConstantTimeCompare(c.buf[pw:c.tot], c.exp.AuthData[:]) != 1 {
			return c.fail(CheckAuth, CounterAuthFailure, "received an invalid passwd!")
		}
	}
	return nil
}

// interval is check 6 (RFC 3768 §7.1: "MUST verify that the Adver Interval
// in the packet is the same as the locally configured"). keepalived drops
// the advert without counting it (advert_interval_err is never incremented).
func (c *checker) interval() *CheckError {
	if c.exp.Version != 2 {
		return nil // VRRPv3 backups adopt the master's interval
	}
	if got := c.vrrp[5]; got != c.exp.AdvertInt {
		return c.fail(CheckInterval, CounterNone, "advertisement interval mismatch mine=%d sec rcv'd=%d sec",
			c.exp.AdvertInt, got)
	}
	return nil
}

// pktType is check 7 (RFC 5798 §5.2.2: other types are discarded).
func (c *checker) pktType() *CheckError {
	if t := c.vrrp[0] & 0x0f; t != TypeAdvertisement {
		return c.fail(CheckType, CounterInvalidTypeRcvd, "Invalid packet type. %d and expect %d", t, TypeAdvertisement)
	}
	return nil
}

// addrCount is check 8 (RFC 5798 §7.1: "MAY verify that "Count IPvX Addrs"
// and the list of IPvX address(es) matches").
func (c *checker) addrCount() *CheckError {
	if n := int(c.vrrp[3]); c.addrs && n != len(c.exp.VIPs) {
		return c.fail(CheckAddrCount, CounterAddrListErr, "received an unexpected ip number count %d, expected %d!",
			n, len(c.exp.VIPs))
	}
	return nil
}

// totalLen is check 9: the IPv4 total length against the bytes received.
func (c *checker) totalLen() *CheckError {
	if c.exp.Family == IPv4 && c.tot != len(c.buf) {
		return c.fail(CheckTotalLen, CounterPacketLenErr, "ip_tot_len mismatch against received length. %d and received %d",
			c.tot, len(c.buf))
	}
	return nil
}

// checksum is check 10 (RFC 5798 §7.1: "MUST verify the VRRP checksum").
// keepalived verifies IPv4 only; the kernel verifies IPv6 (IPV6_CHECKSUM).
// The failure is counted only in SNMP (chk_err).
func (c *checker) checksum() *CheckError {
	if c.exp.Family != IPv4 {
		return nil
	}
	mode := c.exp.Checksum
	if mode == ChecksumAuto && !c.unicast {
		mode = ChecksumNever // keepalived retries the legacy sum for unicast instances only
	}
	v, err := VerifyChecksum(c.vrrp, c.src, c.dst, mode)
	if err != nil {
		return c.fail(CheckChecksum, CounterNone, "Invalid VRRPv%d checksum", c.exp.Version)
	}
	c.res.Checksum = v
	if v == ChecksumLegacyUnicast && mode == ChecksumAuto {
		c.res.Log = "(" + c.exp.Name + ") Setting unicast VRRPv3 checksum to old version"
	}
	return nil
}

// cast is check 11: a multicast instance takes only multicast adverts and a
// unicast one only unicast adverts.
func (c *checker) cast() *CheckError {
	if c.mcast == c.unicast {
		want, got := "mult", "un"
		if c.unicast {
			want, got = got, want
		}
		return c.fail(CheckCast, CounterAddrListErr, "Expected %sicast packet but received %sicast packet", want, got)
	}
	return nil
}

// vips is check 12 (RFC 5798 §7.1 MAY verify the address list): every
// configured VIP, in configuration order, must be in the advert.
func (c *checker) vips() *CheckError {
	for _, vip := range c.exp.VIPs {
		if !slices.Contains(c.res.Advert.Addrs, vip.WithZone("")) {
			return c.fail(CheckVIPs, CounterAddrListErr, "ip address associated with VRID %d not present in MASTER advert: %v",
				c.exp.VRID, vip.WithZone(""))
		}
	}
	return nil
}

// unicastSrc is check 13: with check_unicast_src a unicast instance takes
// adverts from its peers only, and with the peer's TTL range.
func (c *checker) unicastSrc() *CheckError {
	if !c.unicast || !c.exp.CheckUnicastSrc {
		return nil
	}
	i := slices.IndexFunc(c.exp.UnicastPeers, func(p Peer) bool {
		return p.Addr.WithZone("") == c.src.WithZone("")
	})
	if i < 0 {
		return c.fail(CheckUnicastSrc, CounterNone, "unicast source address %v not a unicast peer", c.src.WithZone(""))
	}
	p := c.exp.UnicastPeers[i]
	if c.ttl != -1 && (c.ttl < int(p.MinTTL) || c.ttl > int(p.MaxTTL)) {
		return c.fail(CheckUnicastSrc, CounterIPTTLErr, "TTL/HL %d not in range %d - %d", c.ttl, p.MinTTL, p.MaxTTL)
	}
	return nil
}
