package api_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/logging"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLogFieldsAndRedaction(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	e := apitest.NewWith(t, "sqlite:"+t.TempDir()+"/v.db", apitest.Options{Log: logging.New(&buf, slog.LevelDebug)})
	s := e.Seed()
	e.Partner("GET", "/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil, apitest.Header{Name: "X-GD-RequestId", Value: "log-req-1"})
	// A PAN sent to the operator API in a request that fails must not be logged either.
	e.Admin("POST", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID+"/paymentInstruments", map[string]any{"pan": "4111111111111112"})
	out := buf.String()
	for _, leak := range []string{s.PAN, s.ClientSecret, e.Token, apitest.AdminToken, "4111111111111112"} {
		if strings.Contains(out, leak) {
			t.Fatalf("log leaked %q", leak)
		}
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if m["request_id"] == "log-req-1" {
			found = true
			if m["route"] != "GET /programs/{programCode}/accounts/{accountIdentifier}" || m["status"] != float64(200) ||
				m["partner_id"] != s.PartnerID || m["latency_ms"] == nil {
				t.Fatalf("access log line: %s", line)
			}
		}
	}
	if !found {
		t.Fatalf("no access log line for the request:\n%s", out)
	}
}
