package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/crm/crmtest"
	"github.com/verdant-baas/verdant/internal/vault"
)

// careCRMTimeout is the CRM client timeout in these tests: a hanging answer
// outlives it.
const careCRMTimeout = 300 * time.Millisecond

func careWithCRM(f *crmtest.Fake) func(*app.Config) {
	return func(c *app.Config) { c.CRM = f.Config(careCRMTimeout) }
}

type careView struct {
	CaseNumber string
	Status     string
	Tier       int
	Assignee   string
	CRM        struct {
		Status, CaseID, LastError string
		Attempts                  int
	}
	History []struct {
		Actor, Action, Note string
		Status, Tier        *struct{ From, To any }
		Assignee            *struct{ From, To any }
	}
}

func careGet(t *testing.T, e *apitest.Env, number string) careView {
	t.Helper()
	var c careView
	e.Admin("GET", "/admin/v1/cases/"+number, nil).Want(t, http.StatusOK).Decode(t, &c)
	return c
}

// careWaitDelivered drives the outbox until every case is delivered: the
// clock jumps past any backoff and the worker is woken, so the test does
// not wait out real backoff delays.
func careWaitDelivered(t *testing.T, e *apitest.Env, numbers []string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if l := careListCases(t, e, "?crmStatus=queued"); len(l.Cases) == 0 {
			return
		}
		e.Clock.Advance(10 * time.Minute)
		e.App.Outbox.Notify()
		time.Sleep(50 * time.Millisecond)
	}
	for _, n := range numbers {
		c := careGet(t, e, n)
		t.Logf("%s: crm %+v", n, c.CRM)
	}
	t.Fatal("cases not delivered to the CRM in time")
}

// careCheckDeliveredOnce: each platform case is exactly one CRM case, under
// its number, and the platform kept the CRM's id.
func careCheckDeliveredOnce(t *testing.T, e *apitest.Env, f *crmtest.Fake, numbers []string) {
	t.Helper()
	crmCases := f.Cases()
	if len(crmCases) != len(numbers) {
		t.Fatalf("the CRM holds %d cases, want %d", len(crmCases), len(numbers))
	}
	for _, n := range numbers {
		c := careGet(t, e, n)
		fields, ok := crmCases[n]
		if !ok || c.CRM.Status != "delivered" || c.CRM.CaseID == "" || c.CRM.CaseID != f.ID(n) {
			t.Fatalf("%s: platform %+v, CRM id %q, in CRM %v", n, c.CRM, f.ID(n), ok)
		}
		if fields["Subject"] != "Registering Your Card" || fields["SuppliedEmail"] != "jack.jones@example.com" ||
			fields["SuppliedPhone"] != "3105551234" || fields["SuppliedName"] != "Jack Jones" {
			t.Fatalf("%s: CRM fields %v", n, fields)
		}
		last := c.History[len(c.History)-1]
		if last.Action != "crmDelivered" || last.Actor != "crm" {
			t.Fatalf("%s: history %+v", n, c.History)
		}
	}
}

// TestCareCRMDeliveryRecovers: the CRM answers 503, hangs past the client
// timeout, and stores a case but loses the answer; every case still
// reaches it exactly once.
func TestCareCRMDeliveryRecovers(t *testing.T) {
	t.Parallel()
	f := crmtest.New(t)
	apitest.EnginesWith(t, apitest.Options{Configure: careWithCRM(f)}, func(t *testing.T, e *apitest.Env) {
		f.Reset()
		f.Fail(crmtest.Unavailable, crmtest.Hang, crmtest.Unavailable, crmtest.LoseAnswer, crmtest.Hang, crmtest.LoseAnswer)
		f.ExpireToken()
		s := e.Seed()
		var numbers []string
		for i := 0; i < 4; i++ {
			numbers = append(numbers, careCreate(t, e, s.ProgramCode, careBody(s.AccountID)))
		}
		careWaitDelivered(t, e, numbers)
		careCheckDeliveredOnce(t, e, f, numbers)
		if f.Upserts() < len(numbers)+6 {
			t.Fatalf("only %d upserts: the faults were not exercised", f.Upserts())
		}
	})
}

