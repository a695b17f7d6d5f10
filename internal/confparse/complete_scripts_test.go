package confparse

import (
	"slices"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/scripts/secure"
)

// scriptFS is the filesystem of the script-check tests: /etc/keepalived
// root's, with ok.sh (root 0755), ww.sh (world-writable), noexec.sh
// (0644), own.sh (0700, root's), nosb.sh (no "#!"), /usr/bin/true, and
// /usr/local/bin/pidof linking to busybox.
func scriptFS() secure.MemFS {
	f := secure.MemFS{}
	for _, d := range []string{"/", "/etc", "/etc/keepalived", "/usr", "/usr/bin", "/usr/local", "/usr/local/bin"} {
		f.Dir(d, 0, 0, 0o755)
	}
	f.Reg("/etc/keepalived/ok.sh", 0, 0, 0o755)
	f.Reg("/etc/keepalived/ww.sh", 0, 0, 0o777)
	f.Reg("/etc/keepalived/noexec.sh", 0, 0, 0o644)
	f.Reg("/etc/keepalived/own.sh", 0, 0, 0o700)
	f.File("/etc/keepalived/nosb.sh", 0, 0, 0o755, "exit 0\n")
	f.Reg("/usr/bin/true", 0, 0, 0o755)
	f.Reg("/usr/bin/busybox", 0, 0, 0o755)
	f.Link("/usr/bin/pidof", "busybox", 0, 0)
	f.Link("/usr/local/bin/pidof", "/usr/bin/pidof", 0, 0)
	return f
}

// scriptConf is a configuration with global_defs lines G, one vrrp_script
// chk running S (with its own lines X), tracked by VI_1, and VI_1's own
// lines N.
func scriptConf(g, s, x, n string) string {
	return "global_defs {\n" + g + "\n}\n" +
		"vrrp_script chk {\n    script \"" + s + "\"\n" + x + "\n}\n" +
		"vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 11\n    priority 100\n" +
		"    virtual_ipaddress {\n        192.0.2.11/24\n    }\n    track_script {\n        chk\n    }\n" + n + "\n}\n"
}

func loadScripts(t *testing.T, conf string, keepalived bool, users ...string) (*Config, []string, int) {
	t.Helper()
	env := newTestEnv("eth0")
	env.fs = scriptFS()
	env.ids = map[string][2]uint32{"nobody": {65534, 65534}, "keepalived_script": {1001, 1001}, "nogroup": {65534, 65534}}
	for _, u := range users {
		env.users[u] = true
	}
	cfg, diags := Load("/k.conf", Options{
		Read: ReadOptions{FS: MemFS{"/k.conf": conf}}, Env: env, KeepalivedScripts: keepalived,
	})
	var lines []string
	for _, d := range diags {
		s := d.Level() + ": " + d.Msg
		if d.Pos.Line > 0 {
			s = itoa(d.Pos.Line) + " " + s
		}
		lines = append(lines, s)
	}
	return cfg, lines, diags.ExitCode()
}

func trackedScripts(cfg *Config) []string {
	var names []string
	for _, r := range cfg.Instances[0].TrackScripts {
		names = append(names, r.Name)
	}
	return names
}

