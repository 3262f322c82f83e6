package operator

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// Proposal is a risk operator's OFAC decision awaiting a second risk
// operator (four-eyes mode): approved, it is applied as the second
// operator's decision; rejected, the review stays pending.
type Proposal struct {
	ID            string
	ReviewID      string
	Decision      string // confirm | clear
	Note          string
	ProposedBy    string // operator id
	ProposerEmail string
	ProposedAt    time.Time
	Status        string // pending | approved | rejected
	DecidedBy     string // operator id
	DecidedAt     time.Time
	Reason        string // why it was rejected
}

// ProposalStore persists four-eyes proposals. At most one is pending per
// review.
type ProposalStore interface {
	// Propose stores p; Conflict when the review already has a pending one.
	Propose(ctx context.Context, p Proposal, ev Event) error
	// Pending answers the review's pending proposal, if any.
	Pending(ctx context.Context, reviewID string) (Proposal, bool, error)
	// Close locks the proposal, lets decide close it (or refuse),
	// and stores the result with the event, in one transaction.
	Close(ctx context.Context, id string, ev Event, decide func(*Proposal) error) (Proposal, error)
	// Reopen sets an approved proposal pending again (its decision
	// could not be applied).
	Reopen(ctx context.Context, id string) error
}

// FourEyes is the four-eyes rule for OFAC decisions.
type FourEyes struct {
	Store ProposalStore
	Now   func() time.Time
}

// Propose records the acting operator's proposed decision on a review;
// subject is the review's audit subject (its customer's).
func (f *FourEyes) Propose(ctx context.Context, reviewID, subject, decision, note string) (Proposal, error) {
	p, _ := FromContext(ctx)
	note = strings.TrimSpace(note)
	switch {
	case decision != "confirm" && decision != "clear":
		return Proposal{}, apperr.Field("decision", "Choose confirm or clear.")
	case note == "":
		return Proposal{}, apperr.Field("note", "A note is required: say why.")
	case utf8.RuneCountInString(note) > 1000:
		return Proposal{}, apperr.Field("note", "The note is at most 1000 characters.")
	case p.OperatorID == "":
		return Proposal{}, apperr.E(apperr.Forbidden, "Only a named operator may propose a decision.")
	}
	now := f.Now().UTC().Truncate(time.Microsecond)
	pr := Proposal{ID: uuid.Must(uuid.NewV7()).String(), ReviewID: reviewID, Decision: decision, Note: note,
		ProposedBy: p.OperatorID, ProposerEmail: p.Email, ProposedAt: now, Status: "pending"}
	ev := Event{At: now, Actor: p.Actor(), Action: "sanctions.decisionProposed", Subject: subject,
		Detail: map[string]any{"reviewId": reviewID, "proposalId": pr.ID, "decision": decision, "note": note}}
	return pr, f.Store.Propose(ctx, pr, ev)
}

// Close approves or rejects a pending proposal as the acting operator,
// who must not be the one who proposed it; a rejection needs a reason.
// An approved proposal is then applied by the caller (and reopened if
// that fails).
func (f *FourEyes) Close(ctx context.Context, id, subject string, approve bool, reason string) (Proposal, error) {
	p, _ := FromContext(ctx)
	reason = strings.TrimSpace(reason)
	now := f.Now().UTC().Truncate(time.Microsecond)
	ev := Event{At: now, Actor: p.Actor(), Action: "sanctions.proposalRejected", Subject: subject,
		Detail: map[string]any{"proposalId": id, "reason": reason}}
	if approve {
		ev.Action = "sanctions.proposalApproved"
	}
	return f.Store.Close(ctx, id, ev, func(pr *Proposal) error {
		if err := closeRule(*pr, p, approve, reason); err != nil {
			return err
		}
		pr.Status, pr.DecidedBy, pr.DecidedAt, pr.Reason = "rejected", p.OperatorID, now, reason
		if approve {
			pr.Status = "approved"
		}
		return nil
	})
}

// closeRule is the four-eyes rule: a pending proposal, closed by a named
// operator other than its proposer; a rejection says why.
func closeRule(pr Proposal, by Principal, approve bool, reason string) error {
	switch {
	case pr.Status != "pending":
		return apperr.E(apperr.Conflict, "This proposal was already %s.", pr.Status)
	case by.OperatorID == "" || by.OperatorID == pr.ProposedBy:
		return apperr.E(apperr.Forbidden, "A second risk operator must approve or reject this decision: not the one who proposed it.")
	case !approve && reason == "":
		return apperr.Field("reason", "Say why the proposal is rejected.")
	}
	return nil
}
