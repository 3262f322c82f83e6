// Package console is the back-office web console at /console: pages
// rendered on the server from embedded Go templates, no script at all, a
// strict Content-Security-Policy, sessions in the database (any node
// serves any operator), a CSRF token on every form, and the operator's
// roles checked on every page and action (internal/operator). It calls
// the same domain services as the operator API, so a console action and
// an API call are the same change in the same audit trail.
package console

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/audit"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/care"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/feature"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/partner"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/retail"
	"github.com/verdant-baas/verdant/internal/sanctions"
	"github.com/verdant-baas/verdant/internal/webhook"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Console serves /console/. app.New wires every field.
type Console struct {
	Log       *slog.Logger
	DB        Pinger
	Store     Store
	Operators *operator.Service
	Customers *customer.Service
	Sanctions *sanctions.Service
	Care      *care.Service
	Accounts  *account.Service
	Cards     *card.Service
	Programs  *program.Service
	Partners  *partner.Service
	Ledger    *ledger.Service
	Features  *feature.Service
	Delivery  *delivery.Service
	// Webhooks are the programs' webhook subscriptions and delivery log.
	Webhooks *webhook.Service
	// Retail holds a program's retail reload settings.
	Retail *retail.Service
	// PII opens a customer's sealed date of birth for an OFAC reviewer.
	PII interface {
		PII(ctx context.Context, partnerID, id string) (ssn, dob string, err error)
	}
	Audit *audit.Service

	// FourEyes, when set, makes an OFAC decision a proposal that a second
	// risk operator approves or rejects.
	FourEyes *operator.FourEyes

	// SecureCookies marks cookies Secure on every response (behind a TLS
	// proxy); a request over TLS gets Secure cookies anyway.
	SecureCookies bool
	Version       string
	Now           func() time.Time

	pages      map[string]*template.Template
	chartCache chartCache
}

// handler is a console page or action: it returns its error for the
// adapter, which renders it as a page.
type handler func(w http.ResponseWriter, r *http.Request, v *view) error

// route is one console page or action and the permission it requires.
type route struct {
	pattern string
	perm    operator.Permission
	h       handler
}

// Routes answers every signed-in console route with its permission (for
// the docs and the route x role tests).
func (c *Console) Routes() map[string]operator.Permission {
	out := map[string]operator.Permission{}
	for _, rt := range c.routes() {
		out[rt.pattern] = rt.perm
	}
	return out
}

func (c *Console) routes() []route {
	return []route{
		{"GET /console/{$}", operator.Read, c.overview},
		{"GET /console/reviews", operator.Read, c.reviews},
		{"GET /console/reviews/{reviewId}", operator.Read, c.review},
		{"POST /console/reviews/{reviewId}", operator.DecideSanctions, c.decide},
		{"GET /console/accounts", operator.Read, c.accounts},
		{"POST /console/accounts", operator.Read, c.searchCard},
		{"GET /console/accounts/{accountId}", operator.Read, c.account},
		{"POST /console/accounts/{accountId}/status", operator.SetAccountStatus, c.setStatus},
		{"GET /console/cases", operator.Read, c.cases},
		{"GET /console/cases/{caseNumber}", operator.Read, c.caseView},
		{"POST /console/cases/{caseNumber}", operator.WorkCases, c.workCase},
		{"POST /console/cases/{caseNumber}/redeliver", operator.RedeliverCases, c.redeliverCase},
		{"GET /console/audit", operator.Read, c.audit},
		{"GET /console/partners", operator.Read, c.partners},
		{"POST /console/partners", operator.ManagePartners, c.createPartner},
		{"GET /console/partners/{partnerId}", operator.Read, c.partnerView},
		{"POST /console/partners/{partnerId}/secret", operator.ManagePartners, c.rotateSecret},
		{"POST /console/partners/{partnerId}/unthrottle", operator.LiftRetailThrottles, c.unthrottle},
		{"GET /console/programs", operator.Read, c.programs},
		{"GET /console/partners/{partnerId}/new-program", operator.ManagePartners, c.newProgram},
		{"POST /console/programs", operator.ManagePartners, c.createProgram},
		{"GET /console/programs/{programCode}", operator.Read, c.programView},
		{"POST /console/programs/{programCode}", operator.ManagePartners, c.updateProgram},
		{"POST /console/programs/{programCode}/reload", operator.ManagePartners, c.setReload},
		{"POST /console/programs/{programCode}/webhooks", operator.ManageWebhooks, c.createWebhook},
		{"GET /console/programs/{programCode}/webhooks/{webhookId}", operator.Read, c.webhookView},
		{"POST /console/programs/{programCode}/webhooks/{webhookId}", operator.ManageWebhooks, c.changeWebhook},
		{"POST /console/programs/{programCode}/webhooks/{webhookId}/replay", operator.ReplayWebhooks, c.replayWebhook},
		{"GET /console/programs/{programCode}/webhookDeliveries/{deliveryId}", operator.Read, c.deliveryView},
		{"POST /console/programs/{programCode}/webhookDeliveries/{deliveryId}/redeliver", operator.ReplayWebhooks, c.redeliver},
		{"GET /console/reconciliation", operator.ReadLedger, c.reconciliation},
		{"GET /console/reconciliation.csv", operator.ReadLedger, c.reconCSV},
		{"POST /console/reconciliation/check", operator.ReadLedger, c.ledgerCheck},
		{"GET /console/operators", operator.ManageOperators, c.operators},
		{"POST /console/operators", operator.ManageOperators, c.createOperator},
		{"GET /console/operators/{operatorId}", operator.ManageOperators, c.operatorView},
		{"POST /console/operators/{operatorId}", operator.ManageOperators, c.changeOperator},
		{"GET /console/tokens", operator.Read, c.tokens},
		{"POST /console/tokens", operator.Read, c.issueToken},
		{"POST /console/tokens/{tokenId}/revoke", operator.Read, c.revokeToken},
	}
}

// Handler builds the console's handler.
func (c *Console) Handler() (http.Handler, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if err := c.parse(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	mux.Handle("GET /console/login", c.public(c.loginPage))
	mux.Handle("POST /console/login", c.public(c.login))
	mux.Handle("POST /console/logout", c.signedIn(operator.Read, c.logout))
	for _, rt := range c.routes() {
		mux.Handle(rt.pattern, c.signedIn(rt.perm, rt.h))
	}
	mux.Handle("/console/", c.public(func(w http.ResponseWriter, r *http.Request, v *view) error {
		return apperr.E(apperr.NotFound, "There is no such page.")
	}))
	return securityHeaders(mux), nil
}

// csp allows the console's own stylesheet and nothing else: no script of
// any kind, no frames, forms only to the console itself.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// statusOf is the HTTP status of a page that failed with err.
func statusOf(err error) int {
	switch apperr.KindOf(err) {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// message is what a page shows for err: the domain's message (safe to
// show by apperr's rule), never an internal error's text.
func message(err error) string {
	e := apperr.As(err)
	if e.Kind == apperr.Internal || e.Message == "" {
		return "Something went wrong on our side. Try again; if it persists, tell an administrator."
	}
	return e.Message
}
