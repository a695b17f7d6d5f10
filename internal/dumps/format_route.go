package dumps

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// FormatRoute returns a virtual_routes line as keepalived 2.2.7 prints it
// in its dumps (format_iproute), for example
// "prepend 203.0.113.0/24 via inet 192.0.2.254 dev eth0 proto 18": the
// operation first, the numbers of tables, protocols, scopes, TOS and
// realms (as the configuration holds them), the type by name, and "or"
// gateways as nexthops.
func FormatRoute(r *config.Route) string {
	var b strings.Builder
	b.WriteString(routeOp(r))
	if r.Type >= 0 && r.Type != 1 { // keepalived's default, RTN_UNICAST
		b.WriteString(" " + config.RouteTypeName(r.Type))
	}
	b.WriteString(" " + prefixText(r.Dst))
	if r.From.IsValid() {
		b.WriteString(" from " + prefixText(r.From))
	}
	if r.Src.IsValid() {
		b.WriteString(" src " + r.Src.String())
	}
	if r.Tos >= 0 {
		fmt.Fprintf(&b, " tos %d", r.Tos)
	}
	if args, ok := routeOption(r, "encap"); ok {
		b.WriteString(formatEncap(args))
	}
	if r.Via.IsValid() && !r.Or.IsValid() {
		b.WriteString(" via " + familyWord(r.Via.Is6()) + " " + r.Via.String())
	}
	if r.Dev != "" {
		b.WriteString(" dev " + r.Dev)
	}
	if r.Table >= 0 && r.Table != 254 { // not given: main
		fmt.Fprintf(&b, " table %d", r.Table)
	}
	if r.Protocol >= 0 {
		fmt.Fprintf(&b, " proto %d", r.Protocol)
	}
	if r.Scope >= 0 {
		fmt.Fprintf(&b, " scope %d", r.Scope)
	}
	if r.Metric >= 0 {
		fmt.Fprintf(&b, " metric %d", r.Metric)
	}
	if r.Onlink && r.Family != config.IPv6 {
		b.WriteString(" onlink")
	}
	b.WriteString(realmsText(r.Realms, r.Realms))
	formatRouteOptions(&b, r)
	formatNexthops(&b, r)
	flag(&b, " no_track", r.NoTrack)
	if r.TrackGroup != "" {
		b.WriteString(" track_group " + r.TrackGroup)
	}
	return b.String()
}

// routeOp is the operation keepalived prints: "add" for a route with an
// explicit type (even "prepend broadcast ..."), else as written, else
// "prepend".
func routeOp(r *config.Route) string {
	switch {
	case r.Type >= 0:
		return "add"
	case r.Op != "":
		return r.Op
	}
	return "prepend"
}

func familyWord(is6 bool) string {
	if is6 {
		return "inet6"
	}
	return "inet"
}

// routeOption returns the arguments of the route's `ip route` option kw.
func routeOption(r *config.Route, kw string) ([]string, bool) {
	for _, o := range r.Options {
		if o.Keyword == kw {
			return o.Args, true
		}
	}
	return nil, false
}

// formatRouteOptions writes the metrics and other `ip route` options in
// keepalived's order.
func formatRouteOptions(b *strings.Builder, r *config.Route) {
	for _, kw := range []string{"expires", "congctl", "rtt", "rttvar", "rto_min", "features",
		"mtu", "window", "ssthresh", "cwnd", "advmss", "reordering", "hoplimit", "initcwnd",
		"initrwnd", "quickack", "pref", "fastopen_no_cookie", "ttl-propagate"} {
		args, ok := routeOption(r, kw)
		if !ok || len(args) == 0 {
			continue
		}
		lock := len(args) > 1 && args[0] == "lock"
		val := args[len(args)-1]
		switch kw {
		case "expires":
			b.WriteString(" expires " + val + "sec")
		case "congctl":
			b.WriteString(" congctl " + val)
			if lock {
				b.WriteString("lock ")
			}
		case "rtt", "rttvar", "rto_min":
			b.WriteString(" " + kw)
			flag(b, " lock", lock)
			b.WriteString(" " + rttText(kw, val))
		case "features":
			b.WriteString(" features ecn")
		case "pref":
			b.WriteString(" pref " + prefText(val))
		case "mtu", "ssthresh", "cwnd", "advmss", "reordering":
			b.WriteString(" " + kw + " ")
			flag(b, "lock ", lock)
			b.WriteString(val)
		default:
			b.WriteString(" " + kw + " " + val)
		}
	}
}

