package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/crm/crmtest"
	"github.com/verdant-baas/verdant/internal/logging"
)

type careLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *careLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *careLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCareLogsNoContactData runs creation, failed and successful CRM
// deliveries and agent calls with a debug log, and checks that neither the
// customer's email nor phone number reaches it, nor the database in clear.
func TestCareLogsNoContactData(t *testing.T) {
	t.Parallel()
	for name, dsn := range apitest.DSNs(t) {
		t.Run(name, func(t *testing.T) {
			f := crmtest.New(t)
			f.Fail(crmtest.Unavailable, crmtest.LoseAnswer)
			var logs careLogBuffer
			clock := &apitest.Clock{}
			cfg := apitest.Config(dsn, clock)
			cfg.CRM = f.Config(careCRMTimeout)
			ctx, cancel := context.WithCancel(context.Background())
			a, err := app.New(ctx, cfg, logging.New(&logs, slog.LevelDebug))
			if err != nil {
				t.Fatal(err)
			}
			a.Start(ctx)
			srv := httptest.NewServer(a.Handler)
			t.Cleanup(func() { srv.Close(); cancel(); a.Close() })
			e := &apitest.Env{T: t, App: a, URL: srv.URL, Clock: clock}
			s := e.Seed()
			n := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
			careWaitDelivered(t, e, []string{n})
			if c := careGet(t, e, n); c.CRM.Attempts < 3 {
				t.Fatalf("faults not exercised: %+v", c.CRM)
			}
			out := logs.String()
			if !strings.Contains(out, n) || !strings.Contains(out, "outbox delivery failed") {
				t.Fatalf("the log lacks the expected lines:\n%s", out)
			}
			for _, pii := range []string{"jack.jones", "example.com", "555-1234", "5551234"} {
				if strings.Contains(out, pii) {
					t.Fatalf("log holds %q:\n%s", pii, out)
				}
			}
			var stored string
			a.DB.QueryRow(context.Background(), `SELECT contact_sealed FROM care_cases WHERE case_number = ?`, n).Scan(&stored)
			if stored == "" || strings.Contains(stored, "jack") || strings.Contains(stored, "5551234") {
				t.Fatalf("contact stored as %q", stored)
			}
		})
	}
}
