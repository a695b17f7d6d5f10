package rtnames

import "testing"

func TestLookupAndName(t *testing.T) {
	file := []Entry{{ID: 100, Name: "vips"}, {ID: 254, Name: "primary"}}
	for _, tc := range []struct {
		k    Kind
		word string
		want uint32
		ok   bool
	}{
		{Tables, "vips", 100, true},
		{Tables, "main", 0, false}, // the file renames 254: the built-in name no longer counts
		{Tables, "local", 255, true},
		{Tables, "0x10", 16, true},
		{Tables, "010", 8, true},
		{Protos, "256", 256, false}, // above rt_protos' maximum: not ok
		{Protos, "dhcp", 16, true},
		{Scopes, "nosuch", 0, false},
	} {
		got, ok := tc.k.Lookup(file, tc.word)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s %q = %d, %v; want %d, %v", tc.k.File, tc.word, got, ok, tc.want, tc.ok)
		}
	}
	if got := Tables.Name(file, 254); got != "primary" {
		t.Errorf("name of 254 = %q, want the file's primary", got)
	}
	if got := Tables.Name(nil, 253); got != "default" {
		t.Errorf("name of 253 = %q, want the built-in default", got)
	}
	if got := Realms.Name(nil, 7); got != "7" {
		t.Errorf("name of an unnamed realm = %q, want 7", got)
	}
	if k, ok := ByFile("protocols"); !ok || k.File != IPProtocols.File {
		t.Error("ByFile(protocols) does not find IPProtocols")
	}
}

func TestCStrtoul(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"10", 10, true}, {"0x1f", 31, true}, {"017", 15, true}, {"-1", 1<<64 - 1, true},
		{"", 0, false}, {"x", 0, false}, {"+-1", 0, false}, {"99999999999999999999999", 1<<64 - 1, true},
	} {
		if got, ok := CStrtoul(tc.in, 0); got != tc.want || ok != tc.ok {
			t.Errorf("CStrtoul(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
