package confparse

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary text through the whole front end: it must never
// panic, and whatever it reads must dump to a text that reads back to the
// same dump.
func FuzzParse(f *testing.F) {
	confs, _ := filepath.Glob(filepath.Join(configDir, "*.conf"))
	for _, c := range confs {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("vrrp_instance X {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress { 192.0.2.1 }\n}\n")
	f.Add("$A=$A\n$A\n~SEQ(i,1,3) vrrp_script s$i { script \"/bin/true\" }\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg, diags := Load("/fuzz.conf", Options{
			Read: ReadOptions{FS: MemFS{"/fuzz.conf": text}, ConfigID: "gk1"},
			Env:  testEnv{allIfaces: true, users: map[string]bool{"root": true}},
		})
		for _, d := range diags {
			_ = d.String()
		}
		_ = diags.ExitCode()
		first := dumpString(t, cfg)
		if second := redump(t, first); first != second {
			t.Fatalf("dump does not read back to itself:\n%s\n--- input:\n%q\n--- dump:\n%s", lineDiff(first, second), text, first)
		}
	})
}
