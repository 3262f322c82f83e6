package api_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/retail"
)

// limitTotals is what the daily load limit counts for the account at at,
// read as the store reads it: the running totals in force.
func limitTotals(t *testing.T, e *apitest.Env, accountID string, at time.Time) int64 {
	t.Helper()
	var n int64
	day := at.Truncate(24 * time.Hour)
	if err := e.App.DB.QueryRow(context.Background(), `SELECT COALESCE(SUM(amount), 0) FROM retail_limit_use
		WHERE account_id = ? AND day = ? AND counts_until > ?`, accountID, day.UnixMicro(), at.UnixMicro()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// limitRecount is the same from the loads and validations themselves (the
// sum the store made before the running totals, each hold in force until
// its validation's hold_until), leaving out the validation except.
func limitRecount(t *testing.T, e *apitest.Env, accountID string, at time.Time, except string) int64 {
	t.Helper()
	var n int64
	day, now := at.Truncate(24*time.Hour).UnixMicro(), at.UnixMicro()
	err := e.App.DB.QueryRow(context.Background(), `SELECT
		COALESCE((SELECT SUM(amount) FROM retail_loads WHERE account_id = ? AND kind = 'load' AND status = 'posted'
			AND created_at >= ? AND created_at <= ?), 0) +
		COALESCE((SELECT SUM(v.amount) FROM retail_validations v WHERE v.account_id = ? AND v.approved = ?
			AND v.created_at >= ? AND v.created_at <= ? AND v.hold_until > ? AND v.id <> ?
			AND NOT EXISTS (SELECT 1 FROM retail_loads l WHERE l.kind = 'load' AND l.ref_id = v.id AND l.status <> 'rejected')), 0)`,
		accountID, day, now, accountID, true, day, now, now, except).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// validationAt answers when a validation was made and until when it holds.
func validationAt(t *testing.T, e *apitest.Env, id string) (at, holdUntil time.Time) {
	t.Helper()
	var a, h int64
	if err := e.App.DB.QueryRow(context.Background(), `SELECT created_at, hold_until FROM retail_validations WHERE id = ?`, id).
		Scan(&a, &h); err != nil {
		t.Fatal(err)
	}
	return time.UnixMicro(a).UTC(), time.UnixMicro(h).UTC()
}

// The daily load limit's running totals always equal a recount of the
// validations and loads they stand for, through a random day of
// validations, loads, voids and time passing (holds lapsing, days
// turning); every validation is approved exactly when the recount leaves
// room for it.
func TestRetailLimitTotalsMatchRecount(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		w := seedRetail(t, e) // 20.00 to 500.00 a load, 1000.00 a day
		rng := rand.New(rand.NewPCG(18, 2))
		var approved, posted []string
		amounts := map[string]int{}
		for step := range 120 {
			switch op := rng.IntN(10); {
			case op < 5: // validate
				amount := 20 + rng.IntN(481)
				b := w.body()
				b["transactionAmount"] = amount
				got := w.call(e, b).Want(t, http.StatusOK).JSON(t)["metadata"].(map[string]any)
				id := got["responseId"].(string)
				at, hold := validationAt(t, e, id)
				room := 100000 - limitRecount(t, e, w.AccountID, at, id)
				want := 700.0
				if int64(amount)*100 <= room {
					want = 0
				}
				if got["responseCode"] != want {
					t.Fatalf("step %d: %d.00 with %d left answered %v, want %v", step, amount, room, got["responseCode"], want)
				}
				if want == 0 {
					if wantHold := retail.HoldEnd(at, 15*time.Minute); !hold.Equal(wantHold) {
						t.Fatalf("step %d: hold until %v, want %v", step, hold, wantHold)
					}
					approved, amounts[id] = append(approved, id), amount
				}
			case op < 7 && len(approved) > 0: // commit one (maybe expired, maybe committed)
				ref := approved[rng.IntN(len(approved))]
				l := w.post(e, "/card/load", w.loadBody("validationResponseId", ref, amounts[ref])).JSON(t) // 200 or 400
				if md := l["metadata"].(map[string]any); md["responseCode"] == 0.0 {
					posted, amounts[md["responseId"].(string)] = append(posted, md["responseId"].(string)), amounts[ref]
				}
			case op < 8 && len(posted) > 0: // void one (maybe voided, maybe another day's)
				ref := posted[rng.IntN(len(posted))]
				w.post(e, "/card/load/void", w.loadBody("loadResponseId", ref, amounts[ref]))
			default: // time passes
				steps := []time.Duration{0, 30 * time.Second, 5 * time.Minute, 14 * time.Minute, 16 * time.Minute, 7 * time.Hour}
				e.Clock.Advance(steps[rng.IntN(len(steps))])
				e.Token = e.TokenFor(w.ClientID, w.ClientSecret)
			}
			now := e.Clock.Now()
			if got, want := limitTotals(t, e, w.AccountID, now), limitRecount(t, e, w.AccountID, now, ""); got != want {
				t.Fatalf("step %d: running totals %d, recount %d", step, got, want)
			}
		}
		if len(approved) < 10 || len(posted) < 5 {
			t.Fatalf("the walk approved %d and posted %d: too few to prove anything", len(approved), len(posted))
		}
	})
}

// Validations, loads and voids of one account arriving at once on two
// nodes never approve more than the daily load limit between them: the
// running totals are changed under the account row lock on either engine.
func TestRetailLimitAcrossNodes(t *testing.T) {
	t.Parallel()
	apitest.Nodes(t, 2, apitest.Options{}, func(t *testing.T, nodes []*apitest.Env) {
		w := seedRetail(t, nodes[0]) // 1000.00 a day
		nodes[1].Token = nodes[0].Token
		type call struct{ path, reqID string }
		race := func(calls []call, body func(i int) map[string]any) map[string][]string {
			var rc []retailCall
			for i, c := range calls {
				rc = append(rc, retailCall{e: nodes[i%2], path: c.path, reqID: c.reqID, body: body(i)})
			}
			got := map[string][]string{}
			for _, a := range raceRetail(t, rc) {
				got[a.path+" "+a.code] = append(got[a.path+" "+a.code], a.responseID)
			}
			return got
		}
		validation := func(i int) map[string]any { b := w.body(); b["transactionAmount"] = "200.00"; return b }
		var calls []call
		for i := range 12 {
			calls = append(calls, call{"/card/details", "v1-" + strconv.Itoa(i)})
		}
		got := race(calls, validation)
		refs := got["/card/details 0"]
		if len(refs) != 5 || len(got["/card/details 700"]) != 7 {
			t.Fatalf("12 validations of 200.00 against 1000.00: %v", got)
		}
		// The five commit while six more validations race them: the loads
		// take the holds' place, so every validation is still refused.
		calls = nil
		for i := range 11 {
			if i < len(refs) {
				calls = append(calls, call{"/card/load", "l-" + strconv.Itoa(i)})
			} else {
				calls = append(calls, call{"/card/details", "v2-" + strconv.Itoa(i)})
			}
		}
		got = race(calls, func(i int) map[string]any {
			if i < len(refs) {
				return w.loadBody("validationResponseId", refs[i], "200.00")
			}
			return validation(i)
		})
		loads := got["/card/load 0"]
		if len(loads) != 5 || len(got["/card/details 700"]) != 6 {
			t.Fatalf("five loads racing six validations: %v", got)
		}
		// Two voids free 400.00 while four validations race for it.
		calls = nil
		for i := range 6 {
			if i < 2 {
				calls = append(calls, call{"/card/load/void", "x-" + strconv.Itoa(i)})
			} else {
				calls = append(calls, call{"/card/details", "v3-" + strconv.Itoa(i)})
			}
		}
		got = race(calls, func(i int) map[string]any {
			if i < 2 {
				return w.loadBody("loadResponseId", loads[i], "200.00")
			}
			return validation(i)
		})
		if len(got["/card/load/void 0"]) != 2 || len(got["/card/details 0"])+len(got["/card/details 700"]) != 4 ||
			len(got["/card/details 0"]) > 2 {
			t.Fatalf("two voids racing four validations: %v", got)
		}
		e := nodes[0]
		now := e.Clock.Now()
		if used, want := limitTotals(t, e, w.AccountID, now), limitRecount(t, e, w.AccountID, now, ""); used != want || used > 100000 {
			t.Fatalf("running totals %d, recount %d, limit 100000", used, want)
		}
	})
}
