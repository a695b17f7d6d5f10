package reload

import (
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/confparse"
	"github.com/gokeepalived/gokeepalived/internal/rtnames"
)

// namedEnv is env whose rt_tables names table "vips" id.
type namedEnv struct {
	env
	id uint32
}

func (e namedEnv) RTTable(file string) []rtnames.Entry {
	if file == "rt_tables" {
		return []rtnames.Entry{{ID: e.id, Name: "vips"}}
	}
	return nil
}

// loadNamed lowers text on a machine whose rt_tables names table id
// "vips".
func loadNamed(t *testing.T, text string, id uint32) *config.Config {
	t.Helper()
	cfg, diags := confparse.Load("/k.conf", confparse.Options{
		Read: confparse.ReadOptions{FS: confparse.MemFS{"/k.conf": text}},
		Env:  namedEnv{id: id},
	})
	for _, d := range diags {
		if d.Class != confparse.ClassNote {
			t.Fatalf("test configuration has an error: %s", d)
		}
	}
	return cfg
}

// The configuration holds the numbers a table name stood for when it was
// read: the same text is a change when rt_tables maps the name to another
// number, and none when it maps it to the same one.
func TestPlanTableNames(t *testing.T) {
	text := strings.Replace(base, "        192.0.2.20/24\n    }",
		"        192.0.2.20/24\n    }\n    virtual_routes {\n        198.51.100.0/24 dev eth1 table vips\n    }\n"+
			"    virtual_rules {\n        from 192.0.2.20 table vips preference 100\n    }", 1)
	text = strings.Replace(text, "global_defs {",
		"static_routes {\n    203.0.113.0/24 dev eth0 table vips\n}\nglobal_defs {", 1)
	if text == base {
		t.Fatal("the routes were not added to the base configuration")
	}
	for _, tc := range []struct {
		name     string
		from, to uint32
		want     string
		static   bool
	}{
		{"same number", 100, 100, "VI_1:keep VI_2:keep", false},
		{"another number", 100, 200, "VI_1:keep VI_2:update", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, cur := loadNamed(t, text, tc.from), loadNamed(t, text, tc.to)
			if got := old.Instances[1].Routes[0].Table; got != int64(tc.from) {
				t.Fatalf("table vips read as %d, want %d", got, tc.from)
			}
			c := Plan(old, cur)
			if got := actions(c); got != tc.want {
				t.Errorf("instances %s, want %s", got, tc.want)
			}
			if c.Static != tc.static {
				t.Errorf("static %v, want %v", c.Static, tc.static)
			}
			if got, want := Equal(old.Instances[1].Rules, cur.Instances[1].Rules), tc.from == tc.to; got != want {
				t.Errorf("rules equal %v, want %v", got, want)
			}
		})
	}
}
