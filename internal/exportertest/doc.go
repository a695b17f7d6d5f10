// Package exportertest does to a running keepalived, or gokeepalived, what
// the most used Prometheus exporter for keepalived,
// mehdy/keepalived-exporter, does to it, so that tests and benchmarks can
// hold gokeepalived to that contract beside keepalived. It is written from
// the exporter's documented behaviour and source (internal/types/host,
// internal/types/utils, internal/collector), and contains none of its code.
//
// At start-up the exporter runs the keepalived command by name ([RunProbe]):
// `keepalived -v` through bash, whose stderr's first line gives the version
// that gates its features; `keepalived --version`, which must contain
// "--enable-json" for its --ka.json mode; and, from 1.3.8 on,
// `keepalived --signum=NAME` for the signal numbers. Each scrape
// ([Scraper.Scrape]) then reads the pid from the main pidfile, signals it
// (STATS then DATA, or JSON) and at once reads the dumps, the data file
// twice (for the scripts and for the instances) and the statistics once, or
// the JSON dump. A missing file, a parse error or data and statistics that
// disagree make it signal and read again after an exponential backoff
// (10 ms at first, 2 s in all); whatever it reads first that parses, it
// reports. The exporter reads /tmp; here the daemon's $TMPDIR is given.
//
// A read is stale when the file it opened was already there before the
// scrape's first signal: a dump the daemon wrote for an earlier request.
// The scraper holds the files that were there open from just before the
// signal to the end of the scrape, so that their inodes cannot be reused,
// and compares each file it reads with them by device and inode: a dump
// written since is a new file under both daemons, which write a temporary
// file and rename it in. [Watcher] waits, between scrapes, until every
// dump asked for has been written (inotify's IN_CLOSE_WRITE on the dump's
// name, one for each dump under both daemons), so that no late dump of one
// scrape can pass for a fresh one of the next.
//
// Nothing here is safe for concurrent use unless its doc says so.
package exportertest
