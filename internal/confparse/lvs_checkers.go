package confparse

import (
	"strconv"
	"strings"
	"time"
)

// The health checkers of a real_server (HTTP_GET, SSL_GET, TCP_CHECK,
// MISC_CHECK, SMTP_CHECK, DNS_CHECK, UDP_CHECK, PING_CHECK, FILE_CHECK,
// BFD_CHECK), checked as keepalived 2.2.7's check_*.c parsers check them.

// checkerTables gives each health checker's block table builder.
func checkerTables() map[string]func() table {
	return map[string]func() table{
		"HTTP_GET":   httpTable,
		"SSL_GET":    httpTable,
		"TCP_CHECK":  func() table { return checkerCommon(true) },
		"PING_CHECK": func() table { return checkerCommon(true) },
		"UDP_CHECK": func() table {
			t := checkerCommon(true)
			t["payload"] = func(l *lowerer, n *Node) {
				if len(n.Words) < 2 {
					l.errorf(n.Pos(), ClassGeneral, "UDP_CHECK payload requires a payload")
				} else if !isHex(n.Words[1].Text) {
					l.errorf(n.Pos(), ClassGeneral, "Invalid hex string for UDP_CHECK payload")
				}
			}
			t["require_reply"] = func(l *lowerer, n *Node) {
				if len(n.Words) > 1 && !isHex(n.Words[1].Text) {
					l.errorf(n.Pos(), ClassGeneral, "Invalid hex string for UDP_CHECK reply")
				}
			}
			t["min_reply_length"] = udpLength("min", func(c *lvsChecker) *int { return &c.minReply })
			t["max_reply_length"] = udpLength("max", func(c *lvsChecker) *int { return &c.maxReply })
			return t
		},
		"MISC_CHECK": func() table {
			t := checkerCommon(false)
			t["misc_path"] = func(l *lowerer, n *Node) {
				if len(n.Words) < 2 {
					// keepalived takes a bare misc_path as a script it
					// never finds.
					l.lvs.checker.script = true
					return
				}
				if c := l.command(n); c != nil {
					l.lvs.checker.script = true
					l.lvs.scripts = append(l.lvs.scripts, c)
				}
			}
			t["misc_timeout"] = lvsUint("Invalid misc_timeout value '%s'", 0, 4294)
			t["misc_dynamic"] = lvsFlag
			t["user"] = func(l *lowerer, n *Node) {
				if len(n.Words) < 2 {
					l.errorf(n.Pos(), ClassGeneral, "No user specified for misc checker script")
					return
				}
				if sc := l.lvs.scripts; l.lvs.checker.script && len(sc) > 0 {
					sc[len(sc)-1].User = n.Words[1].Text
					if len(n.Words) > 2 {
						sc[len(sc)-1].Group = n.Words[2].Text
					}
				}
			}
			return t
		},
		"SMTP_CHECK": func() table {
			t := checkerCommon(true)
			t["helo_name"] = func(l *lowerer, n *Node) {
				if len(n.Words) < 2 {
					l.errorf(n.Pos(), ClassGeneral, "SMTP_CHECK helo name missing")
				}
			}
			// The deprecated host blocks, which keepalived 2.2.7 still reads.
			t["host"] = func(l *lowerer, n *Node) {
				if l.wantBlock(n) {
					l.walk(n.Children, l.table("host", func() table { return checkerCommon(true) }), "host")
				}
			}
			return t
		},
		"DNS_CHECK": func() table {
			t := checkerCommon(true)
			t["type"] = func(l *lowerer, n *Node) {
				if w := l.lvsWord(n); w != "" && !dnsTypes[strings.ToUpper(w)] {
					l.errorf(n.Pos(), ClassGeneral, "Unknown DNS check type %s - ignoring", w)
				}
			}
			t["name"] = func(l *lowerer, n *Node) {
				w := l.lvsWord(n)
				if w == "" {
					return
				}
				if l.lvs.checker.dnsName {
					l.errorf(n.Pos(), ClassGeneral, "DNS_CHECK name already specified - ignoring")
					return
				}
				if w[0] == '.' && len(w) > 1 || strings.Contains(w, "..") {
					l.errorf(n.Pos(), ClassGeneral, "DNS_CHECK name '%s' has empty label - ignoring", w)
					return
				}
				l.lvs.checker.dnsName = true
			}
			return t
		},
		"FILE_CHECK": func() table {
			return table{
				"track_file": func(l *lowerer, n *Node) {
					w := l.lvsWord(n)
					if w == "" {
						return
					}
					if !l.trackFileDefined(w) {
						l.errorf(n.Pos(), ClassGeneral, "track_file %s not found", w)
						return
					}
					l.lvs.checker.file = true
				},
				"weight": func(l *lowerer, n *Node) {
					if len(n.Words) < 2 {
						l.errorf(n.Pos(), ClassGeneral, "track file weight missing")
						return
					}
					v, err := strconv.Atoi(n.Words[1].Text)
					if err != nil || v < -ipvsWeightLimit || v > ipvsWeightLimit {
						l.errorf(n.Pos(), ClassGeneral, "weight for track file must be in [%d..%d] inclusive. Ignoring...", -ipvsWeightLimit, ipvsWeightLimit)
						return
					}
					if len(n.Words) > 2 && n.Words[2].Text != "reverse" && n.Words[2].Text != "noreverse" {
						l.errorf(n.Pos(), ClassGeneral, "unknown track file weight option %s - ignoring", n.Words[2].Text)
					}
				},
			}
		},
		"BFD_CHECK": func() table {
			return table{
				"name": func(l *lowerer, n *Node) {
					if len(n.Words) != 2 {
						l.errorf(n.Pos(), ClassGeneral, "BFD_CHECK - No or too many names specified")
						return
					}
					if !l.bfdDefined(n.Words[1].Text) {
						l.errorf(n.Pos(), ClassGeneral, "BFD_CHECK - BFD %s not configured", n.Words[1].Text)
						return
					}
					l.lvs.checker.bfdName = true
				},
				"alpha": lvsBool("Invalid alpha parameter %s"),
			}
		},
	}
}