// The script checks of keepalived 2.2.7 (reference §5.3), each case as
// measured with `keepalived -t` and the daemon's log (its -t exit code,
// with keepalived's log lines as warnings), in both modes.
func TestScriptSecurityChecks(t *testing.T) {
	const sec = "    enable_script_security\n    script_user root"
	tests := []struct {
		name  string
		conf  string
		users []string
		exit  int
		diags []string // each must be among the diagnostics
		// state checks the result in the default mode (keepalived=false)
		// and with --keepalived-scripts (true).
		state func(t *testing.T, cfg *Config, keepalived bool)
	}{
		{name: "secure, no security", conf: scriptConf("", "/etc/keepalived/ok.sh", "", ""), exit: 6,
			diags: []string{
				"5 warning: Script user 'keepalived_script' does not exist",
				"error: SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
			},
			state: func(t *testing.T, cfg *Config, _ bool) {
				if cfg.Scripts[0].Command.Disabled {
					t.Error("disabled")
				}
			}},
		{name: "insecure, no security: runs", conf: scriptConf("", "/etc/keepalived/ww.sh", "", ""), exit: 6,
			diags: []string{
				"5 warning: Unsafe permissions found for script '/etc/keepalived/ww.sh'.",
				"error: SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts.",
			},
			state: func(t *testing.T, cfg *Config, _ bool) {
				if cfg.Scripts[0].Command.Disabled {
					t.Error("disabled")
				}
			}},
		{name: "insecure with security", conf: scriptConf(sec, "/etc/keepalived/ww.sh", "", ""), exit: 5,
			diags: []string{
				"6 warning: Unsafe permissions found for script '/etc/keepalived/ww.sh' - disabling.",
				"6 error: Disabling track script chk due to insecure",
			},
			state: brokenState},
		{name: "insecure notify with security", conf: scriptConf(sec, "/etc/keepalived/ok.sh", "", "notify /etc/keepalived/ww.sh"), exit: 0,
			diags: []string{"19 warning: Unsafe permissions found for script '/etc/keepalived/ww.sh' - disabling."},
			state: func(t *testing.T, cfg *Config, _ bool) {
				if !cfg.Instances[0].Notify.Disabled || cfg.Scripts[0].Command.Disabled {
					t.Error("notify not disabled, or chk disabled")
				}
			}},
		{name: "missing", conf: scriptConf("", "/etc/keepalived/missing.sh", "", ""), exit: 5,
			diags: []string{
				"5 warning: Script /etc/keepalived/missing.sh cannot be accessed - No such file or directory",
				"5 error: Disabling track script chk since not found/accessible",
			},
			state: brokenState},
		{name: "not executable by its user", conf: scriptConf("    enable_script_security\n    script_user nobody", "/etc/keepalived/noexec.sh", "", ""),
			users: []string{"nobody"}, exit: 0,
			diags: []string{"6 warning: WARNING - script '/etc/keepalived/noexec.sh' is not executable for uid:gid 65534:65534 - disabling."},
			state: brokenState},
		{name: "file test only", conf: scriptConf("", "</dev/tcp/127.0.0.1/80", "", ""), exit: 0,
			state: func(t *testing.T, cfg *Config, _ bool) {
				if cfg.Scripts[0].Command.Disabled || len(trackedScripts(cfg)) != 1 {
					t.Error("the file test was disabled")
				}
			}},
		{name: "notify without user, security, no default", conf: scriptConf("    enable_script_security", "/etc/keepalived/ok.sh", "    user root", "notify /etc/keepalived/ok.sh"),
			exit: 5,
			diags: []string{
				"18 error: Unable to set default user keepalived_script for script",
				"18 warning: Failed to set default user for notify script /etc/keepalived/ok.sh - ignoring",
			},
			state: func(t *testing.T, cfg *Config, _ bool) {
				if !cfg.Instances[0].Notify.Disabled {
					t.Error("notify not disabled")
				}
			}},
		{name: "not executable, no security", conf: scriptConf("", "/etc/keepalived/noexec.sh", "    user nobody", ""),
			users: []string{"nobody"}, exit: 6,
			diags: []string{
				"5 warning: WARNING - script '/etc/keepalived/noexec.sh' is not executable for uid:gid 65534:65534 - disabling.",
				"error: SECURITY VIOLATION - scripts are being executed but script_security not enabled.",
			}},
		{name: "missing notify", conf: scriptConf(sec, "/etc/keepalived/ok.sh", "", "notify /etc/keepalived/missing.sh"), exit: 0,
			diags: []string{"19 warning: Script /etc/keepalived/missing.sh cannot be accessed - No such file or directory"},
			state: func(t *testing.T, cfg *Config, _ bool) {
				if !cfg.Instances[0].Notify.Disabled {
					t.Error("notify not disabled")
				}
			}},
		{name: "unknown script user", conf: scriptConf(sec, "/etc/keepalived/ok.sh", "    user nosuchuser", ""), exit: 5,
			diags: []string{
				"5 error: Unable to set uid/gid for script '/etc/keepalived/ok.sh'",
				"17 error: (VI_1) track script chk not found, ignoring...",
			},
			state: removedState},
		{name: "unknown notify user", conf: scriptConf(sec, "/etc/keepalived/ok.sh", "", "notify /etc/keepalived/ok.sh nosuchuser"), exit: 0,
			diags: []string{"19 warning: Invalid user/group for notify script /etc/keepalived/ok.sh - ignoring"}},
		{name: "unknown global script_user", conf: scriptConf("    script_user nosuchuser", "/etc/keepalived/ok.sh", "", ""), exit: 5,
			diags: []string{
				"error: Error setting global script uid/gid",
				"4 error: Unable to set default user for vrrp script chk - removing",
				"16 error: (VI_1) track script chk not found, ignoring...",
			},
			state: removedState},
		{name: "startup script", conf: scriptConf("    script_user root\n    startup_script /etc/keepalived/ok.sh", "/etc/keepalived/ok.sh", "", ""),
			exit: 6, diags: []string{"error: SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled."}},
		{name: "keepalived_script account", conf: scriptConf("    enable_script_security", "/etc/keepalived/own.sh", "", ""),
			users: []string{"keepalived_script"}, exit: 0,
			diags: []string{"5 warning: WARNING - script '/etc/keepalived/own.sh' is not executable for uid:gid 1001:1001 - disabling."},
			state: brokenState},
		{name: "path search", conf: scriptConf(sec, "true", "", "notify_master missing-cmd"), exit: 0,
			diags: []string{
				"6 warning: WARNING - script `true` resolved by path search to `/usr/bin/true`. Please specify full path.",
				"19 warning: Cannot find script missing-cmd in path - disabling",
			},
			state: func(t *testing.T, cfg *Config, _ bool) {
				if cfg.Scripts[0].Command.Args[0] != "/usr/bin/true" || !cfg.Instances[0].NotifyMaster.Disabled {
					t.Errorf("chk runs %q; notify_master disabled %v", cfg.Scripts[0].Command.Args, cfg.Instances[0].NotifyMaster.Disabled)
				}
			}},
		{name: "link keeps its name", conf: scriptConf(sec, "/usr/local/bin/pidof haproxy", "", ""), exit: 0,
			state: func(t *testing.T, cfg *Config, _ bool) {
				if got := cfg.Scripts[0].Command.Args; !slices.Equal(got, []string{"/usr/bin/pidof", "haproxy"}) {
					t.Errorf("chk runs %q", got)
				}
			}},
	}
	for _, tt := range tests {
		for _, keepalived := range []bool{false, true} {
			name := tt.name
			if keepalived {
				name += " keepalived"
			}
			t.Run(name, func(t *testing.T) {
				cfg, diags, exit := loadScripts(t, tt.conf, keepalived, tt.users...)
				if exit != tt.exit {
					t.Errorf("exit %d, want %d; diagnostics:\n%s", exit, tt.exit, strings.Join(diags, "\n"))
				}
				for _, want := range tt.diags {
					if !slices.ContainsFunc(diags, func(d string) bool { return strings.HasPrefix(d, want) }) {
						t.Errorf("no %q among:\n%s", want, strings.Join(diags, "\n"))
					}
				}
				if tt.state != nil {
					tt.state(t, cfg, keepalived)
				}
			})
		}
	}
}

