package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// buildAdvert returns the advert of an instance configured so, with
// priority 0.
func buildAdvert(cfg *config.Instance) vrrp.Advert {
	adv := vrrp.Advert{
		Version: uint8(cfg.Version), Type: vrrp.TypeAdvertisement, VRID: uint8(cfg.VRID),
		Addrs: vipAddrs(cfg.VIPs),
	}
	if cfg.Version == 2 {
		adv.AdvertInt = uint8(cfg.AdvertInt / time.Second)
		adv.AuthType = vrrp.AuthType(cfg.AuthType)
		copy(adv.AuthData[:], cfg.AuthPass)
	} else {
		adv.MaxAdvertInt = uint16(cfg.AdvertInt / (10 * time.Millisecond))
	}
	return adv
}

func vipAddrs(as []*config.Address) []netip.Addr {
	out := make([]netip.Addr, len(as))
	for i, a := range as {
		out[i] = a.Prefix.Addr()
	}
	return out
}

// allAddrs are an instance's VIPs, then its eVIPs.
func allAddrs(cfg *config.Instance) []*config.Address {
	return append(slices.Clone(cfg.VIPs), cfg.EVIPs...)
}

// warn logs a failed host operation as keepalived words it: the
// instance's name, then the error.
func (w *wire) warn(err error) {
	w.log.Warn("(" + w.name + ") " + err.Error())
}

// send sends the instance's advert at priority prio.
func (w *wire) send(prio int) error {
	adv := w.advert
	adv.Priority = uint8(prio)
	return w.ep.Send(adv)
}

// setAddrs adds an instance's VIPs and eVIPs, then its routes and rules.
func (w *wire) setAddrs(cfg *config.Instance) {
	w.change(allAddrs(cfg), cfg.Routes, cfg.Rules, nil, nil, nil)
}

// clearAddrs removes an instance's rules and routes, then its VIPs and
// eVIPs.
func (w *wire) clearAddrs(cfg *config.Instance) {
	w.change(nil, nil, nil, allAddrs(cfg), cfg.Routes, cfg.Rules)
}

// moveAddrs applies a reload's address changes to a MASTER: what left the
// configuration is deleted, what joined is added, and new VIPs are
// announced; the rest is not touched.
func (w *wire) moveAddrs(ctx context.Context, old, cur *config.Instance) {
	oldAddrs, newAddrs := allAddrs(old), allAddrs(cur)
	added := minus(newAddrs, oldAddrs)
	w.change(added, minus(cur.Routes, old.Routes), minus(cur.Rules, old.Rules),
		minus(oldAddrs, newAddrs), minus(old.Routes, cur.Routes), minus(old.Rules, cur.Rules))
	w.announce(ctx, added, cur.GarpMasterRepeat)
}

// change deletes rules, routes and addresses, in that order, then adds
// addresses, routes and rules; failures are logged and the rest done.
func (w *wire) change(addA []*config.Address, addRt []*config.Route, addRu []*config.Rule,
	delA []*config.Address, delRt []*config.Route, delRu []*config.Rule) {
	try := func(err error) {
		if err != nil {
			w.warn(err)
		}
	}
	for _, r := range delRu {
		try(w.net.DelRule(r))
	}
	for _, r := range delRt {
		try(w.net.DelRoute(r))
	}
	for _, a := range delA {
		try(w.net.DelAddress(a))
	}
	for _, a := range addA {
		try(w.net.AddAddress(a))
	}
	for _, r := range addRt {
		try(w.net.AddRoute(r))
	}
	for _, r := range addRu {
		try(w.net.AddRule(r))
	}
}

// announce sends a GARP / unsolicited NA burst for the addresses in
// list, per interface and family. Bursts spaced by an interval run in the
// background so the instance keeps its timing.
func (w *wire) announce(ctx context.Context, list []*config.Address, repeat int) {
	if repeat <= 0 {
		return
	}
	type key struct {
		dev string
		v6  bool
	}
	groups := map[key][]netip.Addr{}
	var order []key
	for _, a := range list {
		k := key{a.Dev, a.Prefix.Addr().Is6()}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], a.Prefix.Addr())
	}
	for _, k := range order {
		addrs, gap := groups[k], w.garp
		what := "gratuitous ARPs"
		if k.v6 {
			gap, what = w.gna, "Unsolicited Neighbour Adverts"
		}
		if w.log.Enabled(ctx, slog.LevelDebug) {
			for _, a := range addrs {
				w.log.Debug("(" + w.name + ") Sending/queueing " + what + " on " + k.dev + " for " + a.String())
			}
		}
		send := func() {
			if err := w.net.Announce(ctx, k.dev, addrs, repeat, gap); err != nil && ctx.Err() == nil {
				w.warn(err)
			}
		}
		if gap == 0 {
			send()
			continue
		}
		w.bg.Add(1)
		go func() {
			defer w.bg.Done()
			send()
		}()
	}
}
