package main

import (
	"strings"
	"testing"
)

// The webhook subcommands manage subscriptions and queue deliveries as the
// operator API does (the serving nodes send them).
func TestCLIWebhooks(t *testing.T) {
	t.Parallel()
	cl := newCLI(t)
	cl.env = func(k string) string {
		if k == "VERDANT_WEBHOOK_ALLOW_PRIVATE" {
			return "true"
		}
		return ""
	}
	cl.seed("WH1")
	var sub struct{ WebhookID, Secret, URL string }
	cl.json(&sub, "webhook", "create", "--program", "WH1", "--url", "http://127.0.0.1:9/hooks", "--events", "transaction,cardUpdate")
	if sub.WebhookID == "" || !strings.HasPrefix(sub.Secret, "whsec_") {
		t.Fatalf("create: %+v", sub)
	}
	var list struct {
		Webhooks []struct{ WebhookID, Secret string }
	}
	cl.json(&list, "webhook", "list", "--program", "WH1")
	if len(list.Webhooks) != 1 || list.Webhooks[0].Secret != "" {
		t.Fatalf("list: %+v", list)
	}
	var upd struct {
		Enabled    bool
		EventTypes []string
	}
	cl.json(&upd, "webhook", "update", "--program", "WH1", "--id", sub.WebhookID, "--events", "mailTracking", "--enabled", "false")
	if upd.Enabled || strings.Join(upd.EventTypes, ",") != "mailTracking" {
		t.Fatalf("update: %+v", upd)
	}
	cl.run("webhook", "update", "--program", "WH1", "--id", sub.WebhookID, "--enabled", "true")
	var rot struct{ Secret string }
	cl.json(&rot, "webhook", "rotate", "--program", "WH1", "--id", sub.WebhookID)
	if rot.Secret == "" || rot.Secret == sub.Secret {
		t.Fatalf("rotate: %+v", rot)
	}
	var d struct {
		DeliveryID, Status string
		Test               bool
	}
	cl.json(&d, "webhook", "test", "--program", "WH1", "--id", sub.WebhookID)
	if d.Status != "pending" || !d.Test {
		t.Fatalf("test: %+v", d)
	}
	var page struct{ Deliveries []struct{ DeliveryID string } }
	cl.json(&page, "webhook", "deliveries", "--program", "WH1", "--id", sub.WebhookID, "--status", "pending")
	if len(page.Deliveries) != 1 || page.Deliveries[0].DeliveryID != d.DeliveryID {
		t.Fatalf("deliveries: %+v", page)
	}
	var detail struct {
		Event    map[string]any
		Attempts []any
	}
	cl.json(&detail, "webhook", "delivery", "--program", "WH1", "--delivery", d.DeliveryID)
	if detail.Event["eventType"] != "mailTracking" {
		t.Fatalf("delivery: %+v", detail)
	}
	cl.run("webhook", "redeliver", "--program", "WH1", "--delivery", d.DeliveryID)
	var rep struct{ Replayed int }
	cl.json(&rep, "webhook", "replay", "--program", "WH1", "--id", sub.WebhookID, "--failed")
	cl.run("webhook", "delete", "--program", "WH1", "--id", sub.WebhookID)
	cl.json(&list, "webhook", "list", "--program", "WH1")
	if len(list.Webhooks) != 0 {
		t.Fatalf("after delete: %+v", list)
	}
}
