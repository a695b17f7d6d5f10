package scripts

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Reference §5.1.
func TestNotifyArgs(t *testing.T) {
	bare := &config.Command{Args: []string{"/etc/keepalived/n.sh"}}
	withArgs := &config.Command{Args: []string{"/bin/echo", "a b", "c"}, User: "root"}
	tests := []struct {
		cmd        *config.Command
		kind, name string
		state      string
		prio       int
		want       []string
	}{
		{bare, KindInstance, "VI_1", "MASTER", 150, []string{"/etc/keepalived/n.sh", "INSTANCE", "VI_1", "MASTER", "150"}},
		{bare, KindInstance, "VI_1", "BACKUP", 100, []string{"/etc/keepalived/n.sh", "INSTANCE", "VI_1", "BACKUP", "100"}},
		{bare, KindInstance, "VI_1", "FAULT", 100, []string{"/etc/keepalived/n.sh", "INSTANCE", "VI_1", "FAULT", "100"}},
		{bare, KindInstance, "VI_1", "STOP", 150, []string{"/etc/keepalived/n.sh", "INSTANCE", "VI_1", "STOP", "150"}},
		{bare, KindInstance, "VI_1", "DELETED", 150, []string{"/etc/keepalived/n.sh", "INSTANCE", "VI_1", "DELETED", "150"}},
		{withArgs, KindInstance, "VI_2", "MASTER", 254, []string{"/bin/echo", "a b", "c", "INSTANCE", "VI_2", "MASTER", "254"}},
		{bare, KindGroup, "G1", "MASTER", 0, []string{"/etc/keepalived/n.sh", "GROUP", "G1", "MASTER", "0"}},
		{withArgs, KindGroup, "G1", "FAULT", 0, []string{"/bin/echo", "a b", "c", "GROUP", "G1", "FAULT", "0"}},
		{withArgs, "", "VI_1", "MASTER", 150, []string{"/bin/echo", "a b", "c"}}, // notify_master & co.
		{nil, KindInstance, "VI_1", "MASTER", 150, nil},
	}
	for _, tt := range tests {
		got := NotifyArgs(tt.cmd, tt.kind, tt.name, tt.state, tt.prio)
		if !slices.Equal(got, tt.want) {
			t.Errorf("NotifyArgs(%v, %q, %q, %q, %d) = %q, want %q", tt.cmd, tt.kind, tt.name, tt.state, tt.prio, got, tt.want)
		}
	}
	got := NotifyArgs(withArgs, KindInstance, "VI_1", "MASTER", 1)
	got[0] = "x"
	if withArgs.Args[0] != "/bin/echo" {
		t.Error("NotifyArgs aliases the configured words")
	}
}

func TestBackground(t *testing.T) {
	b := &Background{Exec: &Runner{KillGrace: 100 * time.Millisecond}}
	ctx, cancel := context.WithCancel(context.Background())
	b.Go(ctx, Command{Args: []string{"/bin/true"}}, 0)
	b.Go(ctx, Command{Args: []string{"/bin/sleep", "60"}}, 0)
	cancel()
	b.Wait()
}
