package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	rpprof "runtime/pprof"
)

// pprofEnv names the environment variable that serves net/http/pprof on
// an address (GOKEEPALIVED_PPROF=127.0.0.1:6060), for profiling a running
// daemon.
const pprofEnv = "GOKEEPALIVED_PPROF"

// startProfiling starts what --cpuprofile and GOKEEPALIVED_PPROF ask for
// and returns the function that ends it, writing --memprofile as well. The
// returned function is never nil.
func startProfiling(o *options, log *slog.Logger) (stop func(), err error) {
	stop, err = startFileProfiles(o, log)
	if err != nil {
		return stop, err
	}
	if addr := os.Getenv(pprofEnv); addr != "" {
		srv, err := servePprof(addr, log)
		if err != nil {
			stop()
			return func() {}, fmt.Errorf("%s: %w", pprofEnv, err)
		}
		return func() { srv.Close(); stop() }, nil
	}
	return stop, nil
}

// startFileProfiles starts what --cpuprofile asks for and returns the
// function that ends it, writing --memprofile as well; -t uses it alone.
// The returned function is never nil.
func startFileProfiles(o *options, log *slog.Logger) (stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return stop, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := rpprof.StartCPUProfile(f); err != nil {
			f.Close()
			return stop, fmt.Errorf("--cpuprofile: %w", err)
		}
		stops = append(stops, func() {
			rpprof.StopCPUProfile()
			f.Close()
		})
	}
	if o.memProfile != "" {
		path := o.memProfile
		stops = append(stops, func() {
			if err := writeHeapProfile(path); err != nil {
				log.Warn("--memprofile: " + err.Error())
			}
		})
	}
	return stop, nil
}

// writeHeapProfile writes the heap profile, after a collection so that it
// shows what is live, to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	return errors.Join(rpprof.WriteHeapProfile(f), f.Close())
}

// servePprof serves net/http/pprof's handlers on addr until the returned
// server is closed.
func servePprof(addr string, log *slog.Logger) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux}
	log.Info("pprof on http://" + ln.Addr().String() + "/debug/pprof/")
	go srv.Serve(ln) // Ends when the server is closed at exit.
	return srv, nil
}
