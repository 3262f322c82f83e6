package logging

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestRedaction(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelDebug)
	log.Info("card 4111111111111111 and ssn 123-45-6789",
		"pan", "4111111111111111", "client_secret", "vs_abc", "note", "pan 4111 1111 1111 1111 seen",
		"token", "vt1.xyz", "request_id", "abc-123", "latency_ms", 1.5)
	out := buf.String()
	for _, leak := range []string{"4111111111111111", "4111 1111 1111 1111", "123-45-6789", "vs_abc", "vt1.xyz"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaked %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "abc-123") {
		t.Errorf("request id was redacted: %s", out)
	}
}
