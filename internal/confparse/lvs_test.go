package confparse

import (
	"strings"
	"testing"
)

// loadText loads one configuration from memory with interfaces eth0-eth2.
func loadText(t *testing.T, text string) (*Config, Diagnostics) {
	t.Helper()
	return Load("/k.conf", Options{
		Read: ReadOptions{FS: MemFS{"/k.conf": text}},
		Env:  newTestEnv("eth0", "eth1", "eth2"),
	})
}

// lvsOK is a virtual server keepalived -t accepts; the cases below change
// one thing in it. Each case's exit code is keepalived 2.2.7's -t on the
// same text (measured in a namespace with eth0-eth2).
const lvsOK = `virtual_server 192.0.2.10 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.10 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
`

// lvsCases change lvsOK and give keepalived's exit code and message.
var lvsCases = []struct {
	name, from, to string
	exit           int
	msg            string
}{
	{"valid", "", "", 0, ""},
	{"nb_get_retry in TCP_CHECK", "connect_timeout 3", "connect_timeout 3\n nb_get_retry 3", 5, "unknown keyword 'nb_get_retry' in TCP_CHECK"},
	{"nat_mask", "lb_kind NAT", "lb_kind NAT\n nat_mask 255.255.255.0", 5, "unknown keyword 'nat_mask' in virtual_server"},
	{"misspelt", "lb_kind NAT", "lb_kynd NAT", 5, "did you mean 'lb_kind'?"},
	{"quorum 0", "lb_kind NAT", "lb_kind NAT\n quorum 0", 5, "Quorum 0 must be in [1, 4294967295]. Setting to 1."},
	{"persistence_timeout 0", "lb_kind NAT", "lb_kind NAT\n persistence_timeout 0", 5, "persistence_timeout invalid"},
	{"no protocol", "    protocol TCP\n", "", 5, "no protocol set - defaulting to UDP"},
	{"no scheduler", "    lb_algo rr\n", "", 5, "no scheduler set, setting default 'wlc'"},
	{"no forwarding method", "    lb_kind NAT\n", "", 5, "no forwarding method set, setting default NAT"},
	{"no real server", "real_server 198.51.100.10 80", "sorry_server 198.51.100.10 80\n x", 5, "has no real servers - ignoring"},
	{"bad address", "192.0.2.10 80 {", "192.0.2.300 80 {", 5, "Invalid virtual server IP address/port 192.0.2.300/80 - skipping"},
	{"zero port", "192.0.2.10 80 {", "192.0.2.10 {", 5, "zero port only valid for persistent services"},
	{"quorum above weights", "lb_kind NAT", "lb_kind NAT\n quorum 5", 5, "exceeds total weight of real servers 1"},
	{"DR port mismatch", "lb_kind NAT", "lb_kind DR", 0, ""},
	{"DR port mismatch real", "198.51.100.10 80 {", "198.51.100.10 8080 {\n lvs_method DR", 5, "ports don't match"},
	{"real server family", "198.51.100.10 80 {", "2001:db8::10 80 {", 5, "Address family of virtual server and real server 2001:db8::10 don't match"},
	{"HTTP_GET", "TCP_CHECK {", "HTTP_GET {\n url {\n path /\n status_code 200\n }", 0, ""},
	{"HTTP_GET without url", "TCP_CHECK {", "HTTP_GET {", 5, "HTTP/SSL_GET checker has no urls specified"},
	{"HTTP_GET nb_get_retry", "TCP_CHECK {", "HTTP_GET {\n nb_get_retry 3\n url {\n path /\n }", 5, "nb_get_retry is deprecated - please use 'retry'"},
	{"bad status code", "TCP_CHECK {", "HTTP_GET {\n url {\n path /\n status_code 600\n }", 5, "Invalid HTTP_GET status code '600'"},
	{"sh-port without sh", "lb_algo rr", "lb_algo rr\n sh-port", 5, "sh-port only applies to sh scheduler"},
	{"sh-port with sh", "lb_algo rr", "lb_algo sh\n sh-port", 0, ""},
	{"SMTP_CHECK host", "TCP_CHECK {", "SMTP_CHECK {\n host {\n connect_ip 198.51.100.10\n }", 0, ""},
	{"misc without security", "TCP_CHECK {\n            connect_timeout 3", "MISC_CHECK {\n misc_path /bin/true", 6, "SECURITY VIOLATION - check scripts are being executed"},
	{"missing delay_loop value", "delay_loop 6", "delay_loop", ExitMissingValue, "is missing a parameter after keyword `delay_loop`"},
	{"missing connect_timeout value", "connect_timeout 3", "connect_timeout", ExitMissingValue, "is missing a parameter after keyword `connect_timeout`"},
	{"missing weight value", "weight 1", "weight", ExitMissingValue, "is missing a parameter after keyword `weight`"},
}

func TestLVSChecks(t *testing.T) {
	for _, tc := range lvsCases {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(lvsOK, tc.from, tc.to, 1)
			if tc.from != "" && text == lvsOK {
				t.Fatalf("%q is not in the base configuration", tc.from)
			}
			cfg, diags := loadText(t, text)
			if got := diags.ExitCode(); got != tc.exit {
				t.Errorf("exit %d, want %d (keepalived's)\n%s", got, tc.exit, diagText(diags))
			}
			if tc.msg != "" && !strings.Contains(diagText(diags), tc.msg) {
				t.Errorf("no diagnostic says %q:\n%s", tc.msg, diagText(diags))
			}
			if tc.exit != ExitMissingValue && (len(cfg.NotRun) != 1 || cfg.NotRun[0].Keyword != "virtual_server") {
				t.Errorf("the virtual_server block is not kept as a not-run block: %+v", cfg.NotRun)
			}
		})
	}
}

