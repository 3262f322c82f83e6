package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// reconPath is the operator path of a program's day.
func reconPath(program, day string) string {
	return "/admin/v1/programs/" + program + "/reconciliation/" + day
}

// The streamed report over HTTP is the document the collected one
// renders, byte for byte, on a day with history before and after it.
func TestReconciliationStreamedOverHTTP(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		adjust(t, e, s, "instructionCredit", "80.00")
		e.Clock.Advance(24 * time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		day := e.Clock.Now().Format(time.DateOnly)
		adjust(t, e, s, "promo", "10.00", "fee", "0.50", "adjustmentDescription", `<b>"fee" & more</b>`)
		adjust(t, e, s, "achOut", "900.00") // declined
		adjust(t, e, s, "achOut", "20.00")
		e.Clock.Advance(24 * time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		adjust(t, e, s, "disbursement", "3.00")

		var c ledger.Collector
		if _, err := e.App.Ledger.Reconcile(context.Background(), s.ProgramCode, "USD", day, &c); err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(api.ReconciliationView(c.R))
		got := e.Admin("GET", reconPath(s.ProgramCode, day), nil).Want(t, http.StatusOK)
		if got.Header.Get("Content-Type") != "application/json" || !bytes.Equal(got.Body, want.Bytes()) {
			t.Fatalf("streamed:\n%s\ncollected:\n%s", got.Body, want.Bytes())
		}
		if c.R.Totals.Adjustments != 3 || len(c.R.Accounts) != 3 || !c.R.Totals.TiesOut {
			t.Fatalf("day: %+v", c.R)
		}
	})
}

// What can be refused is refused before a byte of the report is sent, in
// the operator API's problem envelope: an unknown program, a date that is
// not a day.
func TestReconciliationBadInput(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		day := e.Clock.Now().Format(time.DateOnly)
		for _, c := range []struct {
			path, query string
			status      int
			detail      string
		}{
			{reconPath("NOPE", day), "", http.StatusNotFound, "program"},
			{reconPath("NOPE", day), "?format=csv", http.StatusNotFound, "program"},
			{reconPath(s.ProgramCode, "2024-13-01"), "", http.StatusBadRequest, "YYYY-MM-DD"},
			{reconPath(s.ProgramCode, "yesterday"), "?format=csv", http.StatusBadRequest, "YYYY-MM-DD"},
			{reconPath(s.ProgramCode, "2024-2-01"), "", http.StatusBadRequest, "YYYY-MM-DD"},
		} {
			r := e.Admin("GET", c.path+c.query, nil).Want(t, c.status)
			var p map[string]any
			if err := json.Unmarshal(r.Body, &p); err != nil || r.Header.Get("Content-Type") != "application/problem+json" ||
				p["status"] != float64(c.status) || !strings.Contains(strings.ToLower(p["detail"].(string)), strings.ToLower(c.detail)) {
				t.Errorf("%s%s: %s %s", c.path, c.query, r.Header.Get("Content-Type"), r.Body)
			}
		}
	})
}

// failingDay is the ledger's store with a Day that sends rows synthetic
// adjustments and then fails, as a database that goes away mid-report.
type failingDay struct {
	ledger.Store
	rows int
}

var errMidReport = errors.New("the database went away mid-report")

func (f failingDay) Day(_ context.Context, program string, from, _ time.Time, v ledger.DayVisitor) (money.Sum, error) {
	for range f.rows {
		id := uuid.NewString()
		if err := v.Adjustment(ledger.Adjustment{Request: ledger.Request{ProgramCode: program, AccountID: id,
			AdjustmentID: id, Type: "promo", Amount: 100, Currency: "USD"}, ID: id, Status: ledger.StatusCompleted,
			Reason: ledger.ReasonSuccess, CreatedAt: from}); err != nil {
			return money.Sum{}, err
		}
	}
	return money.Sum{}, errMidReport
}

// A report that fails before its first bytes leave (within
// ledger.StreamBuffer) is answered 500 in the problem envelope; one that
// fails after can no longer change its 200, so the connection is cut: the
// client reads a body that ends early (an error, never a clean end), and
// the server logs the error.
func TestReconciliationFailureMidStream(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		day := e.Clock.Now().Format(time.DateOnly)
		var logs syncBuffer              // log_test.go
		serve := func(rows int) string { // a server whose ledger fails after rows adjustments
			srv := *e.App.Server
			srv.Registry, srv.Console = nil, nil
			srv.Log = slog.New(slog.NewJSONHandler(&logs, nil))
			srv.Ledger = &ledger.Service{Store: failingDay{Store: e.App.Ledger.Store, rows: rows}, Now: e.App.Ledger.Now}
			ts := httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
			return ts.URL
		}
		get := func(url string) *http.Request {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
			return req
		}
		early := e.Send(get(serve(3)+reconPath(s.ProgramCode, day))).Want(t, http.StatusInternalServerError)
		if early.Header.Get("Content-Type") != "application/problem+json" || strings.Contains(string(early.Body), "promo") {
			t.Fatalf("early failure: %s", early.Body)
		}
		late := serve(5000) // about 2 MB of JSON, far past the buffer
		for _, q := range []string{"", "?format=csv"} {
			resp, err := http.DefaultClient.Do(get(late + reconPath(s.ProgramCode, day) + q))
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !errors.Is(err, io.ErrUnexpectedEOF) || len(body) < ledger.StreamBuffer ||
				json.Valid(body) || strings.Contains(string(body), "tiesOut") {
				t.Fatalf("%q: status %d, read error %v, %d bytes, ends %q", q, resp.StatusCode, err, len(body),
					body[max(0, len(body)-80):])
			}
		}
		cut := 0
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "cut off") && strings.Contains(line, `"level":"ERROR"`) && strings.Contains(line, errMidReport.Error()) {
				cut++
			}
		}
		if cut != 2 {
			t.Fatalf("%d logged cut-offs, want 2:\n%s", cut, logs.String())
		}
	})
}
