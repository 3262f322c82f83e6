package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestRedaction(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) { testRedaction(t, format) })
	}
}

func testRedaction(t *testing.T, format string) {
	var buf bytes.Buffer
	log := NewFormat(&buf, slog.LevelDebug, format)
	log.Info("card 4111111111111111 and ssn 123-45-6789",
		"pan", "4111111111111111", "client_secret", "vs_abc", "note", "pan 4111 1111 1111 1111 seen",
		"token", "vt1.xyz", "request_id", "abc-123", "latency_ms", 1.5,
		"error", errors.New("provider said: card 5344560000816246 refused"))
	out := buf.String()
	for _, leak := range []string{"4111111111111111", "4111 1111 1111 1111", "123-45-6789", "vs_abc", "vt1.xyz", "5344560000816246"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaked %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "abc-123") {
		t.Errorf("request id was redacted: %s", out)
	}
	if json := strings.HasPrefix(out, "{"); json != (format == "json") {
		t.Errorf("format %s wrote %s", format, out)
	}
}

func TestIsSensitive(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]bool{
		"pan": true, "PAN": true, "card_pan": true, "partner.client_secret": true, "Authorization": true,
		"access_token": true, "x_access_token": true, "request_id": false, "route": false, "panel": false,
		"latency_ms": false, "status": false, "ssn": true, "LastFourSSN": true,
	} {
		if got := isSensitive(key); got != want {
			t.Errorf("isSensitive(%q) = %v, want %v", key, got, want)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	attrs := []slog.Attr{slog.String("request_id", "abc"), slog.String("route", "GET /x"), slog.Int("status", 200)}
	for b.Loop() {
		for _, a := range attrs {
			Redact(nil, a)
		}
	}
}

func TestMayHoldNumber(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"4111111111111111": true, "4111 1111 1111 1111": true, "123-45-6789": true, "abc 123456789": true,
		"6579ec3b-80fa-4b49-acaa-59351eefc848": false, "req-123": false, "12345678": false, "1-2-3-4-5-6-7-8": false,
	} {
		if got := mayHoldNumber(s); got != want {
			t.Errorf("mayHoldNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzRedactText(f *testing.F) {
	f.Add("card 4111111111111111 ssn 123-45-6789")
	f.Add("6579ec3b-80fa-4b49-acaa-59351eefc848")
	f.Fuzz(func(t *testing.T, s string) {
		out := s
		if mayHoldNumber(s) {
			out = RedactText(s)
		}
		if m := panRE.FindString(out); m != "" {
			t.Fatalf("PAN-like %q survived in %q", m, out)
		}
	})
}
