package control

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeBackend answers from a fixed set of reports and records demotions.
type fakeBackend struct {
	mu      sync.Mutex
	reps    []Report
	demoted map[string]time.Duration
	block   chan struct{} // Reports waits on it when not nil
}

func (b *fakeBackend) pick(names []string, all bool) ([]Report, error) {
	if all {
		return b.reps, nil
	}
	var out []Report
	for _, n := range names {
		found := false
		for _, r := range b.reps {
			if r.Name == n {
				out, found = append(out, r), true
			}
		}
		if !found {
			return nil, errors.New("no such vrrp_instance: " + n)
		}
	}
	return out, nil
}

func (b *fakeBackend) Reports(ctx context.Context, names []string, all bool) ([]Report, error) {
	if b.block != nil {
		select {
		case <-b.block:
		case <-ctx.Done():
			return nil, errors.New("the daemon did not answer in time")
		}
	}
	return b.pick(names, all)
}

func (b *fakeBackend) Demote(ctx context.Context, names []string, all bool, d time.Duration) ([]Report, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	reps, err := b.pick(names, all)
	for i := range reps {
		b.demoted[reps[i].Name] = d
		reps[i].Demoted = true
	}
	return reps, err
}

func (b *fakeBackend) Undemote(ctx context.Context, names []string, all bool) ([]Report, error) {
	return b.pick(names, all)
}

func (b *fakeBackend) Reload(ctx context.Context, dryRun bool) (*ReloadResult, error) {
	return &ReloadResult{Plan: []string{"update  VI_1 (keeps its state)"}, Applied: !dryRun}, nil
}

func startServer(t *testing.T, b Backend, tweak func(*Server)) *Server {
	t.Helper()
	s := &Server{Path: filepath.Join(t.TempDir(), "ctl", "control.sock"), Group: -1, Backend: b, Timeout: 2 * time.Second}
	if tweak != nil {
		tweak(s)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.Serve() }()
	t.Cleanup(func() { s.Close(); <-done })
	return s
}

func testReports() []Report {
	return []Report{
		{Name: "VI_1", State: "MASTER", BasePriority: 150, EffectivePriority: 150, VIPs: []string{"192.0.2.100/24"}, VIPsHeld: true},
		{Name: "VI_2", State: "BACKUP", BasePriority: 100, EffectivePriority: 100, Master: "192.0.2.2", MasterPriority: 200},
	}
}

func TestServerCommands(t *testing.T) {
	b := &fakeBackend{reps: testReports(), demoted: map[string]time.Duration{}}
	s := startServer(t, b, nil)
	if fi, err := os.Stat(s.Path); err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket %v mode %v, want a 0600 socket", err, fi.Mode())
	}
	resp, err := Do(s.Path, Request{Cmd: "status"}, time.Second)
	if err != nil || resp.Error != "" || len(resp.Reports) != 2 || resp.Now.IsZero() {
		t.Fatalf("status: %v %+v", err, resp)
	}
	resp, _ = Do(s.Path, Request{Cmd: "explain", Instances: []string{"VI_2"}}, time.Second)
	if len(resp.Reports) != 1 || resp.Reports[0].Name != "VI_2" {
		t.Fatalf("explain VI_2: %+v", resp)
	}
	resp, _ = Do(s.Path, Request{Cmd: "demote", Instances: []string{"VI_1"}, For: "30m"}, time.Second)
	if resp.Error != "" || !resp.Reports[0].Demoted || b.demoted["VI_1"] != 30*time.Minute {
		t.Fatalf("demote: %+v, backend %v", resp, b.demoted)
	}
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{Cmd: "demote", Instances: []string{"VI_1"}, For: "soon"}, "want a positive duration"},
		{Request{Cmd: "demote"}, "name instances or give --all"},
		{Request{Cmd: "explain"}, "name an instance"},
		{Request{Cmd: "explain", Instances: []string{"VI_9"}}, "no such vrrp_instance: VI_9"},
		{Request{Cmd: "frobnicate"}, `unknown command "frobnicate"`},
	} {
		resp, err := Do(s.Path, tc.req, time.Second)
		if err != nil || !strings.Contains(resp.Error, tc.want) {
			t.Errorf("%+v: %v %q, want an error containing %q", tc.req, err, resp.Error, tc.want)
		}
	}
	resp, _ = Do(s.Path, Request{Cmd: "reload", DryRun: true}, time.Second)
	if resp.Reload == nil || resp.Reload.Applied || len(resp.Reload.Plan) != 1 {
		t.Errorf("reload --dry-run: %+v", resp.Reload)
	}
}

// raw sends text as is and returns the answer's error.
func raw(t *testing.T, path, text string) string {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	go c.Write([]byte(text)) // may block on an oversized request the server stops reading
	var resp Response
	if err := json.NewDecoder(c).Decode(&resp); err != nil {
		t.Fatalf("no answer to %.40q: %v", text, err)
	}
	return resp.Error
}

