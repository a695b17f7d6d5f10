package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultSocket is where the daemon listens unless --control-socket says
// otherwise.
const DefaultSocket = "/run/gokeepalived/control.sock"

// MaxRequest is the largest request the server reads; a longer one is
// refused.
const MaxRequest = 64 << 10

// Request is one command sent to the daemon: a JSON object on one line.
type Request struct {
	// Cmd is "status", "explain", "demote", "undemote" or "reload".
	Cmd       string   `json:"cmd"`
	Instances []string `json:"instances,omitempty"`
	All       bool     `json:"all,omitempty"`
	// For is a demotion's length in Go's duration syntax ("30m"); "" lasts
	// until undemote.
	For    string `json:"for,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// Response is the daemon's answer, one JSON object.
type Response struct {
	Error   string   `json:"error,omitempty"`
	Reports []Report `json:"reports,omitempty"`
	// Now is the daemon's time of the answer, for ages and time left.
	Now time.Time `json:"now"`
	// Reload is the answer to "reload".
	Reload *ReloadResult `json:"reload,omitempty"`
}

// ReloadResult is a reload's plan and outcome.
type ReloadResult struct {
	// Plan describes what changes (reload.Changes.Lines); empty when the
	// configuration is refused.
	Plan     []string `json:"plan,omitempty"`
	Restarts []string `json:"restarts,omitempty"`
	// Applied is false for a dry run and for a refused configuration;
	// Errors then lists the configuration's errors.
	Applied bool     `json:"applied"`
	Errors  []string `json:"errors,omitempty"`
}

// Backend is what the daemon answers. Its methods may block until ctx
// ends; they never hold the server up for longer.
type Backend interface {
	Reports(ctx context.Context, names []string, all bool) ([]Report, error)
	Demote(ctx context.Context, names []string, all bool, d time.Duration) ([]Report, error)
	Undemote(ctx context.Context, names []string, all bool) ([]Report, error)
	Reload(ctx context.Context, dryRun bool) (*ReloadResult, error)
}

// Server serves the control socket.
type Server struct {
	// Path is the socket's path (DefaultSocket if empty). Its directory
	// is made if missing.
	Path string
	// Group, if >= 0, is a group whose members may use the socket besides
	// root: the socket is then mode 0660 and owned by that group;
	// otherwise it is 0600.
	Group   int
	Backend Backend
	Log     *slog.Logger
	// Timeout bounds one connection: reading the request, answering and
	// writing the answer (10 s if zero).
	Timeout time.Duration
	// MaxConns bounds the connections served at once (16 if zero); more
	// get an error at once.
	MaxConns int
	// Now is the clock of the answers' Now (time.Now if nil).
	Now func() time.Time

	ln   *net.UnixListener
	wg   sync.WaitGroup
	sem  chan struct{}
	done chan struct{}
}

// Listen creates the socket. A stale socket left by a dead daemon is
// replaced; one a running daemon answers on is an error.
func (s *Server) Listen() error {
	if s.Path == "" {
		s.Path = DefaultSocket
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	if c, err := net.DialTimeout("unix", s.Path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("control socket %s: another daemon is listening on it", s.Path)
	}
	os.Remove(s.Path)
	// The socket is made with no permissions and opened up once its
	// owner and mode are right.
	old := syscall.Umask(0o777)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: s.Path, Net: "unix"})
	syscall.Umask(old)
	if err != nil {
		return fmt.Errorf("control socket: %w", err)
	}
	ln.SetUnlinkOnClose(true)
	mode := os.FileMode(0o600)
	if s.Group >= 0 {
		if err := os.Chown(s.Path, -1, s.Group); err != nil {
			ln.Close()
			return fmt.Errorf("control socket: %w", err)
		}
		mode = 0o660
	}
	if err := os.Chmod(s.Path, mode); err != nil {
		ln.Close()
		return fmt.Errorf("control socket: %w", err)
	}
	s.ln = ln
	if s.MaxConns <= 0 {
		s.MaxConns = 16
	}
	s.sem = make(chan struct{}, s.MaxConns)
	s.done = make(chan struct{})
	return nil
}

// Serve accepts connections until Close. Each is served in its own
// goroutine, within Timeout.
func (s *Server) Serve() {
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			select {
			case <-s.done:
				return
			default:
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				continue
			}
			s.log().Warn("control socket: " + err.Error())
			return
		}
		select {
		case s.sem <- struct{}{}:
		default:
			s.wg.Add(1)
			go func() { // Ends within a second.
				defer s.wg.Done()
				c.SetDeadline(time.Now().Add(time.Second))
				s.write(c, Response{Error: "busy: too many control connections at once"})
				c.Close()
			}()
			continue
		}
		s.wg.Add(1)
		go func() { // Ends within Timeout.
			defer s.wg.Done()
			defer func() { <-s.sem }()
			s.serve(c)
		}()
	}
}

// Close stops the server, waits for the connections being served and
// removes the socket.
func (s *Server) Close() error {
	if s.ln == nil {
		return nil
	}
	close(s.done)
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// serve answers one connection.
func (s *Server) serve(c *net.UnixConn) {
	defer c.Close()
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	deadline := time.Now().Add(timeout)
	c.SetReadDeadline(deadline)
	// A second past the deadline to tell a slow client why it is cut off.
	c.SetWriteDeadline(deadline.Add(time.Second))
	// The request is read before the peer is checked, so that a refused
	// client reads why rather than a broken pipe.
	req, rerr := readRequest(c)
	if err := s.allowed(c); err != nil {
		s.log().Warn("control socket: refused: " + err.Error())
		s.write(c, Response{Error: "permission denied: " + err.Error()})
		return
	}
	if rerr != nil {
		s.write(c, Response{Error: rerr.Error()})
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	resp := s.answer(ctx, req)
	resp.Now = s.now()
	s.write(c, resp)
}

// readRequest reads one request line of at most MaxRequest bytes.
func readRequest(c io.Reader) (Request, error) {
	line, err := bufio.NewReader(io.LimitReader(c, MaxRequest+1)).ReadBytes('\n')
	if len(line) > MaxRequest {
		return Request{}, fmt.Errorf("request longer than %d bytes", MaxRequest)
	}
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return Request{}, errors.New("timed out waiting for the request")
		}
		return Request{}, fmt.Errorf("reading the request: %v", err)
	}
	var req Request
	dec := json.NewDecoder(strings.NewReader(string(line)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return Request{}, fmt.Errorf("malformed request: %v", err)
	}
	return req, nil
}

// answer carries out one request.
func (s *Server) answer(ctx context.Context, req Request) Response {
	var (
		reps []Report
		err  error
	)
	switch req.Cmd {
	case "status":
		reps, err = s.Backend.Reports(ctx, req.Instances, len(req.Instances) == 0)
	case "explain":
		if len(req.Instances) == 0 && !req.All {
			return Response{Error: "explain: name an instance"}
		}
		reps, err = s.Backend.Reports(ctx, req.Instances, req.All)
	case "demote", "undemote":
		if len(req.Instances) == 0 && !req.All {
			return Response{Error: req.Cmd + ": name instances or give --all"}
		}
		if req.Cmd == "undemote" {
			reps, err = s.Backend.Undemote(ctx, req.Instances, req.All)
			break
		}
		var d time.Duration
		if req.For != "" {
			if d, err = time.ParseDuration(req.For); err != nil || d <= 0 {
				return Response{Error: fmt.Sprintf("demote: --for %q: want a positive duration such as 30m", req.For)}
			}
		}
		reps, err = s.Backend.Demote(ctx, req.Instances, req.All, d)
	case "reload":
		rr, err := s.Backend.Reload(ctx, req.DryRun)
		if err != nil {
			return Response{Error: err.Error(), Reload: rr}
		}
		return Response{Reload: rr}
	default:
		return Response{Error: fmt.Sprintf("unknown command %q", req.Cmd)}
	}
	if err != nil {
		return Response{Error: err.Error(), Reports: reps}
	}
	return Response{Reports: reps}
}

func (s *Server) write(c net.Conn, resp Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		b, _ = json.Marshal(Response{Error: err.Error()})
	}
	c.Write(append(b, '\n'))
}

// allowed checks the peer with SO_PEERCRED: root (or the daemon's own
// user), or a member of Group.
func (s *Server) allowed(c *net.UnixConn) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var cred *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	if cred.Uid == 0 || int(cred.Uid) == os.Geteuid() {
		return nil // root, or the daemon's own user
	}
	if s.Group >= 0 && (int(cred.Gid) == s.Group || inGroups(int(cred.Pid), s.Group)) {
		return nil
	}
	return fmt.Errorf("uid %d (pid %d) is neither root nor in the control group", cred.Uid, cred.Pid)
}

// inGroups reports whether process pid has gid among its supplementary
// groups (/proc/PID/status).
func inGroups(pid, gid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Groups:"); ok {
			for _, f := range strings.Fields(rest) {
				if f == strconv.Itoa(gid) {
					return true
				}
			}
		}
	}
	return false
}

// Do sends req to the daemon listening on path and returns its answer.
// An answer with Error set is returned as is, with a nil error.
func Do(path string, req Request, timeout time.Duration) (Response, error) {
	if path == "" {
		path = DefaultSocket
	}
	c, err := net.DialTimeout("unix", path, timeout)
	if err != nil {
		return Response{}, fmt.Errorf("cannot reach the daemon on %s: %w", path, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	b, err := json.Marshal(req)
	if err != nil {
		return Response{}, err
	}
	if _, err := c.Write(append(b, '\n')); err != nil {
		return Response{}, fmt.Errorf("sending to %s: %w", path, err)
	}
	var resp Response
	if err := json.NewDecoder(bufio.NewReader(c)).Decode(&resp); err != nil {
		return Response{}, fmt.Errorf("reading the answer from %s: %w", path, err)
	}
	return resp, nil
}
