package operator

import (
	"slices"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Role is what an operator is there to do. An operator holds one or more.
type Role string

// The roles.
const (
	// Admin sets up partners, programs, accounts and cards, and manages
	// operators.
	Admin Role = "admin"
	// Risk decides OFAC reviews and may restrict accounts.
	Risk Role = "risk"
	// Support works customer-care cases and reads accounts.
	Support Role = "support"
	// Finance reads reconciliations and the ledger.
	Finance Role = "finance"
	// Viewer only reads.
	Viewer Role = "viewer"
)

// Roles is every role, in the order screens list them.
var Roles = []Role{Admin, Risk, Support, Finance, Viewer}

// Permission is one thing an operator may do; routes and console actions
// each require exactly one.
type Permission string

// The permissions.
const (
	// Read is every read that holds no secret: programs, accounts, cards,
	// cases, reviews, the audit trail.
	Read Permission = "read"
	// ManagePartners creates and changes partners (and their secrets),
	// programs and retail merchants.
	ManagePartners Permission = "partners.manage"
	// ManageAccounts opens accounts, issues cards and changes cards,
	// features, terms and delivery events.
	ManageAccounts Permission = "accounts.manage"
	// SetAccountStatus changes an account's status.
	SetAccountStatus Permission = "accounts.status"
	// DecideSanctions confirms or clears an OFAC review.
	DecideSanctions Permission = "sanctions.decide"
	// LoadSanctions puts a new OFAC list in force.
	LoadSanctions Permission = "sanctions.load"
	// WorkCases assigns, escalates, notes and resolves support cases.
	WorkCases Permission = "cases.work"
	// RedeliverCases sends a case to the CRM again.
	RedeliverCases Permission = "cases.redeliver"
	// ReadLedger reads reconciliations.
	ReadLedger Permission = "ledger.read"
	// ManageOperators creates operators, sets their roles, disables them
	// and resets their passwords.
	ManageOperators Permission = "operators.manage"
	// ManageWebhooks creates, changes, disables and deletes a program's
	// webhook subscriptions, rotates their signing secrets and sends test
	// events.
	ManageWebhooks Permission = "webhooks.manage"
	// ReplayWebhooks sends webhook deliveries again: one (redeliver) or a
	// subscription's failed ones or time range (replay).
	ReplayWebhooks Permission = "webhooks.replay"
	// LiftRetailThrottles ends a retailer's enumeration throttle before
	// its window does.
	LiftRetailThrottles Permission = "retail.unthrottle"
)

// Grants is the permission table: which roles hold each permission. It is
// data on purpose: docs/operators.md prints it and the route x role tests
// walk it. A permission missing here is held by no role (only the
// bootstrap superuser).
var Grants = map[Permission][]Role{
	Read:             {Admin, Risk, Support, Finance, Viewer},
	ManagePartners:   {Admin},
	ManageAccounts:   {Admin},
	SetAccountStatus: {Admin, Risk},
	DecideSanctions:  {Risk},
	LoadSanctions:    {Admin, Risk},
	WorkCases:        {Support},
	RedeliverCases:   {Admin, Support},
	ReadLedger:       {Admin, Finance},
	ManageOperators:  {Admin},
	ManageWebhooks:   {Admin},
	// Support answers a partner that missed an event by sending it again.
	ReplayWebhooks: {Admin, Support},
	// The guard is a fraud control: risk judges whether a retailer's
	// misses were a prober or a bad batch of numbers.
	LiftRetailThrottles: {Admin, Risk},
}

// Allows reports whether any of roles holds p.
func Allows(roles []Role, p Permission) bool {
	for _, r := range Grants[p] {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// ParseRole validates a role name (case-insensitive).
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Roles, r) {
		return "", apperr.Field("roles", "role %q is not one of admin, risk, support, finance, viewer", s)
	}
	return r, nil
}

// ParseRoles validates a list of roles: at least one, no unknown name;
// duplicates collapse and the answer is in the order of Roles.
func ParseRoles(in []string) ([]Role, error) {
	seen := map[Role]bool{}
	for _, s := range in {
		r, err := ParseRole(s)
		if err != nil {
			return nil, err
		}
		seen[r] = true
	}
	if len(seen) == 0 {
		return nil, apperr.Field("roles", "at least one role is required (admin, risk, support, finance, viewer)")
	}
	out := []Role{}
	for _, r := range Roles {
		if seen[r] {
			out = append(out, r)
		}
	}
	return out, nil
}
