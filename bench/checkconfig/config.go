package main

import (
	"bufio"
	"fmt"
	"io"
)

// genParams sizes the generated configuration.
type genParams struct {
	Instances int // vrrp_instance blocks
	Scripts   int // vrrp_script blocks
	PerIface  int // instances (and distinct VRIDs) per interface, at most 255
}

// ifaces returns how many interfaces the configuration uses.
func (g genParams) ifaces() int {
	return (g.Instances + g.PerIface - 1) / g.PerIface
}

// ifname returns the name of interface i.
func ifname(i int) string { return fmt.Sprintf("eth%d", i) }

// writeConfig writes a keepalived configuration with g.Instances
// vrrp_instance blocks, each tracking one of g.Scripts vrrp_script blocks.
// Instance i is on interface i/PerIface with VRID i%PerIface+1, so no VRID
// repeats on an interface. Virtual addresses come from 198.51.100.0/24 and
// 203.0.113.0/24; with thousands of instances they necessarily repeat
// across instances (on different interfaces or VRIDs).
func writeConfig(w io.Writer, g genParams) error {
	bw := bufio.NewWriter(w)
	fmt.Fprint(bw, `global_defs {
    router_id bench
    enable_script_security
    script_user root
    vrrp_garp_master_delay 5
}

`)
	for s := range g.Scripts {
		writeScript(bw, s)
	}
	for i := range g.Instances {
		writeInstance(bw, g, i)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}

// writeScript writes vrrp_script chk_s.
func writeScript(w io.Writer, s int) {
	fmt.Fprintf(w, "vrrp_script chk_%d {\n    script \"/bin/true\"\n    interval %d\n    timeout 2\n", s, 2+s%3)
	if s%2 == 0 {
		fmt.Fprintf(w, "    weight -%d\n", 5+s%20)
	}
	fmt.Fprint(w, "    fall 2\n    rise 2\n}\n\n")
}

// writeInstance writes vrrp_instance VI_i.
func writeInstance(w io.Writer, g genParams, i int) {
	dev := ifname(i / g.PerIface)
	state, prio := "BACKUP", 50+i%150
	if i%2 == 0 {
		state, prio = "MASTER", 200+i%50
	}
	fmt.Fprintf(w, "vrrp_instance VI_%d {\n    state %s\n    interface %s\n", i, state, dev)
	fmt.Fprintf(w, "    virtual_router_id %d\n    priority %d\n    advert_int %d\n",
		i%g.PerIface+1, prio, 1+i%3)
	if i%3 == 0 {
		fmt.Fprintf(w, "    authentication {\n        auth_type PASS\n        auth_pass pw%05d\n    }\n", i%100000)
	}
	fmt.Fprintf(w, "    virtual_ipaddress {\n        198.51.100.%d/24 dev %s\n", 1+i%254, dev)
	if i%2 == 1 {
		fmt.Fprintf(w, "        203.0.113.%d/24 dev %s\n", 1+(i/254)%254, dev)
	}
	fmt.Fprintf(w, "    }\n    track_script {\n        chk_%d\n    }\n", i%g.Scripts)
	fmt.Fprint(w, "    notify /bin/true\n}\n\n")
}