// rttText converts an rtt, rttvar or rto_min value as keepalived reads it
// (iproute2's get_time_rtt, then scaled by 8 for rtt and, keepalived's
// slip, for rttvar too) and prints it back: rtt /8 (seconds /8000), rttvar
// /4 (seconds /8000, from 4000 up), rto_min as is.
func rttText(kw, val string) string {
	num := strings.TrimRight(val, "abcdefghijklmnopqrstuvwxyz")
	unit := val[len(num):]
	t, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return val
	}
	switch unit {
	case "s", "sec", "secs":
		t *= 1000
	case "us", "usec", "usecs":
		t /= 1000
	}
	stored := uint64(t)
	msDiv, secDiv, from := uint64(1), 1000.0, uint64(1000)
	switch kw {
	case "rtt":
		msDiv, secDiv, from = 8, 8000, 8000
	case "rttvar":
		msDiv, secDiv, from = 4, 8000, 4000
	}
	if kw != "rto_min" && unit != "" {
		stored *= 8
	}
	if stored >= from {
		return strconv.FormatFloat(float64(stored)/secDiv, 'g', 6, 64) + "s"
	}
	return strconv.FormatUint(stored/msDiv, 10) + "ms"
}

// prefText names an IPv6 route preference.
func prefText(v string) string {
	switch v {
	case "low", "medium", "high":
		return v
	case "3":
		return "low"
	case "0":
		return "medium"
	case "1":
		return "high"
	}
	return "unknown"
}

// realmsText prints realms v as keepalived does; high decides between
// "realms F/T" and "realm T" (for nexthops keepalived tests the route's).
func realmsText(high, v uint32) string {
	if v == 0 {
		return ""
	}
	if high&0xffff0000 != 0 {
		return fmt.Sprintf(" realms %d/%d", v>>16, v&0xffff)
	}
	return fmt.Sprintf(" realm %d", v&0xffff)
}

// formatNexthops writes the route's nexthops; a deprecated "via A or B"
// route is printed as two.
func formatNexthops(b *strings.Builder, r *config.Route) {
	nhs := r.Nexthops
	if r.Or.IsValid() {
		nhs = []config.Nexthop{{Via: r.Via}, {Via: r.Or}}
	}
	for _, nh := range nhs {
		b.WriteString(" nexthop")
		if nh.Via.IsValid() {
			b.WriteString(" via " + familyWord(nh.Via.Is6()) + " " + nh.Via.String())
		}
		if nh.Dev != "" {
			b.WriteString(" dev " + nh.Dev)
		}
		if nh.Weight > 0 {
			fmt.Fprintf(b, " weight %d", nh.Weight)
		}
		flag(b, " onlink", nh.Onlink)
		b.WriteString(realmsText(r.Realms, nh.Realms))
		if len(nh.Encap) > 0 {
			b.WriteString(formatEncap(nh.Encap))
		}
	}
}

// formatEncap prints an "encap" specification (its words after "encap").
func formatEncap(w []string) string {
	if len(w) == 0 {
		return ""
	}
	switch w[0] {
	case "mpls":
		var b strings.Builder
		b.WriteString(" encap mpls")
		if len(w) > 1 {
			// Label stack entries: the label shifted by 12, the last
			// with the bottom-of-stack bit.
			labels := strings.Split(w[1], "/")
			for i, l := range labels {
				v, _ := strconv.ParseUint(l, 0, 32)
				entry := v << 12
				sep := "/"
				if i == 0 {
					sep = " "
				}
				if i == len(labels)-1 {
					entry |= 0x100
				}
				fmt.Fprintf(&b, "%s%x", sep, entry)
			}
		}
		return b.String()
	case "ip", "ip6":
		return encapIP(w[0], w[1:])
	}
	return " encap " + strings.Join(w, " ")
}

// encapIP prints an ip or ip6 encapsulation's pairs in keepalived's order;
// the front end wrote a tos or tc it could resolve in decimal.
func encapIP(typ string, pairs []string) string {
	vals := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		vals[pairs[i]] = pairs[i+1]
	}
	order := []string{"id", "dst", "src", "tos", "ttl", "flags"}
	if typ == "ip6" {
		order = []string{"id", "dst", "src", "tc", "hoplimit", "flags"}
	}
	var b strings.Builder
	b.WriteString(" encap " + typ)
	for _, k := range order {
		v, ok := vals[k]
		if !ok {
			continue
		}
		switch k {
		case "tos", "tc":
			num, _ := strconv.ParseUint(v, 10, 8)
			fmt.Fprintf(&b, " %s %d", k, num)
		case "flags":
			num, _ := strconv.ParseUint(v, 0, 16)
			fmt.Fprintf(&b, " flags 0x%x", num)
		default:
			b.WriteString(" " + k + " " + v)
		}
	}
	return b.String()
}
