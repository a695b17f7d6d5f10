package exportertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrUnparsable wraps every reason the exporter rejects what it read, and
// tries again: a parse error, or data and statistics that disagree.
var ErrUnparsable = errors.New("unparsable")

// ErrTorn marks content on which the exporter's parser would index past
// the fields of a line (a line cut short, as a file being written has): the
// exporter itself panics there; here it counts as unparsable.
var ErrTorn = fmt.Errorf("%w: a line cut short", ErrUnparsable)

// States are the exporter's names of the instance states, by number
// (keepalived_vrrp_state).
var States = []string{"INIT", "BACKUP", "MASTER", "FAULT"}

// VRRP is what the exporter takes of one vrrp_instance: from the data dump
// and the statistics in text mode, from the JSON dump's "data" and "stats"
// objects in JSON mode.
type VRRP struct {
	Name         string   `json:"iname"`
	State        int      `json:"state"`
	WantState    int      `json:"wantstate"`
	Interface    string   `json:"ifp_ifname"`
	GARPDelay    int      `json:"garp_delay"`
	VRID         int      `json:"vrid"`
	VIPs         []string `json:"vips"`
	ExcludedVIPs []string `json:"evips"`
	Stats        Stats    `json:"-"`
}

// Stats are the exporter's counters of one instance.
type Stats struct {
	AdvertRcvd        int `json:"advert_rcvd"`
	AdvertSent        int `json:"advert_sent"`
	BecomeMaster      int `json:"become_master"`
	ReleaseMaster     int `json:"release_master"`
	PacketLenErr      int `json:"packet_len_err"`
	AdvertIntervalErr int `json:"advert_interval_err"`
	IPTTLErr          int `json:"ip_ttl_err"`
	InvalidTypeRcvd   int `json:"invalid_type_rcvd"`
	AddrListErr       int `json:"addr_list_err"`
	InvalidAuthType   int `json:"invalid_authtype"`
	AuthTypeMismatch  int `json:"authtype_mismatch"`
	AuthFailure       int `json:"auth_failure"`
	PRIZeroRcvd       int `json:"pri_zero_rcvd"`
	PRIZeroSent       int `json:"pri_zero_sent"`
}

// Script is a vrrp_script as the exporter reads it from the data dump
// (keepalived_script_status, keepalived_script_state).
type Script struct {
	Name, Status, State string
}

// ParseData reads the instances of a data dump (keepalived.data) by the
// exporter's rules (internal/collector/parser.go, ParseVRRPData): an
// instance starts at " VRRP Instance = NAME"; its lines are indented by
// three spaces, "Key = value" or "Key : value", and lines indented by five
// continue the list of the key before them (the VIPs); any other line ends
// the instance. An unknown state or a number that does not parse is an
// error.
func ParseData(b []byte) (map[string]*VRRP, error) {
	out := map[string]*VRRP{}
	var cur *VRRP
	var key string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, " VRRP Instance") && strings.Contains(l, "="):
			_, name, _ := strings.Cut(strings.TrimSpace(l), "=")
			cur = &VRRP{Name: strings.TrimSpace(name)}
			out[cur.Name] = cur
		case strings.HasPrefix(l, "   ") && cur != nil:
			var val string
			if strings.HasPrefix(l, "     ") {
				val = strings.TrimSpace(l)
			} else {
				sep := "="
				if !strings.Contains(l, sep) {
					if sep = ":"; !strings.Contains(l, sep) {
						continue
					}
				}
				k, v, _ := strings.Cut(strings.TrimSpace(l), sep)
				if key = strings.TrimSpace(k); key == "Virtual IP" {
					continue
				}
				// The exporter splits at every separator and keeps the
				// second field.
				v, _, _ = strings.Cut(v, sep)
				val = strings.TrimSpace(v)
			}
			if err := cur.set(key, val); err != nil {
				return out, err
			}
		case strings.HasPrefix(l, " VRRP Version") || strings.HasPrefix(l, " VRRP Script"):
		default:
			cur = nil
		}
	}
	return out, nil
}

// set applies one line of an instance's data.
func (v *VRRP) set(key, val string) error {
	if val != "" {
		switch {
		case strings.HasPrefix(key, "Virtual IP Excluded"):
			v.ExcludedVIPs = append(v.ExcludedVIPs, val)
		case strings.HasPrefix(key, "Virtual IP (") || key == "Virtual IP":
			v.VIPs = append(v.VIPs, val)
		}
	}
	var err error
	switch key {
	case "State", "Wantstate":
		i := slices.Index(States, val)
		if i < 0 {
			return fmt.Errorf("%w: %s: unknown %s %q", ErrUnparsable, v.Name, key, val)
		}
		if key == "State" {
			v.State = i
		} else {
			v.WantState = i
		}
	case "Interface", "Listening device":
		v.Interface = val
	case "Gratuitous ARP delay":
		v.GARPDelay, err = strconv.Atoi(val)
	case "Virtual Router ID":
		v.VRID, err = strconv.Atoi(val)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %s: %v", ErrUnparsable, v.Name, key, err)
	}
	return nil
}

