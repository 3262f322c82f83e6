package care

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/crm"
	"github.com/verdant-baas/verdant/internal/outbox"
)

// Topic is the outbox topic of CRM deliveries. Its payload names the case
// only ({"caseId"}); the handler reads the case, so no personal data sits
// in the outbox table.
const Topic = "care.crm"

// CRM is the agents' CRM: it creates the case, or updates the case it
// already holds under the same number, and answers its id.
type CRM interface {
	UpsertCase(ctx context.Context, c crm.Case) (string, error)
}

// Payload is an outbox message of Topic.
type Payload struct {
	CaseID string `json:"caseId"`
}

// CRMSender sends cases to the CRM from the outbox.
type CRMSender struct {
	Store Store
	CRM   CRM
	Now   func() time.Time
	Log   *slog.Logger
	// Notify wakes the outbox worker after EnqueueQueued (optional).
	Notify func()
}

// Handle is the outbox handler for Topic. Every failure is retried (the
// worker backs off up to its maximum and never gives up): a CRM down for
// hours, or a CRM rejecting a field until its administrator fixes the
// mapping, delays cases but loses none. The upsert by case number makes a
// retry after a lost answer update the same CRM case, never add one.
func (d *CRMSender) Handle(ctx context.Context, m outbox.Message) error {
	var p Payload
	if err := json.Unmarshal(m.Payload, &p); err != nil || p.CaseID == "" {
		return outbox.Permanent(fmt.Errorf("care: bad outbox payload"))
	}
	c, err := d.Store.ByID(ctx, p.CaseID)
	if apperr.KindOf(err) == apperr.NotFound {
		return outbox.Permanent(err)
	}
	if err != nil {
		return err
	}
	if c.CRMStatus == CRMDelivered {
		return nil // delivered by an earlier message (a backfill race)
	}
	id, err := d.CRM.UpsertCase(ctx, CRMCase(c))
	if err != nil {
		return err
	}
	if err := d.Store.MarkDelivered(ctx, c.ID, id, d.Now().UTC()); err != nil {
		return err
	}
	d.Log.Info("care case delivered to CRM", "case_number", c.Number, "attempt", m.Attempts)
	return nil
}

// CRMCase maps a case to the CRM's fields. The question goes in the
// description, followed by what an agent needs to find the customer.
func CRMCase(c Case) crm.Case {
	var b strings.Builder
	b.WriteString(c.Question)
	fmt.Fprintf(&b, "\n\n--\nCase: %s\nProgram: %s\nAccount: %s\n", c.Number, c.ProgramCode, c.AccountID)
	if c.Phone.Type != "" {
		fmt.Fprintf(&b, "Phone type: %s\n", c.Phone.Type)
	}
	if d := deviceText(c.Device); d != "" {
		fmt.Fprintf(&b, "Device: %s\n", d)
	}
	return crm.Case{
		Number: c.Number, Subject: c.Subject, Description: b.String(),
		SuppliedName: c.FirstName + " " + c.LastName, SuppliedEmail: c.Email, SuppliedPhone: c.Phone.Number,
		Origin: "Partner API",
	}
}

func deviceText(d Device) string {
	var parts []string
	for _, s := range []string{d.DeviceMake, d.DeviceVersion} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if d.DeviceOS != "" {
		parts = append(parts, d.DeviceOS.Name())
	}
	if d.DeviceOSVersion != "" {
		parts = append(parts, d.DeviceOSVersion)
	}
	if d.DeviceID != "" {
		parts = append(parts, "id "+d.DeviceID)
	}
	return strings.Join(parts, " ")
}

// EnqueueQueued enqueues delivery of the cases waiting in the platform's
// own queue (made while no CRM was configured) and wakes the worker.
func (d *CRMSender) EnqueueQueued(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := d.Store.EnqueueQueued(ctx, d.Now().UTC(), 100)
		total += n
		if err != nil || n < 100 {
			if total > 0 && d.Notify != nil {
				d.Notify()
			}
			return total, err
		}
	}
}

// Run enqueues queued cases at start and then every interval, so cases
// made by a node without a CRM reach the CRM through one that has it.
func (d *CRMSender) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := d.EnqueueQueued(ctx); err != nil && ctx.Err() == nil {
			d.Log.Warn("care: enqueue queued cases failed", "error", err)
		} else if n > 0 {
			d.Log.Info("care: queued cases enqueued for CRM delivery", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CRM sync states of a case, as an agent sees them.
const (
	SyncDelivered = "delivered"
	SyncPending   = "pending"
	SyncFailed    = "failed"
)

// CRMSync answers where the case stands with the CRM: delivered, failed
// (its last attempt failed; CRMLastError says why) or pending.
func (c Case) CRMSync() string {
	switch {
	case c.CRMStatus == CRMDelivered:
		return SyncDelivered
	case c.CRMLastError != "":
		return SyncFailed
	}
	return SyncPending
}

// ErrAlreadyDelivered refuses to redeliver a case the CRM already holds.
var ErrAlreadyDelivered = &apperr.Error{Kind: apperr.Conflict, Reason: "CASE_DELIVERED",
	Message: "The case is already in the CRM; there is nothing to redeliver."}

// Redeliver makes a case's CRM delivery due now: an operator's answer to
// a CRM that was down or rejected the case until its mapping was fixed.
// It is refused for a delivered case and where no CRM is configured (the
// case then waits for a node that has one).
func (s *Service) Redeliver(ctx context.Context, number, actor string) (Case, error) {
	if !ValidNumber(number) {
		return Case{}, ErrNotFound
	}
	if !s.Deliver {
		return Case{}, apperr.E(apperr.Conflict, "No CRM is configured on this node; the case waits in the queue for one that has it.")
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	c, err := s.Store.Redeliver(ctx, number, func(c Case) (Change, error) {
		if c.CRMStatus == CRMDelivered {
			return Change{}, ErrAlreadyDelivered
		}
		return Change{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, At: now, Actor: actor,
			Action: "crmRedeliver", Note: "sent to the CRM again"}, nil
	}, now)
	if err == nil && s.Notify != nil {
		s.Notify()
	}
	return c, err
}