func TestServerBadRequests(t *testing.T) {
	s := startServer(t, &fakeBackend{reps: testReports()}, func(s *Server) { s.Timeout = 300 * time.Millisecond })
	for _, tc := range []struct{ text, want string }{
		{"{not json\n", "malformed request"},
		{`{"cmd":"status","bogus":1}` + "\n", "malformed request"},
		{`{"cmd":"status","instances":["` + strings.Repeat("x", MaxRequest) + `"]}` + "\n", "longer than"},
		{`{"cmd":"status"`, "timed out waiting for the request"}, // cut short, connection left open
	} {
		if got := raw(t, s.Path, tc.text); !strings.Contains(got, tc.want) {
			t.Errorf("%.40q: error %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestServerHungClient: a client that connects and sends nothing neither
// blocks others nor the server; past MaxConns others get "busy" at once.
func TestServerHungClient(t *testing.T) {
	s := startServer(t, &fakeBackend{reps: testReports()}, func(s *Server) { s.MaxConns = 2; s.Timeout = 5 * time.Second })
	hung, err := net.Dial("unix", s.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	start := time.Now()
	if resp, err := Do(s.Path, Request{Cmd: "status"}, time.Second); err != nil || len(resp.Reports) != 2 {
		t.Fatalf("status beside a hung client: %v %+v", err, resp)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("status took %v beside a hung client", took)
	}
	hung2, err := net.Dial("unix", s.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer hung2.Close()
	// Both slots are held by hung clients: the next one is turned away.
	deadline := time.Now().Add(3 * time.Second)
	for {
		resp, err := Do(s.Path, Request{Cmd: "status"}, time.Second)
		if err == nil && strings.Contains(resp.Error, "busy") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("third client: %v %+v, want busy", err, resp)
		}
	}
}

// TestServerPeerCredentials: a client that is neither root nor in the
// control group is refused by SO_PEERCRED even when the socket's mode lets
// it connect; with its group as the control group it is served.
func TestServerPeerCredentials(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	if os.Getenv("CONTROL_TEST_CLIENT") != "" {
		t.Skip("the client half runs in TestServerPeerClient")
	}
	const nobody = 65534
	// The client runs as nobody, from a copy of the test binary it can
	// reach.
	bin := filepath.Join(t.TempDir(), "control.test")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(bin); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	for _, group := range []int{-1, nobody} {
		s := startServer(t, &fakeBackend{reps: testReports()}, func(s *Server) { s.Group = group })
		os.Chmod(s.Path, 0o666) // past the file mode: SO_PEERCRED decides
		for d := filepath.Dir(s.Path); d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
			os.Chmod(d, 0o755)
		}
		cmd := exec.Command(bin, "-test.run=^TestServerPeerClient$", "-test.v")
		cmd.Env = append(os.Environ(), "CONTROL_TEST_CLIENT="+s.Path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		out, err := cmd.CombinedOutput()
		text := string(out)
		if err != nil && !strings.Contains(text, "ANSWER") {
			t.Fatalf("client as nobody: %v\n%s", err, text)
		}
		refused := strings.Contains(text, "ANSWER error=permission denied")
		if group < 0 && !refused {
			t.Errorf("nobody without a control group: %s, want refused", text)
		}
		if group >= 0 && (refused || !strings.Contains(text, "ANSWER reports=2")) {
			t.Errorf("nobody in the control group: %s, want served", text)
		}
	}
}

// TestServerPeerClient is the client half of TestServerPeerCredentials.
func TestServerPeerClient(t *testing.T) {
	path := os.Getenv("CONTROL_TEST_CLIENT")
	if path == "" {
		t.Skip("run by TestServerPeerCredentials")
	}
	resp, err := Do(path, Request{Cmd: "status"}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Error != "" {
		t.Logf("ANSWER error=%s", resp.Error)
		return
	}
	t.Logf("ANSWER reports=%d", len(resp.Reports))
}

func TestDemotionFile(t *testing.T) {
	f := DemotionFile{Path: filepath.Join(t.TempDir(), "state", "demotions.json")}
	if m, err := f.Load(); err != nil || len(m) != 0 {
		t.Fatalf("missing file: %v %v", m, err)
	}
	until := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := f.Save(map[string]time.Time{"VI_1": {}, "VI_2": until}); err != nil {
		t.Fatal(err)
	}
	m, err := f.Load()
	if err != nil || len(m) != 2 || !m["VI_1"].IsZero() || !m["VI_2"].Equal(until) {
		t.Fatalf("loaded %v %v", m, err)
	}
	if err := f.Save(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.Path); !os.IsNotExist(err) {
		t.Errorf("no demotions: file still there (%v)", err)
	}
}
