package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
	"github.com/verdant-baas/verdant/internal/app"
)

func createVerification(t *testing.T, e *apitest.Env, prog string, body map[string]any) string {
	t.Helper()
	r := e.Partner("POST", "/programs/"+prog+"/contactVerifications", body)
	r.WantDetail(t, http.StatusOK, 0, 0)
	return r.JSON(t)["contactVerificationIdentifier"].(string)
}

func check(e *apitest.Env, prog, id, code string) *apitest.Response {
	return e.Partner("PUT", "/programs/"+prog+"/contactVerifications/"+id,
		map[string]any{"contactVerificationIdentifier": id, "verificationCode": code})
}

func status(t *testing.T, e *apitest.Env, prog, id string) map[string]any {
	t.Helper()
	r := e.Partner("GET", "/programs/"+prog+"/verification/status/"+id, nil)
	r.WantDetail(t, http.StatusOK, 0, 0)
	return r.JSON(t)
}

func wantStatus(t *testing.T, e *apitest.Env, prog, id string, want int) {
	t.Helper()
	if got := int(status(t, e, prog, id)["contactVerificationStatus"].(float64)); got != want {
		t.Fatalf("contactVerificationStatus = %d, want %d", got, want)
	}
}

// waitStatus polls until the verification reaches a status (delivery is
// asynchronous).
func waitStatus(t *testing.T, e *apitest.Env, prog, id string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if int(status(t, e, prog, id)["contactVerificationStatus"].(float64)) == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	wantStatus(t, e, prog, id, want)
}

// wrongCode is a code other than code, and never the sandbox's fixed code
// (verification.SandboxCode), which would verify there.
func wrongCode(code string) string {
	if code == "111111" {
		return "222222"
	}
	return "111111"
}

func TestEmailVerificationLifecycle(t *testing.T) {
	t.Parallel()
	mb := newMailbox(t)
	apitest.EnginesWith(t, apitest.Options{Configure: mb.configure}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		before := len(mb.all())
		id := createVerification(t, e, s.ProgramCode, map[string]any{"accountIdentifier": s.AccountID,
			"verificationEventType": "emailChange", "contactType": "email", "communicationType": "email",
			"contactHandle": "Jane.Doe@Example.COM", "firstName": "Jane"})
		msg := mb.wait(t, before+1)[before]
		if msg.To != "jane.doe@example.com" || msg.From != "codes@verdant.test" || !strings.Contains(msg.Body, "Hello Jane") {
			t.Fatalf("unexpected email: %+v", msg)
		}
		waitStatus(t, e, s.ProgramCode, id, 1)
		st := status(t, e, s.ProgramCode, id)
		if st["sessionIdentifier"] != id || st["contactType"] != "email" || st["communicationType"] != "email" {
			t.Fatalf("status: %v", st)
		}
		code := codeIn(t, msg.Body)
		check(e, s.ProgramCode, id, wrongCode(code)).WantDetail(t, http.StatusOK, 71, 1)
		check(e, s.ProgramCode, id, code).WantDetail(t, http.StatusOK, 0, 0)
		wantStatus(t, e, s.ProgramCode, id, 2)
		check(e, s.ProgramCode, id, code).WantDetail(t, http.StatusOK, 71, 4) // a code is used once

		// The operator log shows the message with the code redacted
		// (this server is not a sandbox).
		r := e.Admin("GET", "/admin/v1/messages?to=JANE.DOE@example.com", nil).Want(t, http.StatusOK)
		ms := r.JSON(t)["messages"].([]any)
		m := ms[0].(map[string]any)
		if len(ms) != 1 || m["status"] != "sent" || m["to"] != "jane.doe@example.com" || m["contactVerificationIdentifier"] != id {
			t.Fatalf("messages: %s", r.Body)
		}
		if strings.Contains(string(r.Body), code) || !strings.Contains(m["body"].(string), "******") || m["code"] != nil {
			t.Fatalf("the code leaked outside a sandbox: %s", r.Body)
		}
	})
}

