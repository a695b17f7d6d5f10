package exportertest

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// keepalivedDumps are keepalived 2.2.7's dumps of one host, kept by package
// dumps as its goldens.
const keepalivedDumps = "../dumps/testdata/full-a"

func readGolden(t *testing.T, ext string) []byte {
	t.Helper()
	b, err := os.ReadFile(keepalivedDumps + ext)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseKeepalivedDumps reads keepalived's own dumps by the exporter's
// rules: three instances, their fields, both scripts, the statistics, and
// the same instances from the JSON dump.
func TestParseKeepalivedDumps(t *testing.T) {
	data, err := ParseData(readGolden(t, ".ka-data"))
	if err != nil {
		t.Fatal(err)
	}
	stats, err := ParseStats(readGolden(t, ".stats"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := Join(data, stats)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range text {
		got = append(got, strings.Join([]string{v.Name, States[v.State], States[v.WantState], v.Interface,
			strings.Join(v.VIPs, "|"), strings.Join(v.ExcludedVIPs, "|")}, " / ")+
			" vrid "+strconv.Itoa(v.VRID)+" garp "+strconv.Itoa(v.GARPDelay))
	}
	want := []string{
		"VI_1 / MASTER / MASTER / eth0 / 192.0.2.100/24 dev eth0 scope global label eth0:vip set|192.0.2.101 dev eth0 scope global set|" +
			"192.0.2.103/24 dev eth0 scope global no_track set / 198.51.100.1/24 dev eth0 scope global set|203.0.113.5 dev eth1 scope global set vrid 51 garp 3",
		"VI_2 / BACKUP / BACKUP / vrrp.52, vmac on eth0, xmit base i/f / 192.0.2.110/24 dev vrrp.52@eth0 scope global /  vrid 52 garp 5",
		"VI_6 / MASTER / MASTER / eth0 / 2001:db8::100/64 dev eth0 scope global preferred_lft forever set|2001:db8::101 dev eth0 scope global deprecated set /  vrid 56 garp 5",
	}
	if !slices.Equal(got, want) {
		t.Errorf("instances:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := text[0].Stats; s.AdvertSent != 5 || s.BecomeMaster != 1 || text[1].Stats.AdvertRcvd != 13 {
		t.Errorf("statistics %+v, %+v", s, text[1].Stats)
	}
	scripts := ParseScripts(readGolden(t, ".ka-data"))
	if want := []Script{{"chk_ok", "GOOD", "idle"}, {"chk_args", "GOOD", "idle"}}; !slices.Equal(scripts, want) {
		t.Errorf("scripts %v, want %v", scripts, want)
	}

	fromJSON, err := ParseJSON(readGolden(t, ".json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fromJSON) != len(text) {
		t.Fatalf("JSON: %d instances, text %d", len(fromJSON), len(text))
	}
	for i, v := range fromJSON {
		v.Stats, text[i].Stats = Stats{}, Stats{} // dumped at other moments
		if v.Name == "VI_2" {
			// With a VMAC the data dump's Interface line says more than
			// the JSON's ifp_ifname, and the exporter keeps it whole.
			v.Interface, text[i].Interface = "", ""
		}
		if a, b := Values(Result{VRRPs: []VRRP{v}}), Values(Result{VRRPs: []VRRP{text[i]}}); a != b {
			t.Errorf("JSON and text differ:\n%s%s", a, b)
		}
	}
}

// TestParseTorn cuts keepalived's dumps short, as a reader that reads while
// the file is written sees them: the statistics cut inside a line are
// unparsable, where the exporter itself would panic; cut at a line they
// parse with fewer instances, which Join rejects; an empty or cut JSON dump
// does not decode. An empty data dump and statistics parse, as nothing: the
// exporter reports no instance at all.
func TestParseTorn(t *testing.T) {
	stats := string(readGolden(t, ".stats"))
	cut := strings.Index(stats, "VRRP Instance: VI_2") + len("VRRP Instance: VI_2\n  Advertisements:\n    Rec")
	if _, err := ParseStats([]byte(stats[:cut])); !errors.Is(err, ErrTorn) {
		t.Errorf("statistics cut inside a counter line: %v, want ErrTorn", err)
	}
	if _, err := ParseStats([]byte(stats[:cut-3] + "Received: 1")); err != nil {
		t.Errorf("statistics cut after a counter: %v", err)
	}
	data, err := ParseData(readGolden(t, ".ka-data"))
	if err != nil {
		t.Fatal(err)
	}
	atLine := strings.Index(stats, "VRRP Instance: VI_6")
	short, err := ParseStats([]byte(stats[:atLine]))
	if err != nil || len(short) != 2 {
		t.Fatalf("statistics cut at an instance: %d instances, %v", len(short), err)
	}
	if _, err := Join(data, short); !errors.Is(err, ErrUnparsable) {
		t.Errorf("Join with statistics of 2 of 3 instances: %v, want ErrUnparsable", err)
	}
	js := readGolden(t, ".json")
	for _, b := range [][]byte{nil, js[:len(js)/2]} {
		if _, err := ParseJSON(b); !errors.Is(err, ErrUnparsable) {
			t.Errorf("JSON of %d bytes: %v, want ErrUnparsable", len(b), err)
		}
	}
	d, err1 := ParseData(nil)
	s, err2 := ParseStats(nil)
	if v, err := Join(d, s); err1 != nil || err2 != nil || err != nil || len(v) != 0 {
		t.Errorf("empty data and statistics: %v, %v, %v, %v; want nothing, without error", v, err1, err2, err)
	}
}

// TestParseDataErrors: an unknown state or a VRID that is not a number
// make the exporter try again.
func TestParseDataErrors(t *testing.T) {
	for _, in := range []string{
		" VRRP Instance = VI_1\n   State = MASTR\n",
		" VRRP Instance = VI_1\n   Wantstate = \n",
		" VRRP Instance = VI_1\n   Virtual Router ID = 5x\n",
		" VRRP Instance = VI_1\n   Gratuitous ARP delay = \n",
	} {
		if _, err := ParseData([]byte(in)); !errors.Is(err, ErrUnparsable) {
			t.Errorf("%q: %v, want ErrUnparsable", in, err)
		}
	}
}

// TestParseVersion parses -v's first line as the exporter does.
func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		out  string
		want []int
	}{
		{"Keepalived v2.2.7 (01/16,2022)\n\nCopyright(C) 2001-2022 Alexandre Cassen\n", []int{2, 2, 7}},
		{"Keepalived v2.2.7 (gokeepalived 0.1.0)\n\n", []int{2, 2, 7}},
		{"Keepalived v1.3.5 (03/19,2017), git commit v1.3.5-6-g6fa32f2\n", []int{1, 3, 5}},
		{"Keepalived v2.2.7", nil},
		{"gokeepalived 0.1.0\n", nil},
	} {
		got, err := ParseVersion(tc.out)
		if !slices.Equal(got, tc.want) || (err == nil) != (tc.want != nil) {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v", tc.out, got, err, tc.want)
		}
	}
	if !AtLeast([]int{2, 2, 7}, 1, 3, 8) || AtLeast([]int{1, 3, 5}, 1, 3, 8) || !AtLeast(nil, 9) || !AtLeast([]int{1, 4}, 1, 4, 0) {
		t.Error("AtLeast")
	}
}
