package dumps

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// scriptDir replaces @DIR@ in the testdata configurations: where their
// notify script lives (the goldens were made with it there).
const scriptDir = "/tmp/gokeepalived-dumps-test"

// testEnv is a machine with interfaces eth0 and eth1 on which every
// program can run.
type testEnv struct{}

func (testEnv) InterfaceExists(name string) bool { return name == "eth0" || name == "eth1" }
func (testEnv) InterfaceWithAddr(a netip.Addr) (string, bool) {
	return "eth0", a == netip.MustParseAddr("192.0.2.1") || a == netip.MustParseAddr("192.0.2.2")
}
func (testEnv) UserExists(name string) bool          { return name == "root" }
func (testEnv) LookPath(name string) (string, error) { return "/usr/bin/" + name, nil }
func (testEnv) Executable(string) bool               { return true }

// RTTable gives the two rt_dsfield names the testdata use, as Debian's
// file has them.
func (testEnv) RTTable(file string) []rtnames.Entry {
	if file == "rt_dsfield" {
		return []rtnames.Entry{{ID: 0, Name: "default"}, {ID: 0x28, Name: "AF11"}, {ID: 0x30, Name: "AF12"}}
	}
	return nil
}

// loadConfig lowers testdata/NAME.conf with @DIR@ replaced by dir.
func loadConfig(t *testing.T, name, dir string) *config.Config {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("testdata", name+".conf"))
	if err != nil {
		t.Fatal(err)
	}
	path := "/etc/keepalived/" + name + ".conf"
	fs := confparse.MemFS{path: strings.ReplaceAll(string(text), "@DIR@", dir)}
	cfg, diags := confparse.Load(path, confparse.Options{Read: confparse.ReadOptions{FS: fs}, Env: testEnv{}})
	if diags.CannotRun() {
		t.Fatalf("%s cannot run: %v", name, diags)
	}
	return cfg
}

// testNames knows keepalived's built-in scope names, which Debian's
// rt_scopes repeats, as on the machine the goldens were made on (the
// dumps name only scopes; testEnv gives the front end the other names).
func testNames() *names { return builtinOnly() }

// kaInstance is the part of one instance of keepalived's JSON dump that
// comes from its running state rather than its configuration.
type kaInstance struct {
	Data struct {
		Iname             string   `json:"iname"`
		VMACIfname        string   `json:"vmac_ifname"`
		IfpIfname         string   `json:"ifp_ifname"`
		MasterPriority    int      `json:"master_priority"`
		LastTransition    float64  `json:"last_transition"`
		EffectivePriority int      `json:"effective_priority"`
		VIPSet            bool     `json:"vipset"`
		MasterAdverInt    float64  `json:"master_adver_int"`
		State             int      `json:"state"`
		WantState         int      `json:"wantstate"`
		VIPs              []string `json:"vips"`
		EVIPs             []string `json:"evips"`
	} `json:"data"`
	Stats map[string]uint64 `json:"stats"`
}

// readKeepalivedJSON parses a JSON dump of keepalived's.
func readKeepalivedJSON(t *testing.T, raw []byte) []kaInstance {
	t.Helper()
	var out []kaInstance
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("keepalived's JSON: %v\n%s", err, raw)
	}
	return out
}

// instancesLike fills one Instance per configured instance with the
// running state keepalived reported in ka, so that everything else in the
// dumps must come from the configuration and the formatters.
func instancesLike(t *testing.T, cfg *config.Config, ka []kaInstance) []Instance {
	t.Helper()
	if len(ka) != len(cfg.Instances) {
		t.Fatalf("keepalived dumped %d instances, the configuration has %d", len(ka), len(cfg.Instances))
	}
	out := make([]Instance, len(ka))
	for i, k := range ka {
		d := k.Data
		if d.Iname != cfg.Instances[i].Name {
			t.Fatalf("instance %d: keepalived's is %s, ours %s", i, d.Iname, cfg.Instances[i].Name)
		}
		sec := int64(d.LastTransition)
		us := int64((d.LastTransition-float64(sec))*1e6 + 0.5)
		out[i] = Instance{
			Config: cfg.Instances[i], Scripts: cfg.Scripts,
			State: State(d.State), WantState: State(d.WantState),
			IfName: d.IfpIfname, VMACName: d.VMACIfname,
			MasterPriority: d.MasterPriority, EffectivePriority: d.EffectivePriority,
			LastTransition: time.Unix(sec, us*1000),
			VIPSet:         d.VIPSet,
			VIPInstalled:   installed(d.VIPs), EVIPInstalled: installed(d.EVIPs),
			MasterAdverInt: time.Duration(d.MasterAdverInt*1e6+0.5) * time.Microsecond,
			Stats:          statsFrom(k.Stats),
		}
	}
	return out
}

func installed(lines []string) []bool {
	out := make([]bool, len(lines))
	for i, l := range lines {
		out[i] = strings.HasSuffix(l, " set")
	}
	return out
}

func statsFrom(m map[string]uint64) Stats {
	return Stats{
		AdvertRcvd: m["advert_rcvd"], AdvertSent: m["advert_sent"], BecomeMaster: m["become_master"],
		ReleaseMaster: m["release_master"], PacketLenErr: m["packet_len_err"],
		AdvertIntervalErr: m["advert_interval_err"], IPTTLErr: m["ip_ttl_err"],
		InvalidTypeRcvd: m["invalid_type_rcvd"], AddrListErr: m["addr_list_err"],
		InvalidAuthType: m["invalid_authtype"], AuthTypeMismatch: m["authtype_mismatch"],
		AuthFailure: m["auth_failure"], PriZeroRcvd: m["pri_zero_rcvd"], PriZeroSent: m["pri_zero_sent"],
	}
}

// installedIfindex is keepalived's " [installed ifindex N]" after an
// installed IPv6 route, which gokeepalived does not print (see README).
var installedIfindex = regexp.MustCompile(` \[installed ifindex [0-9]+\]`)

// diffLines reports the first line where want and got differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + a + "\ngot:  " + b
		}
	}
	return ""
}
