package console

import (
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/operator"
)

// fourEyes is decide in four-eyes mode: a risk operator proposes; a
// second one approves (the decision is then applied in the approver's
// name, through the same decision service) or rejects with a reason.
func (c *Console) fourEyes(w http.ResponseWriter, r *http.Request, v *view, d reviewData) error {
	ctx, rv := r.Context(), d.Review
	subject := "customer:" + rv.PartnerID + "/" + rv.CustomerID
	var err error
	var done string
	switch r.PostFormValue("action") {
	case "approve", "reject":
		approve := r.PostFormValue("action") == "approve"
		d.Reason = strings.TrimSpace(r.PostFormValue("reason"))
		var pr operator.Proposal
		if pr, err = c.FourEyes.Close(ctx, r.PostFormValue("proposal"), subject, approve, d.Reason); err != nil || !approve {
			done = "Proposal rejected: the review is still pending."
			break
		}
		_, err = c.Customers.Review(ctx, customer.Decision{PartnerID: rv.PartnerID, CustomerID: rv.CustomerID,
			Decision: pr.Decision, Note: pr.Note, Actor: operator.ActorOf(ctx)})
		if err != nil {
			if rerr := c.FourEyes.Store.Reopen(ctx, pr.ID); rerr != nil {
				return rerr
			}
			break
		}
		done = map[string]string{"confirm": "Approved: the match is confirmed and the customer blocked.",
			"clear": "Approved: the match is cleared and the customer verified."}[pr.Decision]
	default:
		_, err = c.FourEyes.Propose(ctx, rv.ID, subject, d.Decision, d.Note)
		done = "Decision proposed: a second risk operator must approve it."
	}
	if err != nil {
		v.Data, v.Error = d, message(err)
		return c.render(w, r, statusOf(err), "review", v)
	}
	return c.redirect(w, r, "/console/reviews/"+rv.ID, done)
}
