package metrics

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"

	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// Options configure NewHandler.
type Options struct {
	Source Source
	// Sockets returns the VRRP socket pool's counters; nil exports no
	// gokeepalived_socket_ metrics.
	Sockets func() socket.Stats
	// Now is the time of the scrapes, for time in state; nil means
	// time.Now.
	Now   func() time.Time
	Build Build
	// Runtime adds the Go runtime's and the process's metrics (go_*,
	// process_*), from client_golang's collectors.
	Runtime bool
	// HealthTimeout bounds how long /healthz waits for the daemon's loops
	// to answer; 0 means DefaultHealthTimeout.
	HealthTimeout time.Duration
	// Log receives the errors of scrapes; nil discards them.
	Log *slog.Logger
}

// DefaultHealthTimeout is how long /healthz waits for every instance's
// loop by default: far longer than an instance ever takes to answer, short
// enough for a supervisor's probe.
const DefaultHealthTimeout = 5 * time.Second

// maxScrapes is how many scrapes are served at once; more wait.
const maxScrapes = 2

// NewHandler returns the HTTP handler of /metrics (the daemon's metrics in
// the text format, gzipped when the scraper accepts it), /healthz (200
// while the daemon's loops answer, else 503) and /readyz (200 once the
// configuration runs with every instance out of INIT, else 503).
func NewHandler(o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	timeout := o.HealthTimeout
	if timeout <= 0 {
		timeout = DefaultHealthTimeout
	}
	mh := &metricsHandler{o: o, sem: make(chan struct{}, maxScrapes)}
	mh.pool.New = newWriters
	if o.Runtime {
		mh.runtime = prometheus.NewRegistry()
		mh.runtime.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mh)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeoutCause(r.Context(), timeout, fmt.Errorf("no answer within %v", timeout))
		defer cancel()
		answer(w, o.Source.Alive(ctx), "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		answer(w, o.Source.Ready(), "ready")
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "gokeepalived: /metrics, /healthz, /readyz\n")
	})
	return mux
}

// metricsHandler serves /metrics. It is safe for concurrent use.
type metricsHandler struct {
	o       Options
	runtime *prometheus.Registry // nil without Options.Runtime
	sem     chan struct{}
	pool    sync.Pool // of *writers
}

// writers are the buffers of a scrape, kept for the next one: a gzip
// writer's state is most of a megabyte.
type writers struct {
	bw *bufio.Writer
	gz *gzip.Writer
	t  textWriter
}

func newWriters() any {
	gz, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // a valid level
	return &writers{bw: bufio.NewWriterSize(io.Discard, 64<<10), gz: gz}
}

func (h *metricsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case h.sem <- struct{}{}:
		defer func() { <-h.sem }()
	case <-r.Context().Done():
		return
	}
	ws := h.pool.Get().(*writers)
	defer h.pool.Put(ws)
	w.Header().Set("Content-Type", textFormat)
	var out io.Writer = w
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		ws.gz.Reset(w)
		out = ws.gz
	}
	ws.bw.Reset(out)
	ws.t.w, ws.t.err = ws.bw, nil
	s := &scrape{o: h.o.Source.Observe(), now: h.o.Now(), build: h.o.Build}
	if h.o.Sockets != nil {
		st := h.o.Sockets()
		s.sockets = &st
	}
	writeAll(&ws.t, s)
	if h.runtime != nil {
		mfs, err := h.runtime.Gather()
		if err != nil {
			h.o.Log.Warn("metrics: " + err.Error())
		}
		for _, mf := range mfs {
			if _, err := expfmt.MetricFamilyToText(ws.bw, mf); err != nil && ws.t.err == nil {
				ws.t.err = err
			}
		}
	}
	err := errors.Join(ws.t.err, ws.bw.Flush())
	if out == ws.gz {
		err = errors.Join(err, ws.gz.Close())
	}
	ws.t.w = nil
	if err != nil && r.Context().Err() == nil {
		h.o.Log.Debug("metrics: scrape not sent whole: " + err.Error())
	}
}

// textFormat is the Content-Type of the text exposition format.
const textFormat = "text/plain; version=0.0.4; charset=utf-8"

// answer writes a probe's outcome: 200 and ok, or 503 and the error.
func answer(w http.ResponseWriter, err error, ok string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, err.Error()+"\n")
		return
	}
	io.WriteString(w, ok+"\n")
}

// Server serves a handler on a listening socket until Close. It is safe
// for concurrent use.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan error
}

// Listen listens on the TCP address addr (host:port) and serves h there,
// in a goroutine that ends with Close.
func Listen(addr string, h http.Handler, log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{ln: ln, done: make(chan error, 1), srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}
	go func() { s.done <- s.srv.Serve(ln) }() // Ends with Close.
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the server: it stops listening, lets the requests under way
// finish until ctx ends, then closes their connections.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
