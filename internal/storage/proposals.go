package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// ProposalStore implements operator.ProposalStore: four-eyes OFAC
// decisions awaiting a second risk operator.
type ProposalStore struct{ db *DB }

// NewProposalStore returns a ProposalStore over db.
func NewProposalStore(db *DB) *ProposalStore { return &ProposalStore{db: db} }

var _ operator.ProposalStore = (*ProposalStore)(nil)

const proposalCols = `p.id, p.review_id, p.decision, p.note, p.proposed_by, o.email, p.proposed_at, p.status, p.decided_by,
	p.decided_at, p.reason`

func scanProposal(row interface{ Scan(...any) error }) (operator.Proposal, error) {
	var p operator.Proposal
	var proposed, decided int64
	err := row.Scan(&p.ID, &p.ReviewID, &p.Decision, &p.Note, &p.ProposedBy, &p.ProposerEmail, &proposed, &p.Status,
		&p.DecidedBy, &decided, &p.Reason)
	p.ProposedAt = Time(proposed)
	if decided != 0 {
		p.DecidedAt = Time(decided)
	}
	return p, err
}

// Propose implements operator.ProposalStore.
func (s *ProposalStore) Propose(ctx context.Context, p operator.Proposal, ev operator.Event) (err error) {
	defer apperr.Op(&err, "storage.ProposalStore.Propose(%s)", p.ReviewID)
	err = s.db.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO four_eyes_proposals (id, review_id, decision, note, proposed_by, proposed_at, status)
			VALUES (?, ?, ?, ?, ?, ?, 'pending')`, p.ID, p.ReviewID, p.Decision, p.Note, p.ProposedBy, Micros(p.ProposedAt)); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
	if IsUniqueViolation(err) {
		return apperr.E(apperr.Conflict, "A decision on this review is already waiting for approval.")
	}
	return err
}

// Pending implements operator.ProposalStore.
func (s *ProposalStore) Pending(ctx context.Context, reviewID string) (_ operator.Proposal, _ bool, err error) {
	defer apperr.Op(&err, "storage.ProposalStore.Pending(%s)", reviewID)
	p, err := scanProposal(s.db.QueryRow(ctx, `SELECT `+proposalCols+` FROM four_eyes_proposals p
		JOIN operators o ON o.id = p.proposed_by WHERE p.review_id = ? AND p.status = 'pending'`, reviewID))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, err
}

// Close implements operator.ProposalStore.
func (s *ProposalStore) Close(ctx context.Context, id string, ev operator.Event, decide func(*operator.Proposal) error) (_ operator.Proposal, err error) {
	defer apperr.Op(&err, "storage.ProposalStore.Close(%s)", id)
	var p operator.Proposal
	err = s.db.Tx(ctx, func(tx *Tx) error {
		var err error
		p, err = scanProposal(tx.QueryRow(ctx, `SELECT `+proposalCols+` FROM four_eyes_proposals p
			JOIN operators o ON o.id = p.proposed_by WHERE p.id = ?`+tx.ForUpdate(), id))
		if err != nil {
			return notFoundAs(err, &apperr.Error{Kind: apperr.NotFound, Message: "proposal not found"})
		}
		if err := decide(&p); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE four_eyes_proposals SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?`,
			p.Status, p.DecidedBy, Micros(p.DecidedAt), p.Reason, id); err != nil {
			return err
		}
		return writeEvent(ctx, tx, ev)
	})
	return p, err
}

// Reopen implements operator.ProposalStore.
func (s *ProposalStore) Reopen(ctx context.Context, id string) (err error) {
	defer apperr.Op(&err, "storage.ProposalStore.Reopen(%s)", id)
	_, err = s.db.Exec(ctx, `UPDATE four_eyes_proposals SET status = 'pending', decided_by = '', decided_at = 0
		WHERE id = ? AND status = 'approved'`, id)
	return err
}
