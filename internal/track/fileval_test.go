package track

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestReadValue checks the parsing of a tracked file against what
// keepalived 2.2.7 made of the same contents (EXP: each written to a
// track_file with weight 1 in a namespace, the effective priority read
// from its log): strtol(buf, NULL, 0) of the first 127 bytes, 0 when no
// number, the write ignored ("Invalid number ...") outside the C int range.
func TestReadValue(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		content string
		value   int
		ok      bool
		invalid string // the number in the "Invalid number" line
	}{
		{"5", 5, true, ""},
		{"0x10", 16, true, ""},
		{"0X1f\n", 31, true, ""},
		{"010", 8, true, ""}, // octal
		{"08", 0, true, ""},  // octal 0, then a non-digit
		{"  12abc", 12, true, ""},
		{"abc", 0, true, ""},
		{"", 0, true, ""},
		{"-7\n", -7, true, ""},
		{"+3", 3, true, ""},
		{" \n 9", 9, true, ""},
		{"1e3", 1, true, ""},
		{"0b1", 0, true, ""},
		{"0x", 0, true, ""},
		{"0xg", 0, true, ""},
		{"-0x10", -16, true, ""},
		{"+-5", 0, true, ""},
		{"1\x002", 1, true, ""},
		{"2147483647", 2147483647, true, ""},
		{"-2147483648", -2147483648, true, ""},
		{"3000000000", 0, false, "3000000000"},
		{"-2147483649", 0, false, "-2147483649"},
		{"99999999999999999999999", 0, false, "9223372036854775807"},
		{"-99999999999999999999999", 0, false, "-9223372036854775808"},
		{strings.Repeat(" ", 127) + "5", 0, true, ""}, // only 127 bytes are read
		{strings.Repeat(" ", 126) + "57", 5, true, ""},
	} {
		p := filepath.Join(dir, "v")
		if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		v, ok, msg := readValue(p)
		if v != tc.value || ok != tc.ok {
			t.Errorf("readValue(%q) = %d, %v; want %d, %v", tc.content, v, ok, tc.value, tc.ok)
		}
		if want := "Invalid number " + tc.invalid + " read from " + p + " - ignoring"; !ok && msg != want {
			t.Errorf("readValue(%q) logs %q; want %q", tc.content, msg, want)
		}
	}
}

// TestReadValueNoFile checks the cases keepalived reads as 0: no file, a
// directory, and a FIFO with no writer (which must not block).
func TestReadValueNoFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "missing"), dir, fifo} {
		if v, ok, _ := readValue(p); v != 0 || !ok {
			t.Errorf("readValue(%s) = %d, %v; want 0, true", p, v, ok)
		}
	}
}
