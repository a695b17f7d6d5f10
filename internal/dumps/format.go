package dumps

import (
	"net/netip"
	"path/filepath"
	"strings"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// prefixText writes a prefix as keepalived's ipaddresstos does: the
// address alone for a host prefix (/32, /128), else ADDR/LEN.
func prefixText(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// FormatAddress returns a virtual_ipaddress line as keepalived 2.2.7 prints
// it in its dumps (format_ipaddress), for example
// "192.0.2.100/24 dev eth0 scope global label eth0:1 set". dev is the
// interface to print ("vrrp.51@eth0" for an address on a VMAC) and set
// whether the address is installed.
func FormatAddress(a *config.Address, dev string, set bool) string {
	return formatAddress(systemNames(), a, dev, set)
}

func formatAddress(n *names, a *config.Address, dev string, set bool) string {
	var b strings.Builder
	b.WriteString(prefixText(a.Prefix))
	is6 := a.Prefix.Addr().Is6()
	if !is6 && a.Broadcast.IsValid() && !a.Broadcast.IsUnspecified() {
		b.WriteString(" brd " + a.Broadcast.String())
	}
	b.WriteString(" dev " + dev)
	b.WriteString(" scope " + addrScope(n, a))
	if a.Label != "" {
		b.WriteString(" label " + a.Label)
	}
	if a.Peer.IsValid() {
		b.WriteString(" peer " + netip.PrefixFrom(a.Peer, a.Prefix.Bits()).String())
	}
	flag(&b, " home", a.Home)
	flag(&b, " -nodad", a.NoDAD)
	flag(&b, " mngtmpaddr", a.MngTmpAddr)
	flag(&b, " noprefixroute", a.NoPrefixRoute)
	flag(&b, " autojoin", a.AutoJoin)
	flag(&b, " no_track", a.NoTrack)
	if a.TrackGroup != "" {
		b.WriteString(" track_group " + a.TrackGroup)
	}
	if is6 {
		switch a.PreferredLft {
		case "0":
			b.WriteString(" deprecated")
		case "":
		default:
			b.WriteString(" preferred_lft " + a.PreferredLft)
		}
	}
	flag(&b, " set", set)
	return b.String()
}

// addrScope names an address's scope as keepalived does
// (get_rttables_scope): its name in rt_scopes, else keepalived's built-in
// one, else the number.
func addrScope(n *names, a *config.Address) string {
	return n.name("rt_scopes", uint32(a.Scope))
}

func flag(b *strings.Builder, word string, on bool) {
	if on {
		b.WriteString(word)
	}
}

// CommandString returns a script's command line as keepalived prints it
// (its cmd_str): every word in single quotes, unescaped, with the symbolic
// links in the program's directory resolved (not the program's own link),
// as keepalived resolves the path at start. It returns "" for an unset
// command.
func CommandString(c *config.Command) string {
	if !c.IsSet() {
		return ""
	}
	words := make([]string, len(c.Args))
	for i, w := range c.Args {
		if i == 0 && strings.HasPrefix(w, "/") {
			w = realDir(w)
		}
		words[i] = "'" + w + "'"
	}
	return strings.Join(words, " ")
}

// realDir resolves the symbolic links of a path's directory, keeping its
// last element; a directory that cannot be resolved is kept as written.
func realDir(path string) string {
	dir, file := filepath.Split(path)
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return path
	}
	return filepath.Join(real, file)
}
