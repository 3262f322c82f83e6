package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// Every change to a webhook subscription (create, patch, rotate, delete)
// is in the audit trail under its program, in the name of the operator
// who made it, without the signing secret; a refused change is not.
func TestWebhookSubscriptionChangesAudited(t *testing.T) {
	t.Parallel()
	apitest.EnginesWith(t, webhookEnv, func(t *testing.T, e *apitest.Env) {
		s := e.Seed()
		rc := apitest.NewReceiver(t)
		_, email, tok := e.Operator("admin")
		_, _, viewer := e.Operator("viewer")
		base := "/admin/v1/programs/" + s.ProgramCode + "/webhooks"
		var sub webhookView
		e.As(tok, "POST", base, map[string]any{"url": rc.URL, "eventTypes": []string{"transaction"}}).
			Want(t, http.StatusCreated).Decode(t, &sub)
		path := base + "/" + sub.WebhookID
		e.As(viewer, "PATCH", path, map[string]any{"retries": false}).Want(t, http.StatusForbidden)
		e.As(tok, "PATCH", path, map[string]any{"retries": false, "enabled": false}).Want(t, http.StatusOK)
		var rot webhookView
		e.As(tok, "POST", path+"/secrets", nil).Want(t, http.StatusCreated).Decode(t, &rot)
		e.As(tok, "DELETE", path, nil).Want(t, http.StatusNoContent)

		var got struct {
			Events []struct {
				Actor, Action, Subject string
				Detail                 map[string]any
			}
		}
		e.Admin("GET", "/admin/v1/audit?subject=program:"+s.ProgramCode+"&action=webhook.", nil).Want(t, http.StatusOK).Decode(t, &got)
		want := []string{"webhook.subscriptionDeleted", "webhook.secretRotated", "webhook.subscriptionChanged", "webhook.subscriptionCreated"}
		if len(got.Events) != len(want) {
			t.Fatalf("audit shows %d webhook events, want %d: %+v", len(got.Events), len(want), got.Events)
		}
		body := e.Admin("GET", "/admin/v1/audit?subject=program:"+s.ProgramCode+"&action=webhook.", nil).Body
		for _, secret := range []string{sub.Secret, rot.Secret} {
			if secret == "" || strings.Contains(string(body), secret) {
				t.Fatalf("a signing secret (%q) is in the audit trail", secret)
			}
		}
		for i, ev := range got.Events {
			if ev.Action != want[i] || !strings.Contains(ev.Actor, email) || ev.Detail["subscriptionId"] != sub.WebhookID {
				t.Fatalf("event %d: %+v, want %s by %s", i, ev, want[i], email)
			}
		}
		if ch := got.Events[2].Detail; ch["retries"] != false || ch["enabled"] != false || ch["url"] != rc.URL {
			t.Fatalf("the change's detail: %v", ch)
		}
	})
}
