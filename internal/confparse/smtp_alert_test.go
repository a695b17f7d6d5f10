package confparse

import (
	"strings"
	"testing"
)

// TestSMTPAlertDefaults: an instance's or a sync group's smtp_alert, when
// not given, is the global smtp_alert_vrrp, else the global smtp_alert,
// else off (src vrrp/vrrp.c: vrrp_complete_instance, vrrp_complete_init).
func TestSMTPAlertDefaults(t *testing.T) {
	for _, tc := range []struct {
		global, local string
		want          bool
	}{
		{"", "", false},
		{"smtp_alert", "", true},
		{"smtp_alert off", "", false},
		{"smtp_alert_vrrp", "", true},
		{"smtp_alert\n    smtp_alert_vrrp off", "", false},
		{"smtp_alert off\n    smtp_alert_vrrp on", "", true},
		{"smtp_alert", "smtp_alert off", false},
		{"", "smtp_alert", true},
		{"smtp_alert_vrrp off", "smtp_alert yes", true},
	} {
		t.Run(strings.ReplaceAll(tc.global+"/"+tc.local, "\n    ", ","), func(t *testing.T) {
			text := "global_defs {\n    " + tc.global + "\n}\n" +
				"vrrp_sync_group G1 {\n    group {\n        VI_1\n        VI_2\n    }\n    " + tc.local + "\n}\n"
			for i, name := range []string{"VI_1", "VI_2"} {
				text += "vrrp_instance " + name + " {\n    interface eth0\n    virtual_router_id " + string(rune('1'+i)) +
					"\n    " + tc.local + "\n    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n"
			}
			cfg, diags := loadText(t, text)
			if diags.ExitCode() != 0 {
				t.Fatalf("diagnostics:\n%s", diagText(diags))
			}
			if got := cfg.SyncGroups[0].SMTPAlert; got != tc.want {
				t.Errorf("sync group smtp_alert %v, want %v", got, tc.want)
			}
			for _, in := range cfg.Instances {
				if in.SMTPAlert != tc.want {
					t.Errorf("%s smtp_alert %v, want %v", in.Name, in.SMTPAlert, tc.want)
				}
			}
		})
	}
}
