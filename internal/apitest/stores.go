package apitest

import (
	"context"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// The stores below reach what the API stored beneath the services, for
// the API tests that check it (sealed values, bulk seeding); files under
// internal/api may not import internal/storage themselves.

// DSNs answers a fresh database URL per available engine, for tests that
// start several apps on one database (storagetest.DSNs).
func DSNs(t testing.TB) map[string]string { return storagetest.DSNs(t) }

// CustomerStore is a's customer store.
func CustomerStore(a *app.App) *storage.CustomerStore { return storage.NewCustomerStore(a.DB, a.Vault) }

// LookupStore is a's cardholder lookup store.
func LookupStore(a *app.App) *storage.LookupStore { return storage.NewLookupStore(a.DB, a.Vault) }

// Enqueue writes an outbox message on topic as if written at at, for
// tests that need an undelivered message without importing storage.
func Enqueue(t testing.TB, a *app.App, topic string, payload any, at time.Time) string {
	t.Helper()
	var id string
	err := a.DB.Tx(context.Background(), func(tx *storage.Tx) error {
		var err error
		id, err = tx.Enqueue(context.Background(), topic, payload, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
