package crm_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/crm"
	"github.com/verdant-baas/verdant/internal/crm/crmtest"
)

func sample(n string) crm.Case {
	return crm.Case{Number: n, Subject: "Help", Description: "Question", SuppliedName: "Jack Jones",
		SuppliedEmail: "jack@example.com", SuppliedPhone: "3105551234", Origin: "Partner API"}
}

func TestUpsertCreatesOnceAndKeepsID(t *testing.T) {
	t.Parallel()
	f := crmtest.New(t)
	c := crm.New(f.Config(time.Second))
	ctx := context.Background()
	id, err := c.UpsertCase(ctx, sample("CASE00000001"))
	if err != nil || id == "" || id != f.ID("CASE00000001") {
		t.Fatalf("first upsert: %q, %v", id, err)
	}
	again, err := c.UpsertCase(ctx, sample("CASE00000001"))
	if err != nil || again != id || len(f.Cases()) != 1 {
		t.Fatalf("retry: %q, %v, %d cases", again, err, len(f.Cases()))
	}
	// An old API version answers an update with 204: the id is read back.
	f.NoContent = true
	if third, err := c.UpsertCase(ctx, sample("CASE00000001")); err != nil || third != id {
		t.Fatalf("204 update: %q, %v", third, err)
	}
	if f.Tokens() != 1 {
		t.Fatalf("%d tokens fetched, want 1 (cached)", f.Tokens())
	}
}

func TestUpsertRefreshesExpiredToken(t *testing.T) {
	t.Parallel()
	f := crmtest.New(t)
	c := crm.New(f.Config(time.Second))
	if _, err := c.UpsertCase(context.Background(), sample("CASE00000002")); err != nil {
		t.Fatal(err)
	}
	f.ExpireToken()
	if _, err := c.UpsertCase(context.Background(), sample("CASE00000003")); err != nil {
		t.Fatalf("after token expiry: %v", err)
	}
	if f.Tokens() != 2 {
		t.Fatalf("%d tokens fetched, want 2", f.Tokens())
	}
}

func TestUpsertFailures(t *testing.T) {
	t.Parallel()
	f := crmtest.New(t)
	c := crm.New(f.Config(200 * time.Millisecond))
	f.Fail(crmtest.Unavailable, crmtest.Hang, crmtest.LoseAnswer)
	for i, want := range []string{"HTTP 503", "Client.Timeout", "Client.Timeout"} {
		_, err := c.UpsertCase(context.Background(), sample("CASE00000004"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("attempt %d: %v, want %q", i, err, want)
		}
	}
	// The lost answer stored the case: the next attempt updates it.
	if _, err := c.UpsertCase(context.Background(), sample("CASE00000004")); err != nil || len(f.Cases()) != 1 {
		t.Fatalf("recovery: %v, %d cases", err, len(f.Cases()))
	}
	bad := crm.New(crm.Config{LoginURL: f.Server.URL, ClientID: "wrong", ClientSecret: "x"})
	var ce *crm.Error
	if _, err := bad.UpsertCase(context.Background(), sample("CASE00000005")); !errors.As(err, &ce) || ce.Op != "token" {
		t.Fatalf("bad credentials: %v", err)
	}
}

// TestErrorsCarryNoPersonalData: Salesforce error messages echo field
// values; the client keeps only the error codes.
func TestErrorsCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/oauth2/token" {
			w.Write([]byte(`{"access_token":"t","instance_url":"` + "http://" + r.Host + `"}`))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`[{"message":"invalid email address: jack@example.com","errorCode":"INVALID_EMAIL_ADDRESS","fields":["SuppliedEmail"]}]`))
	}))
	defer srv.Close()
	c := crm.New(crm.Config{LoginURL: srv.URL, ClientID: "id", ClientSecret: "secret"})
	_, err := c.UpsertCase(context.Background(), sample("CASE00000006"))
	if err == nil || strings.Contains(err.Error(), "jack") || !strings.Contains(err.Error(), "INVALID_EMAIL_ADDRESS(SuppliedEmail)") {
		t.Fatalf("error: %v", err)
	}
}
