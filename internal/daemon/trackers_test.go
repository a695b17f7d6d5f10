package daemon

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/vip/viptest"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// TestRunTrackFile: a track_file's value times its weight moves the
// effective priority, and a weight-0 file with a non-zero value is a FAULT
// (reference §4.2); the files are watched, not polled.
func TestRunTrackFile(t *testing.T) {
	dir := t.TempDir()
	weighted, zero := filepath.Join(dir, "weighted"), filepath.Join(dir, "zero")
	for _, p := range []string{weighted, zero} {
		if err := os.WriteFile(p, []byte("0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := `track_file tf_w {
    file "` + weighted + `"
    weight -10
}
track_file tf_0 {
    file "` + zero + `"
    weight 0
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 7
    priority 150
    version 3
    advert_int 0.05
    track_file {
        tf_w
        tf_0
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
`
	net := &viptest.Fake{}
	net.SetLink("eth0", true)
	status, _ := startDaemon(t, loadConfig(t, conf), Deps{Net: net, Links: net})
	is := func(state vrrp.State, prio int) func() bool {
		return func() bool {
			st := status.Snapshot()
			return len(st) == 1 && st[0].State == state && st[0].EffectivePriority == prio
		}
	}
	waitUntil(t, "MASTER at 150", is(vrrp.StateMaster, 150))
	write := func(p, v string) {
		// Replaced by rename, as configuration tools do.
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, p); err != nil {
			t.Fatal(err)
		}
	}
	write(weighted, "3\n")
	waitUntil(t, "MASTER at 150 - 3*10", is(vrrp.StateMaster, 120))
	write(zero, "1\n")
	waitUntil(t, "FAULT", func() bool { st := status.Snapshot(); return st[0].State == vrrp.StateFault })
	write(zero, "0\n")
	write(weighted, "0\n")
	waitUntil(t, "MASTER at 150 again", is(vrrp.StateMaster, 150))
	if tr := strings.Join(net.Transcript(), "\n"); strings.Count(tr, "addr del 192.0.2.100/24") < 2 {
		t.Errorf("the FAULT did not remove the VIP:\n%s", tr)
	}
}

// TestRunTrackProcess: a vrrp_track_process with weight 0 holds the
// instance in FAULT while its process is absent (reference §4.3).
func TestRunTrackProcess(t *testing.T) {
	dir := t.TempDir()
	name := fmt.Sprintf("gkp%d", os.Getpid()) // unique per run, under comm's 15 characters
	prog := filepath.Join(dir, name)
	bin, err := os.ReadFile("/bin/sleep")
	if err != nil {
		t.Skip("no /bin/sleep to copy")
	}
	if err := os.WriteFile(prog, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := `vrrp_track_process tp {
    process ` + name + `
    weight 0
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 7
    priority 150
    version 3
    advert_int 0.05
    track_process {
        tp
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
`
	net := &viptest.Fake{}
	net.SetLink("eth0", true)
	status, _ := startDaemon(t, loadConfig(t, conf), Deps{Net: net, Links: net})
	state := func(want vrrp.State) func() bool {
		return func() bool { st := status.Snapshot(); return len(st) == 1 && st[0].State == want }
	}
	waitUntil(t, "FAULT without the process", state(vrrp.StateFault))
	cmd := exec.Command(prog, "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	waitUntil(t, "MASTER with the process", state(vrrp.StateMaster))
	cmd.Process.Kill()
	cmd.Wait()
	waitUntil(t, "FAULT again", state(vrrp.StateFault))
}
