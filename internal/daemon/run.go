package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/scripts"
	"github.com/gokeepalived/gokeepalived/internal/vip"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
	"github.com/gokeepalived/gokeepalived/internal/vrrp/socket"
)

// Deps are the daemon's connections to the host. Tests replace them with
// in-memory fakes.
type Deps struct {
	Log   *slog.Logger // nil discards
	Net   vip.Interfaces
	Links vip.Links
	// Addrs reports address deletions, for VIPs deleted behind our back;
	// nil disables that tracking.
	Addrs vip.Addrs
	// Open opens an instance's advert endpoint.
	Open func(socket.Options) (Endpoint, error)
	// SourceAddr returns the address an instance sends from when none is
	// configured: the interface's first IPv4 address, or its IPv6
	// link-local address.
	SourceAddr func(ifname string, fam vrrp.Family) (netip.Addr, error)
	Now        func() time.Time
	// Scripts runs notify scripts; nil runs none.
	Scripts scripts.Executor
}

// Run runs every instance of cfg until ctx ends, then runs keepalived's
// stop sequence (reference §5.6) and returns. Status, if not nil, is kept
// up to date.
func Run(ctx context.Context, cfg *confparse.Config, d Deps, status *Status) error {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SourceAddr == nil {
		d.SourceAddr = InterfaceAddr
	}
	if status == nil {
		status = NewStatus()
	}
	if len(cfg.Instances) == 0 {
		d.Log.Info("Warning - keepalived has no configuration to run")
	}
	vmacs, err := planVMACs(cfg)
	if err != nil {
		return err
	}
	var insts []*instance
	// VMACs go last, after the sockets on them are closed.
	defer func() { removeVMACs(d, insts) }()
	defer func() {
		for _, in := range insts {
			in.ep.Close()
		}
	}()
	for _, ic := range cfg.Instances {
		var v *vip.VMAC
		if vm, ok := vmacs[ic]; ok {
			v = &vm
		}
		in, err := newInstance(ic, cfg, d, status, v)
		if err != nil {
			return fmt.Errorf("(%s) %w", ic.Name, err)
		}
		insts = append(insts, in)
	}
	addStatic(cfg, d)
	defer removeStatic(cfg, d)

	linkCtx, stopLinks := context.WithCancel(ctx)
	defer stopLinks()
	var wg sync.WaitGroup
	if err := watchLinks(linkCtx, d, insts, &wg); err != nil {
		d.Log.Warn("link state is not tracked: " + err.Error())
	}
	if err := watchAddrs(linkCtx, d, insts, &wg); err != nil {
		d.Log.Warn("deleted VIPs are not tracked: " + err.Error())
	}
	runCheckers(linkCtx, cfg, d, insts, &wg)
	for _, in := range insts {
		// Like keepalived at start, remove addresses left by a previous run.
		in.log.Info("(" + in.cfg.Name + ") removing VIPs.")
		in.removeVIPs()
	}
	d.Log.Info("Startup complete")
	for _, in := range insts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.run(ctx)
		}()
	}
	<-ctx.Done()
	stopLinks()
	wg.Wait()
	return nil
}

