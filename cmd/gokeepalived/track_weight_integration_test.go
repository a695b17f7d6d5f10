package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// weightWant is the notify lines of runWeight, as Debian's keepalived 2.2.7
// writes them (TestIntegrationTrackWeightInterop runs it as the master and
// as the backup).
var weightWant = notifyLogs{
	"a notify": {"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 BACKUP 70",
		"INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 STOP 100"},
	"a kind":   {"a-backup", "a-master", "a-backup", "a-master", "a-stop"},
	"b notify": {"INSTANCE VI_1 BACKUP 90", "INSTANCE VI_1 MASTER 90", "INSTANCE VI_1 BACKUP 90", "INSTANCE VI_1 STOP 90"},
	"b kind":   {"b-backup", "b-master", "b-backup", "b-stop"},
}

// runWeight runs a weighted check: host a (priority 100) tracks its haproxy
// with `track_script { chk_haproxy weight -30 }` over a vrrp_script of weight
// 0, so the track_script's weight must win (with weight 0 a failure would
// mean FAULT); host b has priority 90 and no check. haproxy dies on a: its
// effective priority drops to 70 (reference §4.1), b no longer accepts a's
// adverts and takes over when its Master_Down_Interval ends (§7.6); haproxy
// comes back: 100 again, and a preempts. It returns the notify lines.
func runWeight(t *testing.T, ka, kb daemonKind) notifyLogs {
	l := newLab(t)
	nstest.RequireBinaries(t, "pgrep")
	a, b := l.host("a", "192.0.2.1/24"), l.host("b", "192.0.2.2/24")
	ha := newHaproxy(a)
	ra, rb := newNotifyRec(t, t.TempDir(), "a"), newNotifyRec(t, t.TempDir(), "b")
	extraA := append([]string{"advert_int 1", "track_script {", "    chk_haproxy weight -30", "}"}, ra.conf()...)
	ha.start()
	a.start(ka, ha.checkScript(0)+instanceConf(seedVRID, 100, seedVIP+"/32 dev eth0", extraA...))
	waitMaster(t, 15*time.Second, seedVIP, a)
	ra.waitLast(5*time.Second, "INSTANCE VI_1 MASTER 100", "master")
	b.start(kb, instanceConf(seedVRID, 90, seedVIP+"/32 dev eth0", append([]string{"advert_int 1"}, rb.conf()...)...))
	rb.waitLast(10*time.Second, "INSTANCE VI_1 BACKUP 90", "backup")
	waitMaster(t, 5*time.Second, seedVIP, a, b)

	ha.kill() // haproxy dies on the master: 100 - 30 = 70 < 90
	a.proc.WaitOutput(t, 10*time.Second, "(VI_1) Changing effective priority from 100 to 70")
	waitMaster(t, 10*time.Second, seedVIP, b, a)
	ra.waitLast(5*time.Second, "INSTANCE VI_1 BACKUP 70", "backup")
	rb.waitLast(5*time.Second, "INSTANCE VI_1 MASTER 90", "master")
	b.proc.WaitOutput(t, time.Second, "(VI_1) received lower priority (70) advert from 192.0.2.1 - discarding")
	a.proc.WaitOutput(t, time.Second, "(VI_1) Master received advert from 192.0.2.2 with higher priority 90, ours 70")

	ha.start() // and comes back: 100 > 90, a preempts
	a.proc.WaitOutput(t, 10*time.Second, "(VI_1) Changing effective priority from 70 to 100")
	waitMaster(t, 10*time.Second, seedVIP, a, b)
	ra.waitLast(5*time.Second, "INSTANCE VI_1 MASTER 100", "master")
	rb.waitLast(5*time.Second, "INSTANCE VI_1 BACKUP 90", "backup")
	b.proc.WaitOutput(t, time.Second, "(VI_1) Master received advert from 192.0.2.1 with higher priority 100, ours 90")
	if n := strings.Count(a.proc.Output(), "(VI_1) Entering FAULT STATE"); n != 0 {
		t.Errorf("a entered FAULT %d times: the track_script weight -30 must override the script's weight 0", n)
	}

	b.stop(syscall.SIGTERM)
	a.stop(syscall.SIGTERM)
	ra.waitLast(5*time.Second, "INSTANCE VI_1 STOP 100", "stop")
	rb.waitLast(5*time.Second, "INSTANCE VI_1 STOP 90", "stop")
	logs := notifyLogs{}
	ra.collect(logs, a)
	rb.collect(logs, b)
	return logs
}

// TestIntegrationTrackWeight runs runWeight on two gokeepalived.
func TestIntegrationTrackWeight(t *testing.T) {
	compareLogs(t, "gokeepalived", runWeight(t, daemonGK, daemonGK), weightWant, notifyKeys)
}

// TestIntegrationTrackWeightInterop runs runWeight with gokeepalived as the
// master and keepalived as the backup, then the other way round.
func TestIntegrationTrackWeightInterop(t *testing.T) {
	nstest.RequireBinaries(t, "keepalived")
	t.Run("gokeepalived master", func(t *testing.T) {
		compareLogs(t, "gokeepalived master, keepalived backup", runWeight(t, daemonGK, daemonKA), weightWant, notifyKeys)
	})
	t.Run("keepalived master", func(t *testing.T) {
		compareLogs(t, "keepalived master, gokeepalived backup", runWeight(t, daemonKA, daemonGK), weightWant, notifyKeys)
	})
}
