package customer

import (
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

func TestDecideReview(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	older := Review{ID: "r1", PartnerID: "p1", CustomerID: "c", Status: "pending"}
	newer := Review{ID: "r2", PartnerID: "p1", CustomerID: "c", Status: "pending"}
	other := Review{ID: "r3", PartnerID: "p2", CustomerID: "c", Status: "pending"}
	cases := []struct {
		name     string
		decision string
		pending  []Review
		fails    bool
		kind     apperr.Kind
		review   string
		status   string
		customer Status
		detail   int
		text     string
		active   bool
	}{
		{name: "confirm blocks", decision: "confirm", pending: []Review{older}, review: "r1", status: "confirmed",
			customer: OFACConfirmed, detail: DetailOFACConfirmed, text: "OFAC match confirmed", active: false},
		{name: "clear verifies", decision: "clear", pending: []Review{older}, review: "r1", status: "cleared",
			customer: Verified, detail: DetailSuccess, text: "Success", active: true},
		{name: "oldest of one partner's", decision: "clear", pending: []Review{older, newer}, review: "r1",
			status: "cleared", customer: Verified, detail: DetailSuccess, text: "Success", active: true},
		{name: "none pending", decision: "confirm", pending: nil, fails: true, kind: apperr.NotFound},
		{name: "two partners", decision: "confirm", pending: []Review{older, other}, fails: true, kind: apperr.Conflict},
		{name: "unknown decision", decision: "maybe", pending: []Review{older}, fails: true, kind: apperr.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Decision{CustomerID: "c", Decision: c.decision, Note: "checked", Actor: "operator"}
			o, err := DecideReview(d, c.pending, now)
			if c.fails {
				if err == nil || apperr.KindOf(err) != c.kind {
					t.Fatalf("err = %v, want kind %s", err, c.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := o.Review
			if r.ID != c.review || r.Status != c.status || !r.DecidedAt.Equal(now) || r.DecidedBy != "operator" || r.Note != "checked" {
				t.Errorf("review = %+v", r)
			}
			if o.Status != c.customer || o.DetailCode != c.detail || o.Detail != c.text || o.Active != c.active {
				t.Errorf("outcome = %s %d %q %v, want %s %d %q %v", o.Status, o.DetailCode, o.Detail, o.Active,
					c.customer, c.detail, c.text, c.active)
			}
		})
	}
}
