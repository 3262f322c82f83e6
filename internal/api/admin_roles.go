package api

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// adminPermissions is the route x permission table of the operator API:
// the permission each operator route requires (operator.Grants says
// which roles hold it). A route missing here is refused to every named
// operator, so a new route is closed until it is listed; a test requires
// every registered /admin/ route to be here.
var adminPermissions = map[string]operator.Permission{
	"POST /admin/v1/partners":                                    operator.ManagePartners,
	"GET /admin/v1/partners":                                     operator.Read,
	"GET /admin/v1/programs":                                     operator.Read,
	"POST /admin/v1/partners/{partnerId}/secrets":                operator.ManagePartners,
	"POST /admin/v1/partners/{partnerId}/disable":                operator.ManagePartners,
	"POST /admin/v1/partners/{partnerId}/enable":                 operator.ManagePartners,
	"GET /admin/v1/partners/{partnerId}/customerLookups":         operator.Read,
	"POST /admin/v1/programs":                                    operator.ManagePartners,
	"GET /admin/v1/programs/{programCode}":                       operator.Read,
	"PATCH /admin/v1/programs/{programCode}":                     operator.ManagePartners,
	"GET /admin/v1/programs/{programCode}/reconciliation/{date}": operator.ReadLedger,

	"POST /admin/v1/programs/{programCode}/accounts":                                         operator.ManageAccounts,
	"GET /admin/v1/programs/{programCode}/accounts":                                          operator.Read,
	"GET /admin/v1/programs/{programCode}/accounts/{accountIdentifier}":                      operator.Read,
	"PATCH /admin/v1/programs/{programCode}/accounts/{accountIdentifier}":                    operator.SetAccountStatus,
	"GET /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/history":              operator.Read,
	"PUT /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/features/{featureId}": operator.ManageAccounts,
	"PUT /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/terms":                operator.ManageAccounts,
	"POST /admin/v1/programs/{programCode}/accounts/{accountIdentifier}/paymentInstruments":  operator.ManageAccounts,
	"PATCH " + adminCardPath:                                             operator.ManageAccounts,
	"POST " + adminCardPath + "/deliveryEvents":                          operator.ManageAccounts,
	"GET " + adminCardPath + "/deliveryEvents":                           operator.Read,
	"GET /admin/v1/features":                                             operator.Read,
	"GET /admin/v1/programs/{programCode}/features/{featureId}/accounts": operator.Read,
	"GET /admin/v1/messages":                                             operator.Read,
	"GET /admin/v1/audit":                                                operator.Read,
	"GET /admin/v1/cases":                                                operator.Read,
	"GET /admin/v1/cases/{caseNumber}":                                   operator.Read,
	"PATCH /admin/v1/cases/{caseNumber}":                                 operator.WorkCases,
	"POST /admin/v1/customers/{customerid}/sanctionsReview":              operator.DecideSanctions,
	"GET /admin/v1/sanctions/reviews":                                    operator.Read,
	"GET /admin/v1/sanctions/lists":                                      operator.Read,
	"POST /admin/v1/sanctions/lists":                                     operator.LoadSanctions,

	"POST /admin/v1/merchants":                                operator.ManagePartners,
	"GET /admin/v1/merchants/{merchantId}":                    operator.Read,
	"PATCH /admin/v1/merchants/{merchantId}":                  operator.ManagePartners,
	"POST /admin/v1/merchants/{merchantId}/stores":            operator.ManagePartners,
	"GET /admin/v1/merchants/{merchantId}/stores/{storeId}":   operator.Read,
	"PATCH /admin/v1/merchants/{merchantId}/stores/{storeId}": operator.ManagePartners,
	"POST /admin/v1/merchants/{merchantId}/users":             operator.ManagePartners,
	"GET /admin/v1/merchants/{merchantId}/users/{userId}":     operator.Read,
	"PATCH /admin/v1/merchants/{merchantId}/users/{userId}":   operator.ManagePartners,
	"GET " + adminRetailThrottles:                             operator.Read,
	"DELETE " + adminRetailThrottles + "/{partnerId}":         operator.LiftRetailThrottles,

	"POST " + adminWebhooks:                               operator.ManageWebhooks,
	"GET " + adminWebhooks:                                operator.Read,
	"GET " + adminWebhook:                                 operator.Read,
	"PATCH " + adminWebhook:                               operator.ManageWebhooks,
	"DELETE " + adminWebhook:                              operator.ManageWebhooks,
	"POST " + adminWebhook + "/secrets":                   operator.ManageWebhooks,
	"POST " + adminWebhook + "/test":                      operator.ManageWebhooks,
	"POST " + adminWebhook + "/replay":                    operator.ReplayWebhooks,
	"GET " + adminDeliveries:                              operator.Read,
	"GET " + adminDeliveries + "/{deliveryId}":            operator.Read,
	"POST " + adminDeliveries + "/{deliveryId}/redeliver": operator.ReplayWebhooks,

	"GET /admin/v1/operators/me":                               operator.Read,
	"GET /admin/v1/operators":                                  operator.ManageOperators,
	"POST /admin/v1/operators":                                 operator.ManageOperators,
	"GET /admin/v1/operators/{operatorId}":                     operator.ManageOperators,
	"PATCH /admin/v1/operators/{operatorId}":                   operator.ManageOperators,
	"POST /admin/v1/operators/{operatorId}/password":           operator.ManageOperators,
	"GET /admin/v1/operators/{operatorId}/tokens":              operator.ManageOperators,
	"POST /admin/v1/operators/{operatorId}/tokens":             operator.ManageOperators,
	"DELETE /admin/v1/operators/{operatorId}/tokens/{tokenId}": operator.ManageOperators,
}

