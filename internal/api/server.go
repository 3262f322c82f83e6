// Package api is verdant's HTTP layer: the partner API in its four
// families, partner OAuth, the operator API, and operations endpoints.
// Handlers return error; one adapter renders every error in the family's
// envelope (envelope.go) from one status table (status.go).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/address"
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
	"github.com/verdant-baas/verdant/internal/sandbox"
	"github.com/verdant-baas/verdant/internal/throttle"
	"github.com/verdant-baas/verdant/internal/verification"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// Server holds the services the handlers call. app.New wires every field
// but Registry and Now, which default.
type Server struct {
	Log *slog.Logger
	// DB is the database as the health check sees it.
	DB Database

	// Platform: partners and their OAuth, programs, accounts, cards.
	Partners *partner.Service
	Programs *program.Service
	Accounts *account.Service
	Cards    *card.Service

	// Ledger is the double-entry ledger: adjustments, transactions,
	// reconciliation. Balances is what other capabilities read balances
	// through (the ledger, as a ledger.BalanceReader).
	Ledger   *ledger.Service
	Balances ledger.BalanceReader
	// Features is account features and terms.
	Features *feature.Service
	// Customers, Lookup and Sanctions: customer profiles, customer lookup
	// by card number, OFAC screening and review.
	Customers *customer.Service
	Lookup    *customer.Lookup
	Sanctions *sanctions.Service
	// Verifications, OTPSender and Address serve contact and
	// address verification (Address nil: the offline engine).
	Verifications *verification.Service
	OTPSender     *verification.Sender
	Address       address.Provider
	// OnVerificationCreated, if set, is called after a verification is
	// stored (the app wakes the outbox worker with it).
	OnVerificationCreated func()
	// Delivery tracks physical cards; Retail is retail reload validation.
	Delivery *delivery.Service
	Retail   *retail.Service
	// Care is customer care (support cases).
	Care *care.Service
	// Audit reads the audit trail of operator changes.
	Audit *audit.Service
	// Webhooks is the partner webhook subscriptions and delivery log.
	Webhooks *webhook.Service
	// Clock is the per-program test clock (set only with Sandbox).
	Clock *sandbox.Clock
	// Loopbacks holds the sandbox's loopback webhook answers.
	Loopbacks sandbox.LoopbackStore

	// Operators are the named operators behind the operator API and the
	// console (nil: only AdminToken opens the operator API).
	Operators *operator.Service
	// Console serves /console/ (nil: not mounted).
	Console http.Handler

	AdminToken string // the bootstrap superuser; empty with no Operators: the operator API answers 401 to everything
	Sandbox    bool
	Version    string
	// OperatorThrottle and ClientThrottle limit failed authentications
	// per client address (operator token) and per client id (POST
	// /authentication), across nodes; nil: unlimited.
	OperatorThrottle, ClientThrottle *throttle.Guard
	// RequestTimeout bounds each request's context (0: none), so a
	// request waiting for a pooled database connection ends, answered 503.
	RequestTimeout time.Duration

	// MaxBodyBytes bounds every request body (default 1 MiB).
	MaxBodyBytes int64
	// SeparateMetrics leaves GET /metrics out of Handler: it is served on
	// its own listener with MetricsHandler (VERDANT_METRICS_ADDR).
	SeparateMetrics bool
	// Registry receives the HTTP metrics and the runtime, process,
	// database-pool and outbox collectors (default: a new registry).
	Registry *prometheus.Registry
	// Pools and OutboxDepth are read at scrape time for the database-pool
	// and outbox-depth metrics (nil: that collector is left out).
	Pools       DBPools
	OutboxDepth OutboxCounter
	Now         func() time.Time

	metrics  *httpMetrics
	patterns []string
	// retailThrottled counts retail answers refused by the enumeration
	// guard, by partner (retail.go).
	retailThrottled *prometheus.CounterVec
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// handler is an HTTP handler that returns its error for the adapter.
type handler func(w http.ResponseWriter, r *http.Request) error

// Handler builds the routed handler with the full middleware chain.
func (s *Server) Handler() http.Handler {
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = 1 << 20
	}
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.metrics = newHTTPMetrics(s.Registry)
	s.retailThrottled = newRetailMetrics(s.Registry)
	s.registerCollectors(s.Registry)
	mux := &router{ServeMux: http.NewServeMux()}
	s.routes(mux)
	s.patterns = mux.patterns
	return s.middleware(mux)
}

