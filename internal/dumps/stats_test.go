package dumps

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func bufioWriter(w io.Writer) *bufio.Writer { return bufio.NewWriter(w) }

// TestWriteStatsMatchesKeepalived requires keepalived 2.2.7's own
// statistics file, line for line, for the counters of its JSON dump taken
// at the same moment (reference §6).
func TestWriteStatsMatchesKeepalived(t *testing.T) {
	for _, name := range []string{"full-a", "full-b"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", name+".stats"))
			if err != nil {
				t.Fatal(err)
			}
			insts := instancesLike(t, loadConfig(t, name, scriptDir), readKeepalivedJSON(t, raw))
			var got bytes.Buffer
			if err := WriteStats(&got, insts); err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("stats differ from keepalived's at %s", diffLines(string(want), got.String()))
			}
		})
	}
}

// TestWriteStatsLayout gives every counter its own value and checks where
// each is printed (keepalived's vrrp_print.c layout).
func TestWriteStatsLayout(t *testing.T) {
	cfg := loadConfig(t, "full-a", scriptDir)
	var got bytes.Buffer
	if err := WriteStats(&got, []Instance{{Config: cfg.Instances[0], Stats: distinctStats()}}); err != nil {
		t.Fatal(err)
	}
	want := `VRRP Instance: VI_1
  Advertisements:
    Received: 1
    Sent: 2
  Became master: 3
  Released master: 4
  Packet Errors:
    Length: 5
    TTL: 7
    Invalid Type: 8
    Advertisement Interval: 6
    Address List: 9
  Authentication Errors:
    Invalid Type: 10
    Type Mismatch: 11
    Failure: 12
  Priority Zero:
    Received: 13
    Sent: 14
`
	if got.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", got.String(), want)
	}
}