// The webhook routes: a program's subscriptions and its delivery log.
const (
	adminWebhooks   = "/admin/v1/programs/{programCode}/webhooks"
	adminWebhook    = adminWebhooks + "/{webhookId}"
	adminDeliveries = "/admin/v1/programs/{programCode}/webhookDeliveries"
)

const adminCardPath = "/admin/v1/programs/{programCode}/accounts/{accountIdentifier}/paymentInstruments/{paymentInstrumentIdentifier}"

// AdminPermission answers the permission an operator route pattern
// requires ("GET /admin/v1/audit"), and whether it is listed.
func AdminPermission(pattern string) (operator.Permission, bool) {
	p, ok := adminPermissions[pattern]
	return p, ok
}

// admin adapts an operator handler. The bearer token is the bootstrap
// admin token (every permission; X-Operator may name who acts) or an
// operator's API token, whose roles must hold the route's permission: a
// refusal is 403, audited, before any body is read. The principal travels
// in the context, so the audit trail names the operator.
func (s *Server) admin(h handler) http.Handler {
	return s.public(func(w http.ResponseWriter, r *http.Request) error {
		if s.AdminToken == "" && s.Operators == nil {
			return apperr.E(apperr.Unauthorized, "the operator API is disabled: no admin token is configured")
		}
		p, err := s.throttledOperator(r)
		if err != nil {
			return err
		}
		if info := infoFrom(r.Context()); info != nil {
			info.partnerID = "operator"
			if p.OperatorID != "" {
				info.partnerID = "operator:" + p.OperatorID
			}
		}
		r = r.WithContext(operator.NewContext(r.Context(), p))
		if err := s.authorize(r.Context(), p, r.Pattern); err != nil {
			return err
		}
		return h(w, r)
	})
}

// operatorPrincipal authenticates an operator API call.
func (s *Server) operatorPrincipal(r *http.Request) (operator.Principal, error) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return operator.Principal{}, operator.ErrBadToken
	}
	if s.AdminToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.AdminToken)) == 1 {
		p := operator.Principal{Superuser: true}
		if d := r.Header.Get("X-Operator"); d != "" && len(d) <= 100 {
			p.Declared = d
		}
		return p, nil
	}
	if s.Operators != nil && strings.HasPrefix(tok, operator.TokenPrefix) {
		return s.Operators.Authenticate(r.Context(), tok)
	}
	if s.AdminToken == "" {
		return operator.Principal{}, apperr.E(apperr.Unauthorized,
			"the bootstrap admin token is disabled (none is configured): use an operator API token")
	}
	return operator.Principal{}, operator.ErrBadToken
}

// authorize checks p against the permission of the route pattern; the
// catch-all ("/", answering 404 or 405) needs only authentication.
func (s *Server) authorize(ctx context.Context, p operator.Principal, pattern string) error {
	if pattern == "" || pattern == "/" || p.Superuser {
		return nil
	}
	perm, listed := adminPermissions[pattern]
	if listed && p.Can(perm) {
		return nil
	}
	if err := s.Operators.Deny(ctx, p, pattern, perm); err != nil {
		return err
	}
	return Forbidden(p, perm)
}

// Forbidden is the refusal of an action p's roles do not allow.
func Forbidden(p operator.Principal, perm operator.Permission) error {
	var roles []string
	for _, r := range p.Roles {
		roles = append(roles, string(r))
	}
	var holders []string
	for _, r := range operator.Grants[perm] {
		holders = append(holders, string(r))
	}
	msg := fmt.Sprintf("your roles (%s) do not allow this", strings.Join(roles, ", "))
	if len(holders) > 0 {
		msg += fmt.Sprintf(": it needs the %s permission, held by %s", perm, strings.Join(holders, ", "))
	}
	return &apperr.Error{Kind: apperr.Forbidden, Reason: "ROLE", Message: msg}
}
