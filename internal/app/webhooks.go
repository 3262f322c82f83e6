package app

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// wireWebhooks builds partner webhooks: the operator's service and the
// delivery worker, with their metrics on the server's registry.
func (a *App) wireWebhooks() {
	c := a.Config
	allowPrivate := c.WebhookAllowPrivate || c.Sandbox
	if a.Server.Registry == nil {
		a.Server.Registry = prometheus.NewRegistry()
	}
	st := storage.NewWebhookStore(a.DB)
	a.DB.UseOpener(a.Vault) // account snapshots show the holder's last four
	if ds, ok := a.Delivery.Store.(*storage.DeliveryStore); ok {
		settings := a.Delivery.Settings // mailTracking's estimated arrival follows the configured rules
		ds.Settings = &settings
	}
	a.WebhookWorker = &webhook.Worker{Queue: st, Vault: a.Vault, Client: webhook.NewClient(allowPrivate), Log: a.Log,
		Now: c.Now, Version: c.Version, Metrics: webhook.NewMetrics(a.Server.Registry),
		Timeout: c.WebhookTimeout, Retention: c.WebhookRetention, DisableAfter: c.WebhookDisableAfter}
	a.DB.OnWebhookEvent(a.WebhookWorker.Notify) // an event committed here is sent without waiting for the poll
	a.Webhooks = &webhook.Service{Store: st, Vault: a.Vault, AllowPrivate: allowPrivate, Now: c.Now,
		Wake: a.WebhookWorker.Notify}
	a.Server.Webhooks = a.Webhooks
	if a.Clock != nil {
		a.Clock.Wake = a.WebhookWorker.Notify // retries a clock advance made due
	}
}

// startWebhooks runs the delivery worker (every node runs one).
func (a *App) startWebhooks(ctx context.Context) {
	a.workers.Add(1)
	go func() { defer a.workers.Done(); a.WebhookWorker.Run(ctx) }()
}
