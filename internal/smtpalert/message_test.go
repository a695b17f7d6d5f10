package smtpalert

import (
	"strings"
	"testing"
)

// TestLimits: keepalived's buffers bound the subject (255 bytes), the
// body (511) and the To header (1023, whole addresses only).
func TestLimits(t *testing.T) {
	m := Message{RouterID: strings.Repeat("r", 300), Subject: "s", Body: strings.Repeat("b", 600)}
	if got := len(m.fullSubject()); got != maxSubject {
		t.Errorf("subject of %d bytes, want %d", got, maxSubject)
	}
	var to []string
	for range 100 {
		to = append(to, strings.Repeat("a", 20)+"@example.com") // 32 bytes
	}
	h := toHeader(to)
	if n := strings.Count(h, "@"); len(h) > maxTo || n != 30 || strings.HasSuffix(h, ", ") {
		t.Errorf("To header of %d bytes with %d addresses", len(h), n)
	}
	if !strings.Contains(m.data(fixedNow()), "\r\n\r\n"+strings.Repeat("b", maxBody)+"\r\n\r\n") {
		t.Error("body not cut to 511 bytes")
	}
	if got := truncate("ab\u00e9", 3); got != "ab" {
		t.Errorf("truncate cut a rune: %q", got)
	}
}