// ParseScripts reads the vrrp_scripts of a data dump by the exporter's rules
// (ParseVRRPScript): a script starts at " VRRP Script = NAME", takes
// "Status" and "State" from its lines indented by three spaces, and ends at
// a line indented by less than four. It never fails.
func ParseScripts(b []byte) []Script {
	var out []Script
	var cur *Script
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, " VRRP Script") && strings.Contains(l, "="):
			flush()
			_, name, _ := strings.Cut(strings.TrimSpace(l), "=")
			cur = &Script{Name: strings.TrimSpace(name)}
		case strings.HasPrefix(l, "   ") && cur != nil:
			k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
			if !ok {
				continue
			}
			v, _, _ = strings.Cut(v, "=")
			switch strings.TrimSpace(k) {
			case "Status":
				cur.Status = strings.TrimSpace(v)
			case "State":
				cur.State = strings.TrimSpace(v)
			}
		case !strings.HasPrefix(l, "    "):
			flush()
		}
	}
	flush()
	return out
}

// statsFields are the counters of the statistics by section and key.
func statsFields(s *Stats) map[string]map[string]*int {
	return map[string]map[string]*int{
		"Advertisements": {"Received": &s.AdvertRcvd, "Sent": &s.AdvertSent},
		"Packet Errors": {"Length": &s.PacketLenErr, "TTL": &s.IPTTLErr, "Invalid Type": &s.InvalidTypeRcvd,
			"Advertisement Interval": &s.AdvertIntervalErr, "Address List": &s.AddrListErr},
		"Authentication Errors": {"Invalid Type": &s.InvalidAuthType, "Type Mismatch": &s.AuthTypeMismatch,
			"Failure": &s.AuthFailure},
		"Priority Zero": {"Received": &s.PRIZeroRcvd, "Sent": &s.PRIZeroSent},
		"":              {"Became master": &s.BecomeMaster, "Released master": &s.ReleaseMaster},
	}
}

// ParseStats reads the statistics (keepalived.stats) by the exporter's rules
// (ParseStats): "VRRP Instance: NAME" starts an instance, a line indented by
// two spaces and ending in ":" a section, and "Key: N" lines indented by
// four the section's counters, by two the instance's own. A counter that is
// not a number is an error; a counter line without its colon is [ErrTorn].
func ParseStats(b []byte) (map[string]*Stats, error) {
	out := map[string]*Stats{}
	var cur *Stats
	var fields map[string]map[string]*int
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		l := sc.Text()
		own := strings.HasPrefix(l, "  ") && !strings.HasSuffix(l, ":") && !strings.HasPrefix(l, "    ")
		switch {
		case strings.HasPrefix(l, "VRRP Instance") && strings.Contains(l, ":"):
			_, name, _ := strings.Cut(strings.TrimSpace(l), ":")
			cur = &Stats{}
			fields = statsFields(cur)
			out[strings.TrimSpace(name)] = cur
		case strings.HasPrefix(l, "  ") && strings.HasSuffix(l, ":"):
			s, _, _ := strings.Cut(strings.TrimSpace(l), ":")
			section = strings.TrimSpace(s)
		case strings.HasPrefix(l, "    ") && section != "" || own:
			if own {
				section = ""
			}
			k, v, ok := strings.Cut(strings.TrimSpace(l), ":")
			if !ok || cur == nil {
				return out, fmt.Errorf("%w: %q", ErrTorn, l)
			}
			v, _, _ = strings.Cut(v, ":")
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return out, fmt.Errorf("%w: %q: %v", ErrUnparsable, l, err)
			}
			if p := fields[section][strings.TrimSpace(k)]; p != nil {
				*p = n
			}
		}
	}
	return out, nil
}

// Join pairs the instances of the data dump with their statistics, as the
// exporter does before it reports them: the two must have as many
// instances, and every instance its statistics. The instances come sorted
// by name.
func Join(data map[string]*VRRP, stats map[string]*Stats) ([]VRRP, error) {
	if len(data) != len(stats) {
		return nil, fmt.Errorf("%w: keepalived.data has %d instances, keepalived.stats %d", ErrUnparsable, len(data), len(stats))
	}
	var out []VRRP
	for name, d := range data {
		s, ok := stats[name]
		if !ok {
			return nil, fmt.Errorf("%w: keepalived.stats has no instance %s", ErrUnparsable, name)
		}
		v := *d
		v.Stats = *s
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b VRRP) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ParseJSON reads the JSON dump (keepalived.json) as the exporter decodes it
// (ParseJSON): one array of {"data": ..., "stats": ...}; anything that does
// not decode, an empty file included, is an error. The instances come
// sorted by name.
func ParseJSON(b []byte) ([]VRRP, error) {
	var raw []struct {
		Data  VRRP  `json:"data"`
		Stats Stats `json:"stats"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnparsable, err)
	}
	out := make([]VRRP, 0, len(raw))
	for _, r := range raw {
		v := r.Data
		v.Stats = r.Stats
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b VRRP) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
