package operator

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	k := KDF{Memory: 64, Time: 1, Threads: 1}
	h := k.Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || h == k.Hash("correct horse battery") {
		t.Fatalf("hash = %s (salted: must differ per call)", h)
	}
	for _, c := range []struct {
		hash, pw string
		ok       bool
		bad      bool
	}{
		{h, "correct horse battery", true, false},
		{h, "correct horse batterY", false, false},
		{h, "", false, false},
		{"$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "x", false, true},
		{"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "x", false, true},
		{"plain", "plain", false, true},
	} {
		ok, err := VerifyPassword(c.hash, c.pw)
		if ok != c.ok || (err != nil) != c.bad {
			t.Errorf("VerifyPassword(%q, %q) = %v, %v", c.hash, c.pw, ok, err)
		}
	}
	if DefaultKDF.Hash("x") == "" || !strings.Contains(DefaultKDF.Hash("x"), "m=19456,t=2,p=1") {
		t.Fatal("default cost")
	}
	if len(GeneratePassword()) < MinPassword || CheckPassword(GeneratePassword()) != nil {
		t.Fatal("generated password too short")
	}
	if CheckPassword(strings.Repeat("x", MaxPassword+1)) == nil || CheckPassword("elevenchars") == nil {
		t.Fatal("length limits")
	}
}

func TestGrants(t *testing.T) {
	t.Parallel()
	// Every permission is held by some role, and the overreach the issue
	// names is refused.
	for p, roles := range Grants {
		if len(roles) == 0 {
			t.Errorf("%s is held by no role", p)
		}
	}
	for _, c := range []struct {
		roles []Role
		p     Permission
		want  bool
	}{
		{[]Role{Support}, DecideSanctions, false},
		{[]Role{Viewer}, SetAccountStatus, false},
		{[]Role{Viewer}, Read, true},
		{[]Role{Risk}, DecideSanctions, true},
		{[]Role{Admin}, DecideSanctions, false},
		{[]Role{Admin, Risk}, DecideSanctions, true},
		{[]Role{Finance}, ReadLedger, true},
		{[]Role{Support}, ReadLedger, false},
		{nil, Read, false},
	} {
		if got := Allows(c.roles, c.p); got != c.want {
			t.Errorf("Allows(%v, %s) = %v", c.roles, c.p, got)
		}
	}
	if !(Principal{Superuser: true}).Can(ManageOperators) {
		t.Fatal("the bootstrap superuser can do everything")
	}
	if rs, err := ParseRoles([]string{"Viewer", "admin", "viewer"}); err != nil || len(rs) != 2 || rs[0] != Admin {
		t.Fatalf("ParseRoles = %v, %v", rs, err)
	}
}

func TestPrincipalActor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if ActorOf(ctx) != "operator" {
		t.Fatal("no principal: the CLI's actor")
	}
	for p, want := range map[*Principal]string{
		{Superuser: true}:                         "operator",
		{Superuser: true, Declared: "alice@risk"}: "alice@risk",
		{OperatorID: "id", Email: "a@b.co"}:       "operator:a@b.co",
	} {
		if got := ActorOf(NewContext(ctx, *p)); got != want {
			t.Errorf("%+v: actor %q, want %q", *p, got, want)
		}
	}
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	th := DefaultThrottle
	a := Attempts{Key: "account:a@b.co"}
	for i := 0; i < 4; i++ {
		a = th.Fail(a, now.Add(time.Duration(i)*time.Minute))
	}
	if a.Failures != 4 || th.Locked(a, now) != 0 {
		t.Fatalf("four failures: %+v", a)
	}
	locked := th.Fail(a, now.Add(4*time.Minute))
	if th.Locked(locked, now.Add(4*time.Minute)) != 15*time.Minute || th.Locked(locked, now.Add(19*time.Minute)) != 0 {
		t.Fatalf("fifth failure: %+v", locked)
	}
	// Failures spread over more than the window never lock.
	late := th.Fail(a, now.Add(16*time.Minute))
	if late.Failures != 1 || !late.LockedUntil.IsZero() {
		t.Fatalf("new window: %+v", late)
	}
	// A client address gets four times as many.
	c := Attempts{Key: "client:10.0.0.1"}
	for i := 0; i < 19; i++ {
		c = th.Fail(c, now)
	}
	if th.Locked(c, now) != 0 || th.Locked(th.Fail(c, now), now) == 0 {
		t.Fatalf("client: %+v", c)
	}
	next, until := th.FailAll([]Attempts{a, c}, now.Add(5*time.Minute))
	if len(next) != 2 || until != now.Add(20*time.Minute) {
		t.Fatalf("FailAll = %+v, %v", next, until)
	}
}

func TestSessionRules(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	r := SessionRules{}
	s := Session{CreatedAt: now, SeenAt: now}
	for _, c := range []struct {
		seen, at      time.Duration
		expired, tick bool
	}{
		{0, 30 * time.Second, false, false},
		{0, 2 * time.Minute, false, true},
		{0, 29 * time.Minute, false, true},
		{0, 30 * time.Minute, true, true},
		{11*time.Hour + 59*time.Minute + 30*time.Second, 12 * time.Hour, true, false},
	} {
		ss := s
		ss.SeenAt = now.Add(c.seen)
		at := now.Add(c.at)
		if r.Expired(ss, at) != c.expired || r.Touch(ss, at) != c.tick {
			t.Errorf("%+v: expired %v touch %v", c, r.Expired(ss, at), r.Touch(ss, at))
		}
	}
}

func TestFourEyesRule(t *testing.T) {
	t.Parallel()
	pr := Proposal{Status: "pending", ProposedBy: "a"}
	for _, c := range []struct {
		pr      Proposal
		by      Principal
		approve bool
		reason  string
		ok      bool
	}{
		{pr, Principal{OperatorID: "b"}, true, "", true},
		{pr, Principal{OperatorID: "a"}, true, "", false},
		{pr, Principal{Superuser: true}, true, "", false},
		{pr, Principal{OperatorID: "b"}, false, "", false},
		{pr, Principal{OperatorID: "b"}, false, "wrong person", true},
		{Proposal{Status: "approved", ProposedBy: "a"}, Principal{OperatorID: "b"}, true, "", false},
	} {
		if err := closeRule(c.pr, c.by, c.approve, c.reason); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
