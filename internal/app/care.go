package app

import (
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/crm"
	"github.com/verdant-baas/verdant/internal/storage"
)

// wireCare builds customer care. With a CRM configured, new cases are
// enqueued for delivery as they are made and the delivery handler is
// registered on the outbox; without one, cases wait in the platform's own
// queue (crm status "queued") until a node with a CRM picks them up.
func (a *App) wireCare() {
	cases := storage.NewCareStore(a.DB, a.Vault)
	a.Care = &care.Service{Store: cases, Now: a.Config.Now, Fingerprint: a.Vault.Index, Deliver: a.Config.CRM.Configured(),
		Notify: a.Outbox.Notify}
	if !a.Config.CRM.Configured() {
		return
	}
	a.CRMSender = &care.CRMSender{Store: cases, CRM: crm.New(a.Config.CRM), Now: a.Config.Now, Log: a.Log,
		Notify: a.Outbox.Notify}
	a.Outbox.Handle(care.Topic, a.CRMSender.Handle)
}