func TestSMSLockoutAndVoice(t *testing.T) {
	t.Parallel()
	sms := newSMSAPI(t)
	apitest.EnginesWith(t, apitest.Options{Configure: sms.configure}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		n := len(sms.wait(t, 0))
		id := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "phone", "communicationType": "sms",
			"contactHandle": "(213) 373-4253"})
		got := sms.wait(t, n+1)[n]
		if got.Resource != "Messages" || got.To != "+12133734253" || got.From != "+15005550006" || got.Key == "" {
			t.Fatalf("unexpected SMS: %+v", got)
		}
		code := codeIn(t, got.Body)
		waitStatus(t, e, s.ProgramCode, id, 1)
		for i := 1; i <= 4; i++ {
			r := check(e, s.ProgramCode, id, wrongCode(code))
			r.WantDetail(t, http.StatusOK, 71, 1)
			if !strings.Contains(string(r.Body), "tries left") {
				t.Fatalf("no tries left in %s", r.Body)
			}
		}
		check(e, s.ProgramCode, id, wrongCode(code)).WantDetail(t, http.StatusOK, 71, 3) // the 5th wrong code locks
		check(e, s.ProgramCode, id, code).WantDetail(t, http.StatusOK, 71, 3)            // even the right one now
		wantStatus(t, e, s.ProgramCode, id, 4)

		// Voice goes out as a call reading the digits.
		e.Clock.Advance(time.Minute)
		vid := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "phone", "communicationType": "voice",
			"contactHandle": "+1 213 373 4253"})
		call := sms.wait(t, n+2)[n+1]
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, strings.SplitN(strings.SplitN(call.Twiml, "<Say>", 2)[1], "</Say>", 2)[0])
		if call.Resource != "Calls" || len(digits) != 6 {
			t.Fatalf("unexpected call: %+v", call)
		}
		check(e, s.ProgramCode, vid, digits).WantDetail(t, http.StatusOK, 0, 0)
	})
}

func TestUndeliverableSMS(t *testing.T) {
	t.Parallel()
	sms := newSMSAPI(t)
	sms.setStatus(http.StatusBadRequest) // e.g. a number the provider cannot reach
	apitest.EnginesWith(t, apitest.Options{Configure: sms.configure}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		id := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "phone", "communicationType": "sms",
			"contactHandle": "2133734253"})
		waitStatus(t, e, s.ProgramCode, id, 5)
		check(e, s.ProgramCode, id, "123456").WantDetail(t, http.StatusOK, 71, 5)
		m := e.Admin("GET", "/admin/v1/messages?to=%2B12133734253", nil).Want(t, http.StatusOK).JSON(t)["messages"].([]any)[0].(map[string]any)
		if m["status"] != "failed" || !strings.Contains(m["lastError"].(string), "400") {
			t.Fatalf("message: %v", m)
		}
	})
}

// sandboxCode reads the code of the newest message to a handle from the
// operator log (sandbox servers show it).
func sandboxCode(t *testing.T, e *apitest.Env, handle, id string) string {
	t.Helper()
	r := e.Admin("GET", "/admin/v1/messages?to="+url.QueryEscape(handle), nil).Want(t, http.StatusOK)
	m := r.JSON(t)["messages"].([]any)[0].(map[string]any)
	if m["contactVerificationIdentifier"] != id || m["code"] == nil || !strings.Contains(m["body"].(string), m["code"].(string)) {
		t.Fatalf("sandbox log: %s", r.Body)
	}
	return m["code"].(string)
}

func TestCodeExpires(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Sandbox: true}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		id := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email", "communicationType": "email",
			"contactHandle": "late@example.com"})
		waitStatus(t, e, s.ProgramCode, id, 1) // log delivery
		code := sandboxCode(t, e, "late@example.com", id)
		e.Clock.Advance(10*time.Minute + time.Second)
		wantStatus(t, e, s.ProgramCode, id, 3)
		check(e, s.ProgramCode, id, code).WantDetail(t, http.StatusOK, 71, 2)
	})
}

func TestCodeTTLIsConfigurable(t *testing.T) {
	t.Parallel()
	cfg := func(c *app.Config) { c.Verify.CodeTTL = time.Minute; c.Sandbox = true }
	apitest.EnginesWith(t, apitest.Options{Configure: cfg}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		id := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "email", "communicationType": "email",
			"contactHandle": "ttl@example.com"})
		waitStatus(t, e, s.ProgramCode, id, 1)
		code := sandboxCode(t, e, "ttl@example.com", id)
		e.Clock.Advance(61 * time.Second)
		check(e, s.ProgramCode, id, code).WantDetail(t, http.StatusOK, 71, 2)
	})
}

func TestSandboxLogForgetsUsedCodes(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, apitest.Options{Sandbox: true}, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		id := createVerification(t, e, s.ProgramCode, map[string]any{"contactType": "phone", "communicationType": "sms",
			"contactHandle": "2133734253"})
		waitStatus(t, e, s.ProgramCode, id, 1)
		code := sandboxCode(t, e, "(213) 373-4253", id)
		check(e, s.ProgramCode, id, code).WantDetail(t, http.StatusOK, 0, 0)
		r := e.Admin("GET", "/admin/v1/messages?to=2133734253", nil).Want(t, http.StatusOK)
		m := r.JSON(t)["messages"].([]any)[0].(map[string]any)
		if m["code"] != nil || strings.Contains(string(r.Body), code) {
			t.Fatalf("the used code is still readable: %s", r.Body)
		}
	})
}
