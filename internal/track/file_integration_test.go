package track

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// parityConf tracks one file from two instances: with the file's weight
// (1) and with "weight -3 reverse".
const parityConf = `
track_file tf {
    file %s
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_file {
        tf
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.101/24
    }
    track_file {
        tf weight -3 reverse
    }
}
`

// parityInstance is what the test expects of one keepalived instance.
type parityInstance struct {
	name  string
	ref   config.TrackRef
	prio  int
	fault bool
}

// expect returns the lines keepalived logs (with -D) when the instance's
// tracked file takes value v (src trackers/track_file.c
// process_update_vrrp_track_file_status; vrrp/vrrp_track.c
// vrrp_set_effective_priority), as predicted by FileEffect, and updates
// the instance.
func (in *parityInstance) expect(v int) []string {
	fault, delta := FileEffect(in.ref, v)
	prio := max(1, min(254, 100+delta))
	var lines []string
	switch {
	case fault && !in.fault:
		lines = append(lines, fmt.Sprintf("(%s): tracked file tf now FAULT state", in.name))
	case !fault && in.fault:
		lines = append(lines, fmt.Sprintf("(%s): tracked file tf leaving FAULT state", in.name))
	case !fault && prio != in.prio:
		lines = append(lines, fmt.Sprintf("(%s) Changing effective priority from %d to %d", in.name, in.prio, prio))
	}
	in.fault = fault
	if !fault {
		in.prio = prio
	}
	return lines
}

// TestIntegrationFileParityKeepalived writes values to a file tracked by
// Debian's keepalived 2.2.7 and checks, for each, that keepalived logs
// what readValue and FileEffect predict: the same number read (or the
// same "Invalid number" line), the same FAULT and the same priority.
func TestIntegrationFileParityKeepalived(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireBinaries(t, "keepalived")
	ns := nstest.NewNetns(t, "gktf")
	nstest.AddLink(ns, "eth0", "192.0.2.1/24")
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	val := filepath.Join(dir, "val")
	conf := filepath.Join(dir, "keepalived.conf")
	write(t, conf, fmt.Sprintf(parityConf, val))
	k := ns.Start(t, "keepalived", "-n", "-l", "-D", "-P", "-f", conf,
		"-p", filepath.Join(dir, "k.pid"), "-r", filepath.Join(dir, "v.pid"))
	k.WaitOutput(t, waitTimeout, "(VI_2) Entering BACKUP STATE (init)")

	ins := []*parityInstance{
		{name: "VI_1", ref: config.TrackRef{Weight: 1}, prio: 100},
		{name: "VI_2", ref: config.TrackRef{Weight: -3, Reverse: true}, prio: 100},
	}
	for _, content := range []string{
		"5", "0x10", "010", "  12abc", "abc", "+3", "3000000000", "-7\n",
		"99999999999999999999999", "1e3", "-254", "-1", "08", "0X1F", " \n 9",
		"-2147483648", "2147483647", "4",
	} {
		before := k.Output()
		replace(t, val, content) // renamed into place: keepalived reads it whole
		v, ok, msg := readValue(val)
		want := []string{msg}
		if ok {
			want = nil
			for _, in := range ins {
				want = append(want, in.expect(v)...)
			}
		}
		if len(want) == 0 {
			t.Fatalf("value %q: the test's sequence must change something", content)
		}
		nstest.WaitFor(t, waitTimeout, 20*time.Millisecond, func() (bool, string) {
			out := k.Output()
			for _, line := range want {
				if strings.Count(out, line) <= strings.Count(before, line) {
					return false, fmt.Sprintf("after writing %q, no new line %q from keepalived:\n%s", content, line, out[len(before):])
				}
			}
			return true, ""
		})
	}
}
