package api

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
)

// reconTexts are descriptions and identifiers encoding/json escapes in
// every way it can: quotes, backslashes, every control character, HTML
// characters, invalid UTF-8, U+2028/U+2029, and plain multi-byte text.
var reconTexts = []string{"", "plain", `"quoted" \ back\slash`, "<b>&amp;</b>", "\x00\x01\x07\b\f\n\r\t\x1f\x7f",
	"bad \xff\xfe utf-8 \xe2\x28\xa1", "line\u2028para\u2029", "José 😀 日本", "=cmd|' /C calc'!A0"}

// reconSample is a day with every kind of row and text.
func reconSample() ledger.Reconciliation {
	at := time.Date(2025, 3, 10, 1, 2, 3, 456789000, time.UTC)
	rc := ledger.Reconciliation{ReportHead: ledger.ReportHead{ProgramCode: "P<&>", Date: "2025-03-10", Currency: "USD"}}
	for i, s := range reconTexts {
		rc.Adjustments = append(rc.Adjustments, ledger.Adjustment{Request: ledger.Request{AccountID: s, AdjustmentID: "adj-" + s,
			Type: []string{"promo", "achOut", "unknown"}[i%3], Amount: []int64{1, 99, 100, 12345, math.MaxInt64}[i%5],
			Fee: []int64{0, 5, 10_00}[i%3], Currency: "USD", Description: s}, ID: "tx" + s,
			Status: ledger.StatusCompleted, Reason: s, CreatedAt: at.Add(time.Duration(i) * time.Hour)})
		rc.Accounts = append(rc.Accounts, ledger.AccountDay{Account: s, Opening: []int64{0, -1, -100, math.MinInt64, 7}[i%5],
			Closing: []int64{math.MaxInt64, 5, -99, 100, -12345}[i%5]})
	}
	rc.Totals = ledger.Totals{Adjustments: 9, Completed: 8, Declined: 1, Credits: money.SumOf(math.MaxInt64, math.MaxInt64),
		Debits: money.SumOf(5), Net: money.SumOf(-3), TiesOut: true}
	return rc
}

// streamRecon writes rc through ReconJSON.
func streamRecon(t *testing.T, rc ledger.Reconciliation, indent, escapeHTML bool) []byte {
	t.Helper()
	var out bytes.Buffer
	w := NewReconJSON(&out, indent, escapeHTML)
	err := w.Head(rc.ReportHead)
	for _, a := range rc.Adjustments {
		err = errorsJoin(err, w.Adjustment(a))
	}
	for _, d := range rc.Accounts {
		err = errorsJoin(err, w.Account(d))
	}
	if err = errorsJoin(err, w.Totals(rc.Totals)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// ReconJSON writes, row by row, exactly the bytes encoding/json writes for
// the whole document: the operator API's compact form and the CLI's
// indented one, for a full day, a day without accounts, without
// adjustments, and an empty one.
func TestReconJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	full := reconSample()
	noAccounts, noAdjustments, empty := full, full, full
	noAccounts.Accounts, noAdjustments.Adjustments = nil, nil
	empty.Accounts, empty.Adjustments = nil, nil
	for name, rc := range map[string]ledger.Reconciliation{"full": full, "noAccounts": noAccounts,
		"noAdjustments": noAdjustments, "empty": empty} {
		for _, mode := range []struct{ indent, escapeHTML bool }{{false, false}, {true, true}, {false, true}, {true, false}} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(mode.escapeHTML)
			if mode.indent {
				enc.SetIndent("", "  ")
			}
			if err := enc.Encode(ReconciliationView(rc)); err != nil {
				t.Fatal(err)
			}
			if got := streamRecon(t, rc, mode.indent, mode.escapeHTML); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s %+v:\n got %s\nwant %s", name, mode, got, want.Bytes())
			}
		}
	}
}

// appendJSONString quotes any string as encoding/json does: every byte
// alone, and random strings of bytes and runes.
func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	var cases []string
	for c := 0; c < 256; c++ {
		cases = append(cases, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"z")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "<", "&", "\"", "\\", "\n", "\x00", "\xff", "é", "\u2028", "\u2029", "😀", "\xe2\x80", " "}
	for range 2000 {
		var b []byte
		for range rng.IntN(12) {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		for _, html := range []bool{false, true} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(html)
			enc.Encode(s)
			if got := appendJSONString(nil, s, html); string(got)+"\n" != want.String() {
				t.Fatalf("%q (html %v): got %s want %s", s, html, got, want.Bytes())
			}
		}
	}
}

// appendMinor formats any amount as money.Format does.
func TestAppendMinorMatchesFormat(t *testing.T) {
	t.Parallel()
	for _, v := range []int64{0, 1, -1, 9, -9, 10, 99, 100, -100, 101, 12345, -12345, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		if got, want := string(appendMinor(nil, v)), money.Format(v); got != want {
			t.Errorf("appendMinor(%d) = %s, want %s", v, got, want)
		}
	}
}
