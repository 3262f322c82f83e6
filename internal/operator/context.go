package operator

import (
	"context"
	"slices"
)

// Principal is who is acting on an operator route or console page: a
// named operator (by API token or console session), or the bootstrap
// superuser holding VERDANT_ADMIN_TOKEN.
type Principal struct {
	OperatorID string
	Email      string
	Roles      []Role
	// Superuser is the bootstrap admin token: every permission.
	Superuser bool
	// Declared is who the superuser says is acting (X-Operator): kept in
	// the audit trail as said, never checked.
	Declared string
}

// BootstrapActor is the audit-trail actor of the bootstrap token and of
// CLI commands: changes made with no named operator behind them.
const BootstrapActor = "operator"

// Actor is how the audit trail names p: "operator:<email>" for a named
// operator; for the bootstrap superuser what it declared, else "operator".
func (p Principal) Actor() string {
	switch {
	case p.OperatorID != "":
		return "operator:" + p.Email
	case p.Declared != "":
		return p.Declared
	}
	return BootstrapActor
}

// Can reports whether p holds permission perm.
func (p Principal) Can(perm Permission) bool { return p.Superuser || Allows(p.Roles, perm) }

// Has reports whether p holds role r (the superuser holds every role).
func (p Principal) Has(r Role) bool { return p.Superuser || slices.Contains(p.Roles, r) }

type principalKey struct{}

// NewContext answers ctx carrying p: the services that write the audit
// trail name the actor from it.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext answers the principal ctx carries, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// ActorOf is the audit-trail actor of a change made under ctx: the
// principal's actor, or "operator" when ctx carries none (the CLI).
func ActorOf(ctx context.Context) string {
	p, _ := FromContext(ctx)
	return p.Actor()
}
