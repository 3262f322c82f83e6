package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

func TestTransactionsPagesAndFilters(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		day1 := e.Clock.Now().Format(time.DateOnly)
		for i := 0; i < 5; i++ {
			adjust(t, e, s, "promo", "1.00")
		}
		adjust(t, e, s, "achOut", "999.00") // declined: not a posted transaction
		e.Clock.Advance(48 * time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		day3 := e.Clock.Now().Format(time.DateOnly)
		for i := 0; i < 3; i++ {
			adjust(t, e, s, "disbursement", "2.00")
		}
		base := "/programs/" + s.ProgramCode + "/accounts/" + s.AccountID + "/transactions"
		var all []string
		cursor := ""
		for page := 0; page < 10; page++ {
			q := base + "?limit=3"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			r := e.Partner("GET", q, nil).Want(t, http.StatusOK).JSON(t)
			for _, x := range r["transactions"].([]any) {
				all = append(all, x.(map[string]any)["transactionType"].(string))
			}
			c, _ := r["nextCursor"].(string)
			if c == "" {
				break
			}
			cursor = c
		}
		if strings.Join(all, ",") != "disbursement,disbursement,disbursement,promo,promo,promo,promo,promo" {
			t.Fatalf("pages: %v", all)
		}
		count := func(q string) int {
			r := e.Partner("GET", base+q, nil).Want(t, http.StatusOK).JSON(t)
			return len(r["transactions"].([]any))
		}
		if n := count("?startDate=" + day1 + "&endDate=" + day1); n != 5 {
			t.Fatalf("day1: %d", n)
		}
		if n := count("?startDate=" + day3); n != 3 {
			t.Fatalf("from day3: %d", n)
		}
		for _, q := range []string{"?limit=0", "?limit=101", "?startDate=yesterday", "?cursor=zzzz", "?startDate=" + day3 + "&endDate=" + day1} {
			e.Partner("GET", base+q, nil).Want(t, http.StatusBadRequest)
		}
	})
}

func TestReconciliationTiesOut(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		adjust(t, e, s, "instructionCredit", "50.00")
		e.Clock.Advance(24 * time.Hour)
		e.Token = e.TokenFor(s.ClientID, s.ClientSecret)
		day := e.Clock.Now().Format(time.DateOnly)
		adjust(t, e, s, "promo", "10.00", "fee", "0.50")
		adjust(t, e, s, "achOut", "20.00")
		adjust(t, e, s, "achOut", "500.00") // declined
		other := e.OpenAccount(s.ProgramCode, "normal")
		s2 := s
		s2.AccountID = other
		adjust(t, e, s2, "disbursement", "7.25")

		r := e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/reconciliation/"+day, nil).Want(t, http.StatusOK).JSON(t)
		tot := r["totals"].(map[string]any)
		if tot["adjustments"].(float64) != 4 || tot["declined"].(float64) != 1 || tot["credits"] != "17.25" ||
			tot["debits"] != "20.00" || tot["fees"] != "0.50" || tot["net"] != "-3.25" || tot["tiesOut"] != true {
			t.Fatalf("totals: %v", tot)
		}
		open := map[string][2]string{}
		for _, a := range r["accounts"].([]any) {
			m := a.(map[string]any)
			open[m["account"].(string)] = [2]string{m["openingBalance"].(string), m["closingBalance"].(string)}
		}
		if open[s.AccountID] != [2]string{"50.00", "39.50"} || open[other] != [2]string{"0.00", "7.25"} ||
			open["program:"+s.ProgramCode+":fees"] != [2]string{"0.00", "0.50"} {
			t.Fatalf("accounts: %v", open)
		}
		req, _ := http.NewRequest("GET", e.URL+"/admin/v1/programs/"+s.ProgramCode+"/reconciliation/"+day+"?format=csv", nil)
		req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
		csv := e.Send(req).Want(t, http.StatusOK)
		if !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || strings.Count(string(csv.Body), "\n") < 10 ||
			!strings.Contains(string(csv.Body), "insufficientFunds") {
			t.Fatalf("csv:\n%s", csv.Body)
		}
		e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/reconciliation/2024-13-01", nil).Want(t, http.StatusBadRequest)
		e.Admin("GET", "/admin/v1/programs/NOPE/reconciliation/"+day, nil).Want(t, http.StatusNotFound)

		// Operator account view: balance and recent entries.
		a := e.Admin("GET", "/admin/v1/programs/"+s.ProgramCode+"/accounts/"+s.AccountID, nil).Want(t, http.StatusOK).JSON(t)
		b := a["balances"].(map[string]any)
		if b["postedBalance"] != "39.50" || b["availableBalance"] != "39.50" || b["currency"] != "USD" ||
			b["posted"] != nil || b["available"] != nil || len(a["recentEntries"].([]any)) != 4 {
			t.Fatalf("operator view: %v", a)
		}
		verify(t, e)
	})
}