// TestCareCRMDownForHours: with the CRM down, cases wait (with attempts
// and the last error visible to operators) and go through once it is up.
func TestCareCRMDownForHours(t *testing.T) {
	t.Parallel()
	f := crmtest.New(t)
	apitest.EnginesWith(t, apitest.Options{Configure: careWithCRM(f)}, func(t *testing.T, e *apitest.Env) {
		f.Reset()
		f.SetDown(true)
		s := e.Seed()
		n := careCreate(t, e, s.ProgramCode, careBody(s.AccountID))
		deadline := time.Now().Add(10 * time.Second)
		for careGet(t, e, n).CRM.Attempts < 5 {
			if time.Now().After(deadline) {
				t.Fatalf("no retries: %+v", careGet(t, e, n).CRM)
			}
			e.Clock.Advance(time.Hour)
			e.App.Outbox.Notify()
			time.Sleep(20 * time.Millisecond)
		}
		// Each hour the clock jumps expires the lease of an attempt still
		// in flight, whose outcome is then (rightly) ignored; with the clock
		// still, the last attempt's failure is recorded.
		c := careGet(t, e, n)
		for c.CRM.LastError == "" && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			c = careGet(t, e, n)
		}
		if c.CRM.Status != "queued" || c.CRM.LastError == "" {
			t.Fatalf("while down: %+v", c.CRM)
		}
		f.SetDown(false)
		careWaitDelivered(t, e, []string{n})
		careCheckDeliveredOnce(t, e, f, []string{n})
	})
}

// TestCareRestartDelivers: cases made while the CRM is down, or while no
// CRM is configured at all, are delivered by a new process on the same
// database, each exactly once.
func TestCareRestartDelivers(t *testing.T) {
	t.Parallel()
	key := vault.GenerateKey()
	// One database per engine; the two modes use distinct programs.
	for name, dsn := range apitest.DSNs(t) {
		for _, mode := range []string{"crmDown", "noCRM"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				f := crmtest.New(t)
				f.SetDown(true)
				first := apitest.NewWith(t, dsn, apitest.Options{Configure: func(c *app.Config) {
					c.DataKey, _ = vault.ParseKey(key)
					if mode == "crmDown" {
						c.CRM = f.Config(careCRMTimeout)
					}
				}})
				s := first.Seed(apitest.ProgramSpec{Code: "P" + mode})
				var numbers []string
				for i := 0; i < 3; i++ {
					numbers = append(numbers, careCreate(t, first, s.ProgramCode, careBody(s.AccountID)))
				}
				if l := careListCases(t, first, "?crmStatus=queued&programCode="+s.ProgramCode); len(l.Cases) != 3 {
					t.Fatalf("%d queued cases, want 3", len(l.Cases))
				}
				first.App.Close() // the process stops; nothing was delivered
				f.SetDown(false)
				second := apitest.NewWith(t, dsn, apitest.Options{Configure: func(c *app.Config) {
					c.DataKey, _ = vault.ParseKey(key)
					c.CRM = f.Config(careCRMTimeout)
				}})
				careWaitDelivered(t, second, numbers)
				careCheckDeliveredOnce(t, second, f, numbers)
			})
		}
	}
}

// TestCareConcurrentRetries: simultaneous retries with one request id
// make one case.
func TestCareConcurrentRetries(t *testing.T) {
	t.Parallel()
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		body, _ := json.Marshal(careBody(s.AccountID))
		var mu sync.Mutex
		numbers := map[string]int{}
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", e.URL+carePath(s.ProgramCode), bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+e.Token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-GD-RequestId", "same-request")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var out struct{ CaseNumber string }
				json.NewDecoder(resp.Body).Decode(&out)
				mu.Lock()
				numbers[out.CaseNumber+" "+resp.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(numbers) != 1 {
			t.Fatalf("concurrent retries answered %v", numbers)
		}
		if l := careListCases(t, e, ""); len(l.Cases) != 1 {
			t.Fatalf("%d cases stored", len(l.Cases))
		}
	})
}
