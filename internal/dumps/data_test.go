package dumps

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// TestWriteDataMirrorsKeepalived writes the data dump of each testdata
// configuration with the running state keepalived 2.2.7 reported and
// requires every line of it to appear in keepalived's own data dump, in
// the same order (keepalived prints more sections and lines; see
// WriteData).
func TestWriteDataMirrorsKeepalived(t *testing.T) {
	t.Setenv("TZ", "UTC") // the goldens were made in UTC
	for _, name := range []string{"full-a", "full-b", "formats"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			raw2, err := os.ReadFile(filepath.Join("testdata", name+".ka-data"))
			if err != nil {
				t.Fatal(err)
			}
			kaData := installedIfindex.ReplaceAllString(string(raw2), "")
			cfg := loadConfig(t, name, scriptDir)
			insts := instancesLike(t, cfg, readKeepalivedJSON(t, raw))
			fillFromData(t, insts, kaData)
			var got bytes.Buffer
			if err := WriteData(&got, cfg, insts, scriptsFromData(t, cfg.Scripts, kaData)); err != nil {
				t.Fatal(err)
			}
			if msg := subsequence(strings.Split(kaData, "\n"), strings.Split(got.String(), "\n")); msg != "" {
				t.Errorf("%s\nour dump:\n%s", msg, got.String())
			}
		})
	}
}

// TestWriteParentDataMirrorsKeepalived does the same for the parent's file.
func TestWriteParentDataMirrorsKeepalived(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "full-a.ka-parent-data"))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := WriteParentData(&got, loadConfig(t, "full-a", scriptDir)); err != nil {
		t.Fatal(err)
	}
	if msg := subsequence(strings.Split(string(want), "\n"), strings.Split(got.String(), "\n")); msg != "" {
		t.Errorf("%s\nour dump:\n%s", msg, got.String())
	}
}

// subsequence reports the first of got's lines that cannot be matched, in
// order, in want.
func subsequence(want, got []string) string {
	j := 0
	for i, g := range got {
		for j < len(want) && want[j] != g {
			j++
		}
		if j == len(want) {
			return "line " + strconv.Itoa(i+1) + " of our dump is not in keepalived's (in order): " + strconv.Quote(g)
		}
		j++
	}
	return ""
}

// instanceBlocks splits keepalived's VRRP Topology section by instance.
func instanceBlocks(data string) map[string][]string {
	out := map[string][]string{}
	var cur string
	for _, l := range strings.Split(data, "\n") {
		if strings.HasPrefix(l, "------<") {
			cur = ""
		}
		if name, ok := strings.CutPrefix(l, " VRRP Instance = "); ok {
			cur = name
			continue
		}
		if cur != "" {
			out[cur] = append(out[cur], l)
		}
	}
	return out
}

// value returns the text after "KEY = " in a block.
func value(block []string, key string) string {
	for _, l := range block {
		if v, ok := strings.CutPrefix(l, "   "+key+" = "); ok {
			return v
		}
	}
	return ""
}

// fillFromData copies the running state only the data dump shows.
func fillFromData(t *testing.T, insts []Instance, data string) {
	t.Helper()
	blocks := instanceBlocks(data)
	for i := range insts {
		b := blocks[insts[i].Config.Name]
		if rt := value(b, "Read timeout"); rt != "DISABLED" {
			secs, _, _ := strings.Cut(rt, " ")
			insts[i].ReadTimeout = parseEpoch(t, secs)
		}
		insts[i].MasterAddr, _ = netip.ParseAddr(value(b, "Master router"))
		src, _, _ := strings.Cut(value(b, "Using src_ip"), " ")
		insts[i].SrcIP, _ = netip.ParseAddr(src)
		for _, l := range b {
			if _, idx, ok := strings.Cut(l, ", ifindex "); ok && strings.HasPrefix(l, "   Multicast address ") {
				insts[i].IfIndex, _ = strconv.Atoi(idx)
			}
		}
		insts[i].Faults, _ = strconv.Atoi(value(b, "Number of interface and track script faults"))
		insts[i].LastTransition = insts[i].LastTransition.In(time.UTC)
	}
}

func parseEpoch(t *testing.T, s string) time.Time {
	sec, usec, _ := strings.Cut(s, ".")
	a, err1 := strconv.ParseInt(sec, 10, 64)
	b, err2 := strconv.ParseInt(usec, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad time %q", s)
	}
	return time.Unix(a, b*1000).In(time.UTC)
}

// scriptsFromData reads the scripts' results from keepalived's dump.
func scriptsFromData(t *testing.T, scripts []*config.Script, data string) []ScriptState {
	t.Helper()
	var out []ScriptState
	for _, s := range scripts {
		_, after, ok := strings.Cut(data, " VRRP Script = "+s.Name+"\n")
		if !ok {
			t.Fatalf("keepalived's dump has no script %s", s.Name)
		}
		block := strings.Split(after, "\n")
		res, _ := strconv.Atoi(value(block, "Result"))
		out = append(out, ScriptState{Script: s, Result: res, Good: value(block, "Status") == "GOOD"})
	}
	return out
}