func TestVirtualServerGroupChecks(t *testing.T) {
	group := "virtual_server_group web {\n    192.0.2.10 80\n    192.0.2.20-30 80\n    198.51.100.0/28 80\n    fwmark 3\n}\n"
	vs := "virtual_server group web {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 203.0.113.10 80 {\n    }\n}\n"
	for _, tc := range []struct {
		name, text string
		exit       int
		msg        string
	}{
		{"valid", group + vs, 0, ""},
		{"range end below start", strings.Replace(group, "20-30", "20-10", 1) + vs, 5, "Address range end is less than address range start"},
		{"mask bits", strings.Replace(group, "198.51.100.0/28", "198.51.100.1/28", 1) + vs, 5, "Address mask bits not empty"},
		{"empty group", "virtual_server_group web {\n}\n" + vs, 5, "virtual server group web has no entries - removing"},
		{"DR ports", group + strings.Replace(vs, "NAT", "DR", 1) + "", 5, "has port specified - port will be ignored"},
		// keepalived -t says nothing of a group that is not configured.
		{"unknown group", vs, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := loadText(t, tc.text)
			if got := diags.ExitCode(); got != tc.exit {
				t.Errorf("exit %d, want %d (keepalived's)\n%s", got, tc.exit, diagText(diags))
			}
			if tc.msg != "" && !strings.Contains(diagText(diags), tc.msg) {
				t.Errorf("no diagnostic says %q:\n%s", tc.msg, diagText(diags))
			}
		})
	}
}

// TestBracelessValueBlocks: a list block's keyword written without its
// '{' takes the following lines, up to the next '}', as its entries, and
// the block around it goes on, as keepalived's VRRP process reads it
// (alloc_value_block; seen in its -d dump); keepalived's -t, whose first
// pass counts braces, fails on it (exit 5), and words after the keyword
// are its "extra parameters" error. Exit codes are keepalived 2.2.7's.
func TestBracelessValueBlocks(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		check       func(t *testing.T, in *Instance)
	}{
		{"track_interface with a word", "    track_interface eth1\n        eth2\n    }\n", func(t *testing.T, in *Instance) {
			if len(in.TrackInterfaces) != 1 || in.TrackInterfaces[0].Name != "eth2" {
				t.Errorf("tracked interfaces %+v, want only eth2 (keepalived drops eth1, read as an extra parameter)", in.TrackInterfaces)
			}
		}},
		{"track_interface alone", "    track_interface\n        eth2\n    }\n", func(t *testing.T, in *Instance) {
			if len(in.TrackInterfaces) != 1 || in.TrackInterfaces[0].Name != "eth2" {
				t.Errorf("tracked interfaces %+v, want eth2", in.TrackInterfaces)
			}
		}},
		{"virtual_ipaddress with an address", "    virtual_ipaddress 192.0.2.99/24\n        192.0.2.98/24\n    }\n", func(t *testing.T, in *Instance) {
			if len(in.VIPs) != 1 || in.VIPs[0].Prefix.String() != "192.0.2.98/24" {
				t.Errorf("VIPs %+v, want only 192.0.2.98/24", in.VIPs)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 100\n" + tc.block + "    advert_int 2\n"
			if !strings.Contains(tc.block, "virtual_ipaddress") {
				text += "    virtual_ipaddress {\n        192.0.2.10/24\n    }\n"
			}
			text += "}\n"
			cfg, diags := loadText(t, text)
			out := diagText(diags)
			if got := diags.ExitCode(); got != ExitConfigError {
				t.Errorf("exit %d, want %d (keepalived's)\n%s", got, ExitConfigError, out)
			}
			if !strings.Contains(out, "has no '{' on its line") {
				t.Errorf("no diagnostic about the missing '{':\n%s", out)
			}
			if len(cfg.Instances) != 1 {
				t.Fatalf("%d instances, want 1:\n%s", len(cfg.Instances), out)
			}
			in := cfg.Instances[0]
			if in.AdvertInt.Seconds() != 2 {
				t.Errorf("advert_int is %v, want 2s: keepalived's VRRP process reads the line after the block in the instance", in.AdvertInt)
			}
			tc.check(t, in)
		})
	}
	// With its '{' on the next line, the block is an ordinary one.
	cfg, diags := loadText(t, "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    track_interface\n    {\n        eth2\n    }\n"+
		"    virtual_ipaddress {\n        192.0.2.10/24\n    }\n    advert_int 2\n}\n")
	if diags.ExitCode() != 0 || len(cfg.Instances) != 1 || len(cfg.Instances[0].TrackInterfaces) != 1 || cfg.Instances[0].AdvertInt.Seconds() != 2 {
		t.Errorf("'{' on the next line: exit %d, instances %d; want 0 and one whole instance\n%s", diags.ExitCode(), len(cfg.Instances), diagText(diags))
	}
}

func diagText(ds Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String() + "\n")
	}
	return b.String()
}