// newInstance sets up one instance: its VMAC when v is not nil (created
// before the socket opens, and deleted again if the instance cannot be set
// up), its state machine and its endpoint.
func newInstance(ic *confparse.Instance, cfg *confparse.Config, d Deps, status *Status, v *vip.VMAC) (*instance, error) {
	fam := vrrp.IPv4
	if ic.Family == confparse.IPv6 {
		fam = vrrp.IPv6
	}
	src := ic.UnicastSrcIP
	if !src.IsValid() {
		src = ic.McastSrcIP
	}
	if !src.IsValid() {
		a, err := d.SourceAddr(ic.Interface, fam)
		if err != nil {
			return nil, err
		}
		src = a
	}
	m, err := vrrp.NewMachine(machineConfig(ic, fam, src))
	if err != nil {
		return nil, err
	}
	opts := socket.Options{Ifname: ic.Interface, Family: fam, VRID: uint8(ic.VRID), Src: src, Group: ic.McastDstIP}
	if !opts.Group.IsValid() && len(ic.UnicastPeers) == 0 {
		opts.Group = cfg.Global.McastGroup4
		if fam == vrrp.IPv6 {
			opts.Group = cfg.Global.McastGroup6
		}
	}
	for _, p := range ic.UnicastPeers {
		opts.Peers = append(opts.Peers, p.Addr)
	}
	if ic.UnicastTTL >= 0 && len(ic.UnicastPeers) > 0 {
		opts.UnicastTTL = uint8(ic.UnicastTTL)
	}
	if v != nil {
		if err := createVMAC(d, ic, *v); err != nil {
			return nil, err
		}
		if !xmitBase(ic) {
			opts.Ifname = v.Name
		}
		ic = withVMAC(ic, *v)
	}
	ep, err := d.Open(opts)
	if err != nil {
		if v != nil {
			d.Net.DelVMAC(*v)
		}
		return nil, err
	}
	if ic.OldUnicastChecksum {
		ep.SetLegacyChecksum(true)
	}
	in := &instance{
		cfg: ic, m: m, ep: ep, net: d.Net, log: d.Log, vmac: v, global: &cfg.Global,
		expect: expectation(ic, fam, &cfg.Global),
		garp:   cfg.Global.GarpInterval, gna: cfg.Global.GnaInterval,
		links: make(chan vip.LinkEvent, 16), addrs: make(chan vip.AddrEvent, 16), scriptCh: make(chan scripts.Update, 16), status: status, now: d.Now,
	}
	in.scripts = d.Scripts
	return in, nil
}

// machineConfig maps a lowered instance onto its state machine's Config.
func machineConfig(ic *confparse.Instance, fam vrrp.Family, src netip.Addr) vrrp.Config {
	init := vrrp.StateBackup
	if ic.State == confparse.StateMaster {
		init = vrrp.StateMaster
	}
	return vrrp.Config{
		Name: ic.Name, VRID: uint8(ic.VRID), Version: ic.Version, Family: fam,
		Priority: ic.Priority, AdvertInt: ic.AdvertInt, InitialState: init,
		Nopreempt: ic.Nopreempt, PreemptDelay: ic.PreemptDelay, DownTimerAdverts: ic.DownTimerAdverts,
		LowerPrioNoAdvert: ic.LowerPrioNoAdvert, HigherPrioSendAdvert: ic.HigherPrioSendAdvert,
		GARPMasterDelay: ic.GarpMasterDelay, GARPMasterRepeat: ic.GarpMasterRepeat,
		GARPMasterRefresh: ic.GarpMasterRefresh, GARPMasterRefreshRepeat: ic.GarpMasterRefreshRepeat,
		GARPLowerPrioDelay: ic.GarpLowerPrioDelay, GARPLowerPrioRepeat: ic.GarpLowerPrioRepeat,
		PrimaryAddr: src,
	}
}

// expectation maps a lowered instance onto the receive checks' Expect.
func expectation(ic *confparse.Instance, fam vrrp.Family, g *confparse.Global) vrrp.Expect {
	e := vrrp.Expect{
		Name: ic.Name, Family: fam, Version: uint8(ic.Version), VRID: uint8(ic.VRID),
		AuthType: vrrp.AuthType(ic.AuthType), VIPs: vipAddrs(ic.VIPs),
		CheckUnicastSrc: ic.CheckUnicastSrc || g.CheckUnicastSrc, SkipCheckAdvAddr: ic.SkipCheckAdvAddr,
	}
	copy(e.AuthData[:], ic.AuthPass)
	if ic.Version == 2 {
		e.AdvertInt = uint8(ic.AdvertInt / time.Second)
	}
	for _, p := range ic.UnicastPeers {
		e.UnicastPeers = append(e.UnicastPeers, vrrp.Peer{Addr: p.Addr, MinTTL: uint8(p.MinTTL), MaxTTL: uint8(p.MaxTTL)})
	}
	switch {
	case ic.OldUnicastChecksum:
		e.Checksum = vrrp.ChecksumLegacy
	case ic.OldUnicastChecksumNever:
		e.Checksum = vrrp.ChecksumNever
	}
	return e
}