// dnsTypes are the record types DNS_CHECK knows.
var dnsTypes = map[string]bool{"A": true, "NS": true, "CNAME": true, "SOA": true, "MX": true, "TXT": true, "AAAA": true}

func udpLength(which string, at func(c *lvsChecker) *int) handler {
	return func(l *lowerer, n *Node) {
		w := l.lvsWord(n)
		if w == "" {
			return
		}
		v, err := strconv.Atoi(w)
		if err != nil || v < 0 || v > 65535 {
			l.errorf(n.Pos(), ClassGeneral, "UDP_CHECK %s length %s not valid - must be between 0 & 65535", which, w)
			return
		}
		*at(l.lvs.checker) = v
	}
}

func isHex(s string) bool {
	if len(s)%2 != 0 || s == "" {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// checkerCommon is install_checker_common_keywords: the connection keywords
// and the retry and timing keywords every checker but FILE and BFD has.
func checkerCommon(connection bool) table {
	t := table{
		"retry":              lvsUint("Invalid retry connection value '%s'", 0, 1<<32-1),
		"delay_before_retry": lvsTimer("Invalid delay_before_retry connection value '%s'", 0),
		"warmup":             lvsTimer("Invalid warmup connection value '%s'", 0),
		"delay_loop":         lvsTimer("delay_loop '%s' is invalid - ignoring", time.Microsecond),
		"alpha":              lvsBool("Invalid alpha parameter %s"),
		"log_all_failures":   lvsBool("Invalid log_all_failures parameter %s"),
	}
	if !connection {
		return t
	}
	t["connect_ip"] = func(l *lowerer, n *Node) {
		w := l.lvsWord(n)
		if w == "" {
			return
		}
		a, _, ok := lvsSockaddr(w, "")
		if !ok || strings.ContainsAny(w, "-/") {
			l.errorf(n.Pos(), ClassGeneral, "Invalid connect_ip address %s - ignoring", w)
			return
		}
		l.lvs.checker.linkLoc = a.Is6() && a.IsLinkLocalUnicast()
	}
	t["connect_port"] = lvsUint("Invalid checker connect_port '%s'", 1, 65535)
	t["bindto"] = func(l *lowerer, n *Node) {
		w := l.lvsWord(n)
		if w == "" {
			return
		}
		if _, _, ok := lvsSockaddr(w, ""); !ok || strings.ContainsAny(w, "-/") {
			l.errorf(n.Pos(), ClassGeneral, "Invalid bindto address %s - ignoring", w)
		}
	}
	t["bind_port"] = lvsUint("Invalid checker bind_port '%s'", 1, 65535)
	t["bind_if"] = func(l *lowerer, n *Node) {
		w := l.lvsWord(n)
		if len(w) > 15 {
			l.errorf(n.Pos(), ClassGeneral, "Interface name %s is too long - ignoring", w)
			return
		}
		l.lvs.checker.bindIf = w != ""
	}
	t["connect_timeout"] = lvsTimer("connect_timeout %s invalid - ignoring", time.Microsecond)
	t["fwmark"] = lvsUint("Invalid fwmark connection value '%s'", 0, 1<<32-1)
	return t
}

// httpTable is the table of HTTP_GET and SSL_GET.
func httpTable() table {
	t := checkerCommon(true)
	t["nb_get_retry"] = func(l *lowerer, n *Node) {
		d := l.errorf(n.Pos(), ClassGeneral, "nb_get_retry is deprecated - please use 'retry'")
		d.Hint = "keepalived 2.2.7 still reads it, but -t fails"
		if w := l.lvsWord(n); w != "" {
			if _, err := strconv.ParseUint(w, 10, 32); err != nil {
				l.errorf(n.Pos(), ClassGeneral, "Invalid nb_get_retry value '%s'", w)
			}
		}
	}
	t["virtualhost"] = func(l *lowerer, n *Node) {
		if len(n.Words) < 2 {
			l.errorf(n.Pos(), ClassGeneral, "HTTP_GET virtualhost name missing")
		}
	}
	t["http_protocol"] = func(l *lowerer, n *Node) {
		if len(n.Words) < 2 {
			l.errorf(n.Pos(), ClassGeneral, "Missing http_protocol version")
			return
		}
		switch n.Words[1].Text {
		case "1.0", "1.1", "1.0C", "1.0c":
		default:
			l.errorf(n.Pos(), ClassGeneral, "Invalid http_protocol version %s", n.Words[1].Text)
		}
	}
	t["enable_sni"] = lvsBool("Invalid enable_sni parameter %s")
	t["fast_recovery"] = lvsBool("Invalid fast_recovery parameter %s")
	t["url"] = func(l *lowerer, n *Node) {
		if !l.wantBlock(n) {
			return
		}
		c := l.lvs.checker
		c.urlPath = false
		l.walk(n.Children, l.table("url", urlTable), "url")
		if !c.urlPath {
			l.errorf(n.Pos(), ClassGeneral, "HTTP/SSL_GET checker url has no path - ignoring")
			return
		}
		c.urls++
	}
	return t
}

// urlTable is the table of an HTTP_GET/SSL_GET url block.
func urlTable() table {
	return table{
		"path": func(l *lowerer, n *Node) {
			if l.lvsWord(n) != "" {
				l.lvs.checker.urlPath = true
			}
		},
		"digest": func(l *lowerer, n *Node) {
			w := l.lvsWord(n)
			if w == "" {
				return
			}
			if len(w) != 32 {
				l.errorf(n.Pos(), ClassGeneral, "digest '%s' character length should be 32 rather than %d", w, len(w))
				return
			}
			if !isHex(w) {
				l.errorf(n.Pos(), ClassGeneral, "Unable to interpret hex digit in '%s'", w)
			}
		},
		"status_code": func(l *lowerer, n *Node) {
			for _, w := range n.Args() {
				lo, hi, ok := strings.Cut(w.Text, "-")
				a, err1 := strconv.ParseUint(lo, 10, 32)
				b, err2 := a, error(nil)
				if ok {
					b, err2 = strconv.ParseUint(hi, 10, 32)
				}
				if err1 != nil || err2 != nil || a < 100 || a > 599 || b < 100 || b > 599 || a > b {
					l.errorf(w.Pos, ClassGeneral, "Invalid HTTP_GET status code '%s'", w.Text)
				}
			}
		},
		"virtualhost": func(l *lowerer, n *Node) {
			if len(n.Words) < 2 {
				l.errorf(n.Pos(), ClassGeneral, "Missing HTTP_GET virtualhost name")
			}
		},
		// keepalived takes the regex keywords bare.
		"regex":            lvsFlag,
		"regex_no_match":   lvsFlag,
		"regex_options":    lvsFlag,
		"regex_min_offset": lvsOptUint("Invalid regex_min_offset %s", 0, 1<<32-1),
		"regex_max_offset": lvsOptUint("Invalid regex_max_offset %s", 1, 1<<32-1),
		"regex_stack":      lvsFlag,
	}
}

// sslTable is the table of the top-level SSL block.
func sslTable() table {
	file := func(what string) handler {
		return func(l *lowerer, n *Node) {
			if len(n.Words) < 2 {
				l.errorf(n.Pos(), ClassGeneral, "SSL %s missing", what)
			}
		}
	}
	return table{"password": file("password"), "ca": file("cafile"), "certificate": file("certfile"), "key": file("keyfile")}
}

// lowerChecker checks a health checker block and what its end handler
// checks.
func (l *lowerer) lowerChecker(n *Node, kind string, build func() table) {
	if !l.wantBlock(n) {
		return
	}
	c := &lvsChecker{kind: kind}
	l.lvs.checker = c
	l.walk(n.Children, l.table(kind, build), kind)
	l.lvs.checker = nil
	switch kind {
	case "HTTP_GET", "SSL_GET":
		if c.urls == 0 {
			l.errorf(n.Pos(), ClassGeneral, "HTTP/SSL_GET checker has no urls specified - ignoring")
		}
	case "MISC_CHECK":
		if !c.script {
			l.errorf(n.Pos(), ClassGeneral, "No script path has been specified for MISC_CHECKER - skipping")
		}
	case "FILE_CHECK":
		if !c.file {
			l.errorf(n.Pos(), ClassGeneral, "FILE_CHECK has no track_file specified - ignoring")
		}
	case "BFD_CHECK":
		if !c.bfdName {
			l.errorf(n.Pos(), ClassGeneral, "No name has been specified for BFD_CHECKER - skipping")
		}
	case "UDP_CHECK":
		if c.minReply > 0 && c.maxReply > 0 && c.minReply > c.maxReply {
			l.errorf(n.Pos(), ClassGeneral, "UDP_CHECK min_reply length %d > max_reply_length %d - will always fail", c.minReply, c.maxReply)
		}
	}
	if c.linkLoc && !c.bindIf {
		l.errorf(n.Pos(), ClassGeneral, "Checker link local address requires a bind_if")
	}
}

// trackFileDefined reports whether a track_file (or vrrp_track_file) of
// that name came earlier.
func (l *lowerer) trackFileDefined(name string) bool {
	for _, f := range l.cfg.TrackFiles {
		if f.Name == name {
			return true
		}
	}
	return false
}

// bfdDefined reports whether a bfd_instance of that name came earlier.
func (l *lowerer) bfdDefined(name string) bool {
	for _, b := range l.cfg.NotRun {
		if b.Keyword == "bfd_instance" && b.Name == name {
			return true
		}
	}
	return false
}
