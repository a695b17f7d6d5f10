package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

func writeConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "keepalived.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunFlags(t *testing.T) {
	code, out, _ := runArgs(t, "-h") // -v and --version: version_test.go
	if code != 0 || !strings.Contains(out, "--check-config") || !strings.Contains(out, "--use-file") {
		t.Errorf("-h: code %d, output %q", code, out)
	}
	code, _, errOut := runArgs(t, "--no-such-flag")
	if code != exitUsage || !strings.Contains(errOut, "unknown flag") {
		t.Errorf("bad flag: code %d, stderr %q", code, errOut)
	}
	code, _, errOut = runArgs(t, "-t", "stray")
	if code != exitUsage || !strings.Contains(errOut, `unexpected argument "stray"`) {
		t.Errorf("stray argument: code %d, stderr %q", code, errOut)
	}
}

func TestRunCheckExitCodes(t *testing.T) {
	unknown := writeConf(t, "global_defs {\n    routr_id x\n}\n")
	missing := filepath.Join(t.TempDir(), "absent.conf")
	security := writeConf(t, "vrrp_script s {\n    script /bin/true\n}\n")
	static := writeConf(t, "global_defs {\n    default_interface gk-none0\n}\nstatic_ipaddress {\n    192.0.2.1/24\n}\n")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"clean", []string{"-t", "-f", writeConf(t, "global_defs {\n    router_id r1\n}\n")}, 0, ""},
		{"unknown keyword", []string{"--check-config", "-f", unknown}, 5, ":2:5: error: unknown keyword 'routr_id' in global_defs (did you mean 'router_id'?)"},
		{"missing file", []string{"-t", "-f", missing}, 4, "Config files missing"},
		{"security", []string{"-t", "--use-file=" + security}, 6, "SECURITY VIOLATION"},
		{"cannot run", []string{"-t", "-f", static}, 4, "cannot run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runArgs(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr does not contain %q:\n%s", tc.want, errOut)
			}
		})
	}
}

func TestRunCheckToFile(t *testing.T) {
	conf := writeConf(t, "global_defs {\n    routr_id x\n}\n")
	report := filepath.Join(t.TempDir(), "report.txt")
	code, _, errOut := runArgs(t, "--config-test="+report, "-f", conf)
	if code != 5 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	b, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(b), "unknown keyword 'routr_id'") {
		t.Errorf("report %q, %v", b, err)
	}
}

func TestRunDumpAndConfigID(t *testing.T) {
	conf := writeConf(t, "global_defs {\n@hostA    router_id from-a\n@^hostA    router_id not-a\n}\n")
	for id, want := range map[string]string{"hostA": "router_id from-a", "hostB": "router_id not-a"} {
		code, out, errOut := runArgs(t, "-t", "-d", "-i", id, "-f", conf)
		if code != 0 {
			t.Fatalf("-i %s: exit %d: %s", id, code, errOut)
		}
		if !strings.HasPrefix(out, "# gokeepalived normalised configuration, format 1\n") || !strings.Contains(out, "    "+want+"\n") {
			t.Errorf("-i %s: dump lacks %q:\n%s", id, want, out)
		}
	}
}

func TestRunAllConfigIncludeCheck(t *testing.T) {
	conf := writeConf(t, "include /nonexistent-gokeepalived-dir/*.conf\n")
	if code, _, errOut := runArgs(t, "-t", "-f", conf); code != 0 {
		t.Errorf("plain include of nothing: exit %d, want 0: %s", code, errOut)
	}
	if code, _, errOut := runArgs(t, "-t", "-e", "-f", conf); code != 6 {
		t.Errorf("-e include of nothing: exit %d, want 6: %s", code, errOut)
	}
}

func TestRunDaemonMissingConfig(t *testing.T) {
	// keepalived's daemon exits 6 (KEEPALIVED_EXIT_NO_CONFIG) when its
	// configuration file is missing.
	code, _, errOut := runArgs(t, "-l", "-G", "-f", filepath.Join(t.TempDir(), "absent.conf"))
	if code != exitNoConfig || !strings.Contains(errOut, "Config files missing") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestRunDaemonRefusesAH(t *testing.T) {
	conf := writeConf(t, "global_defs {\n    dynamic_interfaces\n}\nvrrp_instance VI_1 {\n    interface gk-none0\n    virtual_router_id 5\n"+
		"    authentication {\n        auth_type AH\n        auth_pass x\n    }\n    virtual_ipaddress {\n        192.0.2.5/24\n    }\n}\n")
	code, _, errOut := runArgs(t, "-l", "-G", "-f", conf, "-p", conf+".pid", "-r", conf+".vpid")
	if code != exitConfig || !strings.Contains(errOut, "authentication type AH is not supported") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