// watchLinks forwards link events to the instances on each interface.
func watchLinks(ctx context.Context, d Deps, insts []*instance, wg *sync.WaitGroup) error {
	if d.Links == nil || len(insts) == 0 {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, in := range insts {
		for _, n := range in.watched() {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	initial, events, err := d.Links.Watch(ctx, names...)
	if err != nil {
		return err
	}
	deliver := func(ev vip.LinkEvent) {
		for _, in := range insts {
			if slices.Contains(in.watched(), ev.Ifname) {
				select {
				case in.links <- ev:
				case <-ctx.Done():
				}
			}
		}
	}
	for _, ev := range initial {
		if !ev.Up {
			deliver(ev)
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range events {
			d.Log.Info(ev.String())
			deliver(ev)
		}
	}()
	return nil
}

// watchAddrs forwards deletions of an instance's tracked VIPs to it.
func watchAddrs(ctx context.Context, d Deps, insts []*instance, wg *sync.WaitGroup) error {
	if d.Addrs == nil || len(insts) == 0 {
		return nil
	}
	events, err := d.Addrs.WatchAddrs(ctx)
	if err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range events {
			if !ev.Deleted {
				continue
			}
			for _, in := range insts {
				if in.tracksVIP(ev) {
					select {
					case in.addrs <- ev:
					case <-ctx.Done():
					}
				}
			}
		}
	}()
	return nil
}

// tracksVIP reports whether ev is about one of the instance's VIPs that
// lack no_track.
func (in *instance) tracksVIP(ev vip.AddrEvent) bool {
	for _, a := range in.cfg.VIPs {
		if !a.NoTrack && a.Dev == ev.Ifname && a.Prefix.Addr() == ev.Prefix.Addr() {
			return true
		}
	}
	return false
}

// watched lists the interfaces whose state matters to the instance: its own,
// its VMAC and the tracked ones.
func (in *instance) watched() []string {
	names := []string{in.cfg.Interface}
	if in.vmac != nil {
		names = append(names, in.vmac.Name)
	}
	for _, t := range in.cfg.TrackInterfaces {
		names = append(names, t.Name)
	}
	return names
}

func addStatic(cfg *confparse.Config, d Deps) {
	for _, a := range cfg.StaticAddresses {
		if err := d.Net.AddAddress(a); err != nil {
			d.Log.Warn("static address " + a.Prefix.String() + ": " + err.Error())
		}
	}
	for _, r := range cfg.StaticRoutes {
		if err := d.Net.AddRoute(r); err != nil {
			d.Log.Warn("static route: " + err.Error())
		}
	}
	for _, r := range cfg.StaticRules {
		if err := d.Net.AddRule(r); err != nil {
			d.Log.Warn("static rule: " + err.Error())
		}
	}
}

func removeStatic(cfg *confparse.Config, d Deps) {
	for _, r := range cfg.StaticRules {
		d.Net.DelRule(r)
	}
	for _, r := range cfg.StaticRoutes {
		d.Net.DelRoute(r)
	}
	for _, a := range cfg.StaticAddresses {
		d.Net.DelAddress(a)
	}
}

// InterfaceAddr returns the address adverts are sent from when none is
// configured: the interface's first IPv4 address, or its IPv6 link-local
// address.
func InterfaceAddr(ifname string, fam vrrp.Family) (netip.Addr, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return netip.Addr{}, err
	}
	addrs, err := ifi.Addrs()
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if fam == vrrp.IPv4 && ip.Is4() || fam == vrrp.IPv6 && ip.Is6() && ip.IsLinkLocalUnicast() {
			return ip, nil
		}
	}
	return netip.Addr{}, errors.New("interface " + ifname + " has no usable " + map[bool]string{true: "IPv6 link-local", false: "IPv4"}[fam == vrrp.IPv6] + " address")
}
