package dumps

import (
	"bufio"
	"fmt"
	"io"
)

// statField is one counter with its JSON key.
type statField struct {
	json string
	v    uint64
}

// statFields lists the counters in keepalived's order.
func statFields(s *Stats) []statField {
	return []statField{
		{"advert_rcvd", s.AdvertRcvd}, {"advert_sent", s.AdvertSent},
		{"become_master", s.BecomeMaster}, {"release_master", s.ReleaseMaster},
		{"packet_len_err", s.PacketLenErr}, {"advert_interval_err", s.AdvertIntervalErr},
		{"ip_ttl_err", s.IPTTLErr}, {"invalid_type_rcvd", s.InvalidTypeRcvd},
		{"addr_list_err", s.AddrListErr}, {"invalid_authtype", s.InvalidAuthType},
		{"authtype_mismatch", s.AuthTypeMismatch}, {"auth_failure", s.AuthFailure},
		{"pri_zero_rcvd", s.PriZeroRcvd}, {"pri_zero_sent", s.PriZeroSent},
	}
}

// WriteStats writes keepalived 2.2.7's statistics dump of insts (the
// content of /tmp/keepalived.stats, reference §6): per instance a block of
// lines indented by two spaces a level. For STATS_CLEAR the caller writes
// the file, then zeroes its counters.
func WriteStats(w io.Writer, insts []Instance) error {
	bw := bufio.NewWriter(w)
	for i := range insts {
		s := &insts[i].Stats
		fmt.Fprintf(bw, "VRRP Instance: %s\n", insts[i].Config.Name)
		fmt.Fprintf(bw, "  Advertisements:\n    Received: %d\n    Sent: %d\n", s.AdvertRcvd, s.AdvertSent)
		fmt.Fprintf(bw, "  Became master: %d\n  Released master: %d\n", s.BecomeMaster, s.ReleaseMaster)
		fmt.Fprintf(bw, "  Packet Errors:\n    Length: %d\n    TTL: %d\n    Invalid Type: %d\n", s.PacketLenErr, s.IPTTLErr, s.InvalidTypeRcvd)
		fmt.Fprintf(bw, "    Advertisement Interval: %d\n    Address List: %d\n", s.AdvertIntervalErr, s.AddrListErr)
		fmt.Fprintf(bw, "  Authentication Errors:\n    Invalid Type: %d\n    Type Mismatch: %d\n    Failure: %d\n",
			s.InvalidAuthType, s.AuthTypeMismatch, s.AuthFailure)
		fmt.Fprintf(bw, "  Priority Zero:\n    Received: %d\n    Sent: %d\n", s.PriZeroRcvd, s.PriZeroSent)
	}
	return bw.Flush()
}