// router is a ServeMux that remembers its patterns, so a test can check
// that the OpenAPI document describes every one of them.
type router struct {
	*http.ServeMux
	patterns []string
}

// Handle registers h for pattern.
func (m *router) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

// Routes answers every registered pattern ("GET /ping", ...) after Handler.
func (s *Server) Routes() []string { return s.patterns }

// routes registers every endpoint. Each capability adds its own register
// function here.
func (s *Server) routes(mux *router) {
	s.opsRoutes(mux)
	s.docsRoutes(mux)
	s.authRoutes(mux)
	s.adminRoutes(mux)
	s.listRoutes(mux)
	s.auditRoutes(mux)
	s.webhookRoutes(mux)
	s.accountRoutes(mux)
	s.careRoutes(mux)
	s.featureRoutes(mux)
	s.verificationRoutes(mux)
	s.customerRoutes(mux)
	s.ledgerRoutes(mux)
	s.deliveryRoutes(mux)
	s.retailRoutes(mux)
	s.simulationRoutes(mux)
	s.operatorRoutes(mux)
	if s.Console != nil {
		// Outside the router's pattern list: the console is HTML, not a
		// part of the API the OpenAPI document describes.
		mux.ServeMux.Handle("/console/", s.Console)
		mux.ServeMux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusSeeOther))
	}
	mux.ServeMux.Handle("/", s.noRoute(mux.ServeMux))
}

// noRoute answers what no pattern matched, in the path's family: 405 with
// Allow when the path exists for other methods, 404 otherwise. Under
// /admin/ the admin token is checked first, so the operator API answers
// 401 to everything without it and its routes cannot be mapped.
func (s *Server) noRoute(mux *http.ServeMux) http.Handler {
	h := func(w http.ResponseWriter, r *http.Request) error {
		if allow := allowed(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			return apperr.E(apperr.MethodNotAllowed, "%s is not allowed here (allowed: %s)", r.Method, allow)
		}
		return errNoRoute
	}
	admin, public := s.admin(h), s.public(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/admin/") {
			admin.ServeHTTP(w, r)
			return
		}
		public.ServeHTTP(w, r)
	})
}

// allowed lists the methods a registered pattern would take for r's path.
func allowed(mux *http.ServeMux, r *http.Request) string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" {
			out = append(out, m)
		}
	}
	return strings.Join(out, ", ")
}

// public adapts a handler that needs no credentials.
func (s *Server) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, familyOf(r.URL.Path), err)
		}
	})
}

// partner adapts a partner-API handler: a valid bearer token is required
// and its partner is recorded for the handler and the log.
func (s *Server) partner(h handler) http.Handler {
	return s.public(func(w http.ResponseWriter, r *http.Request) error {
		claims, err := s.bearer(r)
		if err != nil {
			return err
		}
		if info := infoFrom(r.Context()); info != nil {
			info.partnerID = claims.PartnerID
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims)))
	})
}

type claimsKey struct{}

type claimsT = partner.Claims

// claimsFrom answers the verified token claims of a partner request.
func claimsFrom(ctx context.Context) partner.Claims {
	c, _ := ctx.Value(claimsKey{}).(partner.Claims)
	return c
}

// program resolves {programCode} for the calling partner; another
// partner's program is answered as unknown.
func (s *Server) program(r *http.Request) (program.Program, error) {
	return s.Programs.ForPartner(r.Context(), claimsFrom(r.Context()).PartnerID, r.PathValue("programCode"))
}

func itoa(n int) string { return strconv.Itoa(n) }
