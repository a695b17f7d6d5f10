package confparse

import (
	"strings"
	"testing"
)

// TestSMTPServer: smtp_server takes an address or a host name, resolved
// when the configuration is read, with port 25 unless one is given; a name
// that does not resolve or a bad port is keepalived's "Invalid smtp
// server" error (-t exits 5). The exit codes are keepalived 2.2.7's.
func TestSMTPServer(t *testing.T) {
	for _, tc := range []struct {
		value, addr string
		exit        int
		msg         string
	}{
		{"192.0.2.25", "192.0.2.25:25", 0, ""},
		{"2001:db8::25 2525", "[2001:db8::25]:2525", 0, ""},
		{"mail.example.net", "192.0.2.25:25", 0, "smtp_server mail.example.net resolves to 192.0.2.25"},
		{"mail.example.net 587", "192.0.2.25:587", 0, ""},
		{"no-such-host.invalid", "", 5, "Invalid smtp server no-such-host.invalid 25 (the name does not resolve"},
		{"192.0.2.25 70000", "", 5, "Invalid smtp server 192.0.2.25 70000"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			cfg, diags := loadText(t, "global_defs {\n    smtp_server "+tc.value+"\n}\n"+
				"vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n")
			out := diagText(diags)
			if got := diags.ExitCode(); got != tc.exit {
				t.Errorf("exit %d, want %d\n%s", got, tc.exit, out)
			}
			if tc.msg != "" && !strings.Contains(out, tc.msg) {
				t.Errorf("no diagnostic says %q:\n%s", tc.msg, out)
			}
			got := ""
			if a := cfg.Global.SMTPAddr; a.IsValid() {
				got = a.String()
			}
			if got != tc.addr {
				t.Errorf("SMTPAddr %q, want %q", got, tc.addr)
			}
		})
	}
}