// brokenState: a tracked script that cannot run is removed with its uses
// with --keepalived-scripts, as keepalived does; by default it is kept,
// disabled, still tracked, and said so (issue 4).
func brokenState(t *testing.T, cfg *Config, keepalived bool) {
	t.Helper()
	if keepalived {
		if len(cfg.Scripts) != 0 || len(trackedScripts(cfg)) != 0 {
			t.Errorf("scripts %d, tracked %q: want chk removed", len(cfg.Scripts), trackedScripts(cfg))
		}
		return
	}
	if len(cfg.Scripts) != 1 || !cfg.Scripts[0].Command.Disabled || !slices.Equal(trackedScripts(cfg), []string{"chk"}) {
		t.Errorf("scripts %d, tracked %q: want chk kept, disabled, tracked", len(cfg.Scripts), trackedScripts(cfg))
	}
}

// removedState: a script whose user cannot be set is removed in both
// modes, as keepalived removes it while parsing (an error, exit 5).
func removedState(t *testing.T, cfg *Config, _ bool) {
	t.Helper()
	if len(cfg.Scripts) != 0 || len(trackedScripts(cfg)) != 0 {
		t.Errorf("scripts %d, tracked %q: want chk removed", len(cfg.Scripts), trackedScripts(cfg))
	}
}

// The default mode says why a broken tracked script now counts as failed;
// a program without "#!" is flagged in both modes with what will happen.
func TestScriptModeWarnings(t *testing.T) {
	conf := scriptConf("    enable_script_security\n    script_user root", "/etc/keepalived/missing.sh", "", "")
	_, diags, _ := loadScripts(t, conf, false)
	want := "6 warning: vrrp_script chk cannot run (not found): gokeepalived counts it as failed, so its weight applies (weight 0: FAULT)"
	if !slices.Contains(diags, want) {
		t.Errorf("no %q among:\n%s", want, strings.Join(diags, "\n"))
	}
	_, diags, _ = loadScripts(t, conf, true)
	if slices.ContainsFunc(diags, func(d string) bool { return strings.Contains(d, "counts it as failed") }) {
		t.Errorf("keepalived mode says the script counts as failed:\n%s", strings.Join(diags, "\n"))
	}
	nosb := scriptConf("    enable_script_security\n    script_user root", "/etc/keepalived/nosb.sh", "", "notify /etc/keepalived/nosb.sh")
	for keepalived, want := range map[bool]string{
		false: `6 warning: vrrp_script chk: /etc/keepalived/nosb.sh has no "#!" line and is not a binary, so it never runs; every run counts as failed`,
		true:  `6 warning: vrrp_script chk: /etc/keepalived/nosb.sh has no "#!" line and is not a binary, so it never runs; every run counts as a success, as in keepalived`,
	} {
		cfg, diags, exit := loadScripts(t, nosb, keepalived)
		if exit != 0 || !slices.Contains(diags, want) || cfg.Scripts[0].Command.Disabled {
			t.Errorf("keepalived %v: exit %d, disabled %v, want %q among:\n%s", keepalived, exit, cfg.Scripts[0].Command.Disabled, want, strings.Join(diags, "\n"))
		}
		if n := `19 warning: notify script /etc/keepalived/nosb.sh has no "#!" line and is not a binary, so it never runs (as in keepalived)`; !slices.Contains(diags, n) {
			t.Errorf("no %q among:\n%s", n, strings.Join(diags, "\n"))
		}
	}
}
