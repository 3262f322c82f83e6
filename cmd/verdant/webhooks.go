package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// The webhook subcommands call the same service as the operator API and
// print the same views. Deliveries they queue are sent by the serving
// nodes' workers.

// webhookCommands are the webhook subcommands (registered in run.go).
var webhookCommands = map[string]command{
	"webhook create": webhookCreate, "webhook list": webhookList, "webhook show": webhookShow,
	"webhook update": webhookUpdate, "webhook delete": webhookDelete, "webhook rotate": webhookRotate,
	"webhook test": webhookTest, "webhook replay": webhookReplay, "webhook deliveries": webhookDeliveries,
	"webhook delivery": webhookDelivery, "webhook redeliver": webhookRedeliver,
}

// webhookFlags are the flags naming a program and, for most commands, a
// subscription.
func webhookFlags(name string) (*flag.FlagSet, *string, *string) {
	fs := newFlags(name)
	return fs, fs.String("program", "", "programCode (required)"), fs.String("id", "", "webhookId")
}

func webhookCreate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, _ := webhookFlags("webhook create")
	url := fs.String("url", "", "receiver URL (https)")
	events := fs.String("events", "", "comma-separated event types: "+joinTypes())
	disabled := fs.Bool("disabled", false, "create it disabled")
	noRetries := fs.Bool("no-retries", false, "fail a delivery after its first failed attempt")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		p, err := a.Programs.Get(ctx, *program)
		if err != nil {
			return nil, err
		}
		enabled, retries := !*disabled, !*noRetries
		sub, secret, err := a.Webhooks.Create(ctx, p.Code, webhook.Input{URL: *url, EventTypes: splitList(*events),
			Enabled: &enabled, Retries: &retries})
		if err != nil {
			return nil, err
		}
		out := api.WebhookView(sub)
		out.Secret = secret
		return out, nil
	})
}

func joinTypes() string {
	s := ""
	for i, t := range webhook.EventTypes {
		if i > 0 {
			s += ","
		}
		s += t
	}
	return s
}

func webhookList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, _ := webhookFlags("webhook list")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		subs, err := a.Webhooks.List(ctx, *program)
		out := []api.WebhookJSON{}
		for _, s := range subs {
			out = append(out, api.WebhookView(s))
		}
		return map[string]any{"webhooks": out}, err
	})
}

func webhookShow(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, id := webhookFlags("webhook show")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		sub, err := a.Webhooks.Get(ctx, *program, *id)
		return api.WebhookView(sub), err
	})
}

// optionalBool is a flag that records whether it was given.
type optionalBool struct{ v *bool }

func (o *optionalBool) String() string {
	if o.v == nil {
		return ""
	}
	return strconv.FormatBool(*o.v)
}

func (o *optionalBool) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err == nil {
		o.v = &b
	}
	return err
}

func webhookUpdate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, id := webhookFlags("webhook update")
	url := fs.String("url", "", "new receiver URL")
	events := fs.String("events", "", "new comma-separated event types")
	var enabled, retries optionalBool
	fs.Var(&enabled, "enabled", "true or false")
	fs.Var(&retries, "retries", "true or false")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		p := webhook.Patch{Enabled: enabled.v, Retries: retries.v}
		if *url != "" {
			p.URL = url
		}
		if *events != "" {
			types := splitList(*events)
			p.EventTypes = &types
		}
		sub, err := a.Webhooks.Update(ctx, *program, *id, p)
		return api.WebhookView(sub), err
	})
}

func webhookDelete(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, id := webhookFlags("webhook delete")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		return map[string]string{"deleted": *id}, a.Webhooks.Delete(ctx, *program, *id)
	})
}

func webhookRotate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, id := webhookFlags("webhook rotate")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		sub, secret, err := a.Webhooks.Rotate(ctx, *program, *id)
		out := api.WebhookView(sub)
		out.Secret = secret
		return out, err
	})
}

func webhookTest(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, id := webhookFlags("webhook test")
	typ := fs.String("event-type", "", "the sample's event type (default: the subscription's first)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		d, err := a.Webhooks.Test(ctx, *program, *id, *typ)
		return api.DeliveryView(d), err
	})
}

// timeFlag is an RFC 3339 time flag.
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(s string) (err error) {
	f.t, err = time.Parse(time.RFC3339Nano, s)
	return err
}

func webhookReplay(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, id := webhookFlags("webhook replay")
	var from, to timeFlag
	fs.Var(&from, "from", "replay deliveries of events at or after this time (RFC 3339)")
	fs.Var(&to, "to", "... and before this time")
	failed := fs.Bool("failed", false, "replay every failed delivery")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		if *failed && (!from.t.IsZero() || !to.t.IsZero()) {
			return nil, errors.New("give --failed or --from and --to, not both")
		}
		n, err := a.Webhooks.Replay(ctx, webhook.Replay{ProgramCode: *program, SubscriptionID: *id, From: from.t.UTC(),
			To: to.t.UTC(), FailedOnly: *failed})
		return map[string]int{"replayed": n}, err
	})
}

func webhookDeliveries(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, id := webhookFlags("webhook deliveries")
	f := webhook.Filter{}
	fs.StringVar(&f.EventType, "event-type", "", "only this event type")
	fs.StringVar(&f.AccountID, "account", "", "only this accountIdentifier")
	fs.StringVar(&f.Status, "status", "", "pending, delivered or failed")
	var from, to timeFlag
	fs.Var(&from, "from", "events at or after (RFC 3339)")
	fs.Var(&to, "to", "events before (RFC 3339)")
	fs.IntVar(&f.Limit, "limit", 50, "page size (1 to 100)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		f.ProgramCode, f.SubscriptionID, f.From, f.To = *program, *id, from.t, to.t
		if f.Limit < 1 || f.Limit > 100 {
			return nil, errors.New("--limit must be from 1 to 100")
		}
		ds, err := a.Webhooks.Deliveries(ctx, f)
		return api.DeliveriesView(ds, f), err
	})
}

func webhookDelivery(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, _ := webhookFlags("webhook delivery")
	id := fs.String("delivery", "", "deliveryId (required)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		d, event, attempts, err := a.Webhooks.Delivery(ctx, *program, *id)
		return api.DeliveryDetailView(d, event, attempts), err
	})
}

func webhookRedeliver(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, program, _ := webhookFlags("webhook redeliver")
	id := fs.String("delivery", "", "deliveryId (required)")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		d, err := a.Webhooks.Redeliver(ctx, *program, *id)
		return api.DeliveryView(d), err
	})
}
