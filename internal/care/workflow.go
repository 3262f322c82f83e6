package care

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// Update is an agent's change to a case; nil fields are unchanged.
type Update struct {
	Actor    string
	Status   *Status
	Assignee *string
	Tier     *int
	Note     string
}

// Limits of the agent workflow's fields.
const (
	MaxAssignee = 100
	MaxActor    = 100
	MaxNote     = 5000
)

// ErrTransition answers a status change the workflow does not allow.
func errTransition(from, to Status) error {
	return &apperr.Error{Kind: apperr.Conflict, Reason: "INVALID_TRANSITION", Field: "status",
		Message: "a " + string(from) + " case cannot move to " + string(to)}
}

func (u *Update) validate() error {
	u.Actor, u.Note = strings.TrimSpace(u.Actor), strings.TrimSpace(u.Note)
	if u.Actor == "" {
		u.Actor = "operator"
	}
	switch {
	case utf8.RuneCountInString(u.Actor) > MaxActor:
		return apperr.Field("actor", "actor must be at most %d characters", MaxActor)
	case strings.ContainsFunc(u.Actor, isControl):
		return apperr.Field("actor", "actor must not hold control characters")
	case !TextOK(u.Note):
		return apperr.Field("note", "note must not hold control characters other than line breaks and tabs")
	case utf8.RuneCountInString(u.Note) > MaxNote:
		return apperr.Field("note", "note must be at most %d characters", MaxNote)
	case u.Tier != nil && *u.Tier != Tier1 && *u.Tier != Tier2:
		return apperr.Field("tier", "tier must be 1 or 2")
	}
	if u.Status != nil {
		if _, err := ParseStatus(string(*u.Status)); err != nil {
			return err
		}
	}
	if u.Assignee != nil {
		a := strings.TrimSpace(*u.Assignee)
		if strings.ContainsFunc(a, isControl) {
			return apperr.Field("assignee", "assignee must not hold control characters")
		}
		if utf8.RuneCountInString(a) > MaxAssignee {
			return apperr.Field("assignee", "assignee must be at most %d characters", MaxAssignee)
		}
		u.Assignee = &a
	}
	if u.Status == nil && u.Assignee == nil && u.Tier == nil && u.Note == "" {
		return apperr.E(apperr.Invalid, "nothing to change: give status, assignee, tier or note")
	}
	return nil
}

// Apply changes a case as an agent asks, appending one history entry that
// records every field changed (a note alone is an entry too); a PATCH that
// changes nothing writes nothing, so a retried PATCH is harmless. A closed
// case takes notes, and reopening (status open), but no other change.
func (s *Service) Apply(ctx context.Context, number string, u Update) (Case, []Change, error) {
	if err := u.validate(); err != nil {
		return Case{}, nil, err
	}
	if !ValidNumber(number) {
		return Case{}, nil, ErrNotFound
	}
	c, err := s.Store.Update(ctx, number, func(c *Case) (Change, error) {
		return apply(c, u, s.Now().UTC().Truncate(time.Microsecond))
	})
	if err != nil {
		return Case{}, nil, err
	}
	h, err := s.Store.History(ctx, c.ID)
	return c, h, err
}

func apply(c *Case, u Update, now time.Time) (Change, error) {
	ch := Change{ID: uuid.Must(uuid.NewV7()).String(), CaseID: c.ID, At: now, Actor: u.Actor, Action: "updated", Note: u.Note}
	reopen := u.Status != nil && *u.Status == Open && c.Status == Closed
	if c.Status == Closed && !reopen && (u.Assignee != nil && *u.Assignee != c.Assignee || u.Tier != nil && *u.Tier != c.Tier) {
		return Change{}, &apperr.Error{Kind: apperr.Conflict, Reason: "CASE_CLOSED",
			Message: "a closed case must be reopened (status open) before it is reassigned or escalated"}
	}
	if u.Status != nil && *u.Status != c.Status {
		if !CanMove(c.Status, *u.Status) {
			return Change{}, errTransition(c.Status, *u.Status)
		}
		ch.FromStatus, ch.ToStatus, c.Status = c.Status, *u.Status, *u.Status
	}
	if u.Tier != nil && *u.Tier != c.Tier {
		ch.FromTier, ch.ToTier, c.Tier = c.Tier, *u.Tier, *u.Tier
	}
	if u.Assignee != nil && *u.Assignee != c.Assignee {
		from, to := c.Assignee, *u.Assignee
		ch.FromAssignee, ch.ToAssignee, c.Assignee = &from, &to, to
	}
	if ch.ToStatus == "" && ch.ToTier == 0 && ch.ToAssignee == nil && ch.Note == "" {
		return Change{}, nil // already so: an idempotent PATCH writes nothing
	}
	c.UpdatedAt = now
	return ch, nil
}
