package dumps

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteJSONMatchesKeepalived writes the JSON dump of each testdata
// configuration with the running state keepalived 2.2.7 reported for it
// and requires keepalived's own dump, byte for byte (reference §6). The
// goldens are keepalived's files: full-a and full-b from two hosts on one
// LAN (masters and backups, VMAC, unicast, IPv6, PASS), formats from one
// host with every address, route and rule form.
func TestWriteJSONMatchesKeepalived(t *testing.T) {
	for _, name := range []string{"full-a", "full-b", "formats"} {
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := loadConfig(t, name, scriptDir)
			insts := instancesLike(t, cfg, readKeepalivedJSON(t, golden))
			var got bytes.Buffer
			if err := writeJSON(&got, testNames(), insts); err != nil {
				t.Fatal(err)
			}
			want := installedIfindex.ReplaceAllString(string(golden), "")
			if got.String() != want {
				t.Errorf("JSON differs from keepalived's at %s", diffLines(splitJSON(want), splitJSON(got.String())))
			}
		})
	}
}

// splitJSON puts every value of a one-line JSON dump on its own line, for
// messages.
func splitJSON(s string) string { return strings.ReplaceAll(s, ",", ",\n") }

// TestWriteJSONStatsOrder gives every counter its own value and checks
// the keys and their order (reference §6).
func TestWriteJSONStatsOrder(t *testing.T) {
	cfg := loadConfig(t, "full-a", scriptDir)
	in := Instance{Config: cfg.Instances[2], Stats: distinctStats()}
	var b bytes.Buffer
	if err := writeJSON(&b, testNames(), []Instance{in}); err != nil {
		t.Fatal(err)
	}
	want := `"stats":{"advert_rcvd":1,"advert_sent":2,"become_master":3,"release_master":4,` +
		`"packet_len_err":5,"advert_interval_err":6,"ip_ttl_err":7,"invalid_type_rcvd":8,` +
		`"addr_list_err":9,"invalid_authtype":10,"authtype_mismatch":11,"auth_failure":12,` +
		`"pri_zero_rcvd":13,"pri_zero_sent":14}}]` + "\n"
	if !strings.HasSuffix(b.String(), want) {
		t.Errorf("stats object:\n got %s\nwant …%s", b.String(), want)
	}
}

func distinctStats() Stats {
	return Stats{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
}

// TestJSONEscaping checks keepalived's json_writer escapes, including its
// slip of writing a backslash as "\n".
func TestJSONEscaping(t *testing.T) {
	var b bytes.Buffer
	j := &jsonWriter{w: bufioWriter(&b)}
	j.begin('{')
	j.str("k", "a/b\"c\\d\te\nf\rg\x01'h")
	j.end('}')
	j.w.Flush()
	want := `{"k":"a\/b\"c\nd\te\nf\rg` + "\x01" + `'h"}`
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
