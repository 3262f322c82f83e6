package storage_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/audit"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Now().UTC().Truncate(time.Second)} }
func operators(t *testing.T, db *storage.DB, c *clock) *operator.Service {
	st := newStore(t, db)
	return &operator.Service{Store: storage.NewOperatorStore(db), Sessions: storage.NewSessionStore(db),
		Hasher: st.Vault, KDF: operator.KDF{Memory: 64, Time: 1, Threads: 1}, Now: c.Now}
}

func auditActions(t *testing.T, db *storage.DB, subject string) []audit.Event {
	t.Helper()
	evs, err := storage.NewAuditStore(db).Events(context.Background(), audit.Filter{Subject: subject, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestOperatorsRolesAndTokens(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := newClock()
		ops := operators(t, db, c)
		admin, err := ops.Create(ctx, operator.NewOperator{Email: " Ann@Example.com ", Name: "Ann", Roles: []string{"admin"}})
		if err != nil || admin.Operator.Email != "ann@example.com" || len(admin.Password) < operator.MinPassword {
			t.Fatalf("create = %+v, %v", admin, err)
		}
		if _, err := ops.Create(ctx, operator.NewOperator{Email: "ann@example.com", Name: "Ann 2", Roles: []string{"risk"}}); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("duplicate email: %v", err)
		}
		for _, bad := range []operator.NewOperator{
			{Email: "not an email", Name: "X", Roles: []string{"admin"}},
			{Email: "x@example.com", Name: "", Roles: []string{"admin"}},
			{Email: "x@example.com", Name: "X", Roles: []string{"root"}},
			{Email: "x@example.com", Name: "X"},
			{Email: "x@example.com", Name: "X", Roles: []string{"risk"}, Password: "short"},
		} {
			if _, err := ops.Create(ctx, bad); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		risk, err := ops.Create(ctx, operator.NewOperator{Email: "rita@example.com", Name: "Rita", Roles: []string{"RISK", "viewer", "risk"}})
		if err != nil || len(risk.Operator.Roles) != 2 || risk.Operator.Roles[0] != operator.Risk {
			t.Fatalf("roles = %v, %v", risk.Operator.Roles, err)
		}
		list, err := ops.List(ctx, "", 10)
		if err != nil || len(list) != 2 || list[0].ID != admin.Operator.ID {
			t.Fatalf("list = %+v, %v", list, err)
		}

		// The admin, acting, changes Rita's roles; the trail names the admin.
		actx := operator.NewContext(ctx, admin.Operator.Principal())
		roles := []string{"support"}
		o, err := ops.Change(actx, risk.Operator.ID, operator.Update{Roles: &roles})
		if err != nil || len(o.Roles) != 1 || o.Roles[0] != operator.Support {
			t.Fatalf("change = %+v, %v", o, err)
		}
		evs := auditActions(t, db, operator.Subject(risk.Operator.ID))
		if len(evs) != 2 || evs[0].Action != "operator.rolesChanged" || evs[0].Actor != "operator:ann@example.com" || evs[1].Actor != "operator" {
			t.Fatalf("events = %+v", evs)
		}
		// The same roles again change nothing and write nothing.
		if _, err := ops.Change(actx, risk.Operator.ID, operator.Update{Roles: &roles}); err != nil || len(auditActions(t, db, operator.Subject(risk.Operator.ID))) != 2 {
			t.Fatalf("no-op change: %v", err)
		}
		yes := true
		if _, err := ops.Change(actx, admin.Operator.ID, operator.Update{Disabled: &yes}); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("self-disable: %v", err)
		}
		viewer := []string{"viewer"}
		if _, err := ops.Change(actx, admin.Operator.ID, operator.Update{Roles: &viewer}); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("self-demotion: %v", err)
		}

		// Tokens: shown once, stored hashed, revocable; a disabled
		// operator's token stops working.
		tok, secret, err := ops.IssueToken(actx, risk.Operator.ID, "laptop")
		if err != nil || len(secret) < 40 || secret[:4] != operator.TokenPrefix {
			t.Fatalf("issue = %v, %v", secret, err)
		}
		var stored int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM operator_tokens WHERE token_hash = ?`, secret).Scan(&stored)
		if stored != 0 {
			t.Fatal("token stored in clear")
		}
		p, err := ops.Authenticate(ctx, secret)
		if err != nil || p.OperatorID != risk.Operator.ID || p.Actor() != "operator:rita@example.com" || !p.Can(operator.WorkCases) || p.Can(operator.DecideSanctions) {
			t.Fatalf("authenticate = %+v, %v", p, err)
		}
		if _, err := ops.Authenticate(ctx, secret+"x"); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("wrong token: %v", err)
		}
		if _, err := ops.Change(actx, risk.Operator.ID, operator.Update{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := ops.Authenticate(ctx, secret); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("disabled operator's token: %v", err)
		}
		no := false
		ops.Change(actx, risk.Operator.ID, operator.Update{Disabled: &no})
		if _, err := ops.RevokeToken(actx, risk.Operator.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := ops.Authenticate(ctx, secret); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("revoked token: %v", err)
		}
		before := len(auditActions(t, db, operator.Subject(risk.Operator.ID)))
		if again, err := ops.RevokeToken(actx, risk.Operator.ID, tok.ID); err != nil || again.RevokedAt.IsZero() ||
			len(auditActions(t, db, operator.Subject(risk.Operator.ID))) != before {
			t.Fatalf("revoke twice: %v", err)
		}
		if _, err := ops.RevokeToken(actx, admin.Operator.ID, tok.ID); apperr.KindOf(err) != apperr.NotFound {
			t.Fatalf("another operator's token: %v", err)
		}
		toks, _ := ops.Tokens(ctx, risk.Operator.ID)
		if len(toks) != 1 || toks[0].RevokedAt.IsZero() {
			t.Fatalf("tokens = %+v", toks)
		}
	})
}

func TestOperatorLoginThrottleAndSessions(t *testing.T) {
	t.Parallel()
	storagetest.Engines(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		c := newClock()
		ops := operators(t, db, c)
		ann, err := ops.Create(ctx, operator.NewOperator{Email: "ann@example.com", Name: "Ann", Roles: []string{"risk"}, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ops.Login(ctx, "ANN@example.com", "correct horse battery", "10.0.0.1"); err != nil {
			t.Fatalf("login: %v", err)
		}
		if _, err := ops.Login(ctx, "nobody@example.com", "whatever it is", "10.0.0.1"); err != operator.ErrBadLogin {
			t.Fatalf("unknown email: %v", err)
		}
		for i := 0; i < 5; i++ {
			if _, err := ops.Login(ctx, "ann@example.com", "wrong password!", "10.0.0.2"); err != operator.ErrBadLogin {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// Locked: even the right password is refused, and says for how long.
		_, err = ops.Login(ctx, "ann@example.com", "correct horse battery", "10.0.0.3")
		if e := apperr.As(err); e.Kind != apperr.RateLimited || e.Message != "Too many failed sign-ins. Try again in 15 minutes." {
			t.Fatalf("locked: %v", err)
		}
		evs := auditActions(t, db, operator.LoginSubject("ann@example.com"))
		if len(evs) != 6 || evs[0].Action != "operator.loginRefused" || evs[0].Actor != "client:10.0.0.3" {
			t.Fatalf("refusals = %+v", evs)
		}
		var d struct{ Reason, LockedUntil string }
		json.Unmarshal(evs[1].Detail, &d)
		if d.Reason != "wrong password" || d.LockedUntil == "" {
			t.Fatalf("lockout event = %s", evs[1].Detail)
		}
		c.Advance(16 * time.Minute)
		if _, err := ops.Login(ctx, "ann@example.com", "correct horse battery", "10.0.0.3"); err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		// A reset lifts a lockout at once.
		for i := 0; i < 5; i++ {
			ops.Login(ctx, "ann@example.com", "wrong password!", "10.0.0.4")
		}
		pw, err := ops.ResetPassword(ctx, ann.Operator.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		o, err := ops.Login(ctx, "ann@example.com", pw, "10.0.0.4")
		if err != nil || o.ID != ann.Operator.ID {
			t.Fatalf("after reset: %v", err)
		}

		// Sessions: idle timeout, touch, maximum age, sign-out.
		secret, ss, err := ops.StartSession(ctx, o, "10.0.0.4")
		if err != nil || ss.CSRF == "" {
			t.Fatal(err)
		}
		var n int
		db.QueryRow(ctx, `SELECT COUNT(*) FROM console_sessions WHERE id = ?`, secret).Scan(&n)
		if n != 0 {
			t.Fatal("session secret stored in clear")
		}
		for i := 0; i < 30; i++ { // 7.5 hours of activity, never idle for 30 minutes
			c.Advance(15 * time.Minute)
			if p, got, err := ops.Resume(ctx, secret); err != nil || p.OperatorID != o.ID || got.CSRF != ss.CSRF {
				t.Fatalf("resume %d: %v", i, err)
			}
		}
		c.Advance(31 * time.Minute)
		if _, _, err := ops.Resume(ctx, secret); err != operator.ErrSessionExpired {
			t.Fatalf("idle session: %v", err)
		}
		secret, _, _ = ops.StartSession(ctx, o, "10.0.0.4")
		for i := 0; i < 49; i++ {
			c.Advance(15 * time.Minute)
			ops.Resume(ctx, secret)
		}
		if _, _, err := ops.Resume(ctx, secret); err != operator.ErrSessionExpired {
			t.Fatalf("session past its maximum age: %v", err)
		}
		secret, _, _ = ops.StartSession(ctx, o, "10.0.0.4")
		if err := ops.EndSession(operator.NewContext(ctx, o.Principal()), secret); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ops.Resume(ctx, secret); err != operator.ErrSessionExpired {
			t.Fatalf("signed-out session: %v", err)
		}
		// Disabling an operator ends their sessions.
		secret, _, _ = ops.StartSession(ctx, o, "10.0.0.4")
		admin, _ := ops.Create(ctx, operator.NewOperator{Email: "root@example.com", Name: "Root", Roles: []string{"admin"}})
		yes := true
		if _, err := ops.Change(operator.NewContext(ctx, admin.Operator.Principal()), o.ID, operator.Update{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ops.Resume(ctx, secret); err != operator.ErrSessionExpired {
			t.Fatalf("disabled operator's session: %v", err)
		}
		if _, err := ops.Login(ctx, "ann@example.com", pw, "10.0.0.4"); apperr.KindOf(err) != apperr.Unauthorized {
			t.Fatalf("disabled operator's login: %v", err)
		}
	})
}
