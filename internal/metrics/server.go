package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// Options configure NewRegistry and NewHandler.
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
	// process_*).
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

// NewRegistry returns a registry holding the daemon's metrics.
func NewRegistry(o Options) *prometheus.Registry {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(o.Source, o.Sockets, now, o.Build))
	if o.Runtime {
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return reg
}

// NewHandler returns the HTTP handler of /metrics (reg's metrics), /healthz
// (200 while the daemon's loops answer, else 503) and /readyz (200 once
// the configuration runs with every instance out of INIT, else 503).
func NewHandler(reg *prometheus.Registry, o Options) http.Handler {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	timeout := o.HealthTimeout
	if timeout <= 0 {
		timeout = DefaultHealthTimeout
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.InstrumentMetricHandler(reg, promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:            slogPrinter{log},
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             30 * time.Second,
		Registry:            reg,
	})))
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

// slogPrinter is promhttp's error log on a slog.Logger.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) { p.log.Warn("metrics: " + fmt.Sprint(v...)) }

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
