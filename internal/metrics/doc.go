// Package metrics exports the daemon's state as Prometheus metrics and
// serves them over HTTP (gokeepalived --metrics-listen): /metrics, and
// /healthz and /readyz for supervisors and load balancers.
//
// The keepalived_ metrics have the names, types, labels and values of
// mehdy/keepalived-exporter's VRRP metrics (internal/collector), so that
// its Grafana dashboards work unchanged: per instance the fourteen
// keepalived statistics counters and keepalived_gratuitous_arp_delay_total
// labelled iname, intf and vrid; keepalived_vrrp_state and
// keepalived_vrrp_excluded_state per (excluded) VIP, labelled ip_address
// too, with keepalived's state numbers (0 INIT, 1 BACKUP, 2 MASTER,
// 3 FAULT); keepalived_script_status (0 BAD, 1 GOOD) and
// keepalived_script_state (0 idle, 1 running) per vrrp_script; and
// keepalived_up. The exporter's own keepalived_exporter_* metrics are not
// exported. The gokeepalived_ metrics say what keepalived's dumps do not:
// priorities, transitions, time in state, masters seen, drops, timer
// lateness, script runs, reloads and the build.
//
// Metrics are collected on scrape from a Source, which *daemon.Status
// implements with atomic loads: a scrape takes no lock that an instance
// takes on its advert path, so it never holds the VRRP engine back. The
// daemon's families are written straight from one snapshot into the text
// format (see collector.go for why); client_golang provides the Go runtime
// and process collectors, the text encoding of their families, and the
// tests' parser and linter. The package keeps no global state.
package metrics
