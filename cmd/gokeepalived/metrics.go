package main

import (
	"context"
	"log/slog"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/daemon"
	"github.com/gokeepalived/gokeepalived/internal/metrics"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// metricsCloseGrace is how long the stop lets scrapes under way finish.
const metricsCloseGrace = 2 * time.Second

// startMetrics serves --metrics-listen: the daemon's Prometheus metrics on
// /metrics, /healthz and /readyz. Without the flag it serves nothing. It
// returns the function that stops the server.
func startMetrics(o *options, log *slog.Logger, status *daemon.Status, pool *socket.Pool) (stop func(), err error) {
	if o.metricsListen == "" {
		return func() {}, nil
	}
	mo := metrics.Options{Source: status, Sockets: pool.Stats, Build: buildInfo(), Runtime: true, Log: log}
	srv, err := metrics.Listen(o.metricsListen, metrics.NewHandler(mo), log)
	if err != nil {
		return nil, err
	}
	log.Info("Serving metrics on http://" + srv.Addr().String() + "/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), metricsCloseGrace)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			log.Warn("metrics: " + err.Error())
		}
	}, nil
}

// buildInfo labels gokeepalived_build_info.
func buildInfo() metrics.Build {
	b := metrics.Build{Version: programVersion, Keepalived: keepalivedCompat, GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				b.Revision = s.Value
			}
		}
	}
	return b
}
