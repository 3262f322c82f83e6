package feature

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func state(status account.Status, features []string, terms ...Terms) State {
	st := State{AccountID: "a", Status: status, Terms: terms}
	for _, f := range features {
		st.Features = append(st.Features, Enrolment{Feature: f, EnrolledAt: now})
	}
	return st
}

func accepted(id string, ok bool) Terms { return Terms{ID: id, Accepted: ok, At: now} }

func TestCatalogue(t *testing.T) {
	t.Parallel()
	if got := len(IDs()); got != 13 {
		t.Fatalf("catalogue has %d features, want 13", got)
	}
	for _, tc := range []struct {
		in, id string
		group  Group
		hold   int
	}{
		{"nb100", "NB100", NoGroup, 0}, {"Ucb3", "UCB3", CashBack, 0}, {"rdc0", "RDC0", Deposit, 0},
		{"RDC8", "RDC8", Deposit, 8}, {"rdc10", "RDC10", Deposit, 10}, {"RDC5", "RDC5", Deposit, 5},
	} {
		f, ok := Lookup(tc.in)
		if !ok || f.ID != tc.id || f.Group != tc.group || f.HoldDays != tc.hold {
			t.Errorf("Lookup(%q) = %+v, %v", tc.in, f, ok)
		}
	}
	for _, bad := range []string{"", "RDC6", "RDC9", "UCB0", "UCB5", "NB200", "nb100 "} {
		if _, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) found a feature", bad)
		}
	}
	if f, _ := Lookup("NB100"); f.Terms != NegBal || f.FloorMinor != -10000 {
		t.Errorf("NB100 = %+v", f)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	cfg := Config{Offered: []string{"NB100", "UCB1"}}
	for _, tc := range []struct {
		id    string
		enrol bool
		want  string
		err   error
	}{
		{"nb100", true, "NB100", nil},
		{"UCB2", true, "", ErrNoFeatureKey}, // not offered
		{"UCB2", false, "UCB2", nil},        // unenrol: offered or not
		{"XYZ", true, "", ErrNoFeatureKey},  // unknown
		{"XYZ", false, "", ErrNoFeatureKey}, // unknown either way
	} {
		f, err := Resolve(cfg, tc.id, tc.enrol)
		if !errors.Is(err, tc.err) || f.ID != tc.want {
			t.Errorf("Resolve(%q, %v) = %q, %v; want %q, %v", tc.id, tc.enrol, f.ID, err, tc.want, tc.err)
		}
	}
	if e := apperr.As(ErrNoFeatureKey); e.Kind != apperr.Unavailable || e.Code != 5 || e.SubCode != 55 {
		t.Errorf("ErrNoFeatureKey = %+v", e)
	}
}

func feat(id string) Feature { f, _ := Lookup(id); return f }

func TestEnrol(t *testing.T) {
	t.Parallel()
	all := Config{Offered: IDs()}
	enforced := Config{Offered: IDs(), TermsEnforced: []string{"NEGBAL"}}
	for _, tc := range []struct {
		name          string
		st            State
		cfg           Config
		f             string
		err           error
		enrol, remove []string
	}{
		{"plain", state(account.Normal, nil), all, "NB100", nil, []string{"NB100"}, nil},
		{"again changes nothing", state(account.Normal, []string{"UCB1"}), all, "UCB1", nil, nil, nil},
		{"moves tier", state(account.Normal, []string{"UCB1", "NB100"}), all, "UCB3", nil, []string{"UCB3"}, []string{"UCB1"}},
		{"rdc tier", state(account.Normal, []string{"RDC0", "UCB2"}), all, "RDC10", nil, []string{"RDC10"}, []string{"RDC0"}},
		{"groups combine", state(account.Normal, []string{"UCB4"}), all, "RDC2", nil, []string{"RDC2"}, nil},
		{"closed", state(account.Closed, nil), all, "UCB1", ErrAccountInactive, nil, nil},
		{"restricted", state(account.Restricted, nil), all, "UCB1", ErrAccountInactive, nil, nil},
		{"locked is not refused", state(account.Locked, nil), all, "UCB1", nil, []string{"UCB1"}, nil},
		{"terms not enforced", state(account.Normal, nil), all, "NB100", nil, []string{"NB100"}, nil},
		{"terms enforced, none", state(account.Normal, nil), enforced, "NB100", ErrTermsNotAccepted, nil, nil},
		{"terms enforced, opted out", state(account.Normal, nil, accepted("negBal", false)), enforced, "NB100", ErrTermsNotAccepted, nil, nil},
		{"terms enforced, accepted", state(account.Normal, nil, accepted("negBal", true)), enforced, "NB100", nil, []string{"NB100"}, nil},
		{"enforcement is per feature", state(account.Normal, nil), enforced, "UCB1", nil, []string{"UCB1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Enrol(tc.st, tc.cfg, feat(tc.f), now)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if !slices.Equal(c.Enrol, tc.enrol) || !slices.Equal(c.Unenrol, tc.remove) {
				t.Fatalf("change = +%v -%v, want +%v -%v", c.Enrol, c.Unenrol, tc.enrol, tc.remove)
			}
			if len(c.Events) != len(c.Enrol)+len(c.Unenrol) {
				t.Fatalf("events %v do not record the change", c.Events)
			}
		})
	}
}

func TestUnenrol(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		st     State
		f      string
		err    error
		optOut bool
	}{
		{"ucb", state(account.Normal, []string{"UCB2"}), "UCB2", nil, false},
		{"not held", state(account.Normal, []string{"UCB2"}), "UCB1", ErrEnrolmentNotFound, false},
		{"nb100 opts out", state(account.Normal, []string{"NB100"}, accepted("negBal", true)), "NB100", nil, true},
		{"nb100 without terms record opts out", state(account.Normal, []string{"NB100"}), "NB100", nil, true},
		{"nb100 already opted out", state(account.Normal, []string{"NB100"}, accepted("negBal", false)), "NB100", nil, false},
		{"closed", state(account.Closed, []string{"NB100"}), "NB100", ErrAccountInactive, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Unenrol(tc.st, feat(tc.f), now)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				if !c.Empty() {
					t.Fatalf("refusal carries a change: %+v", c)
				}
				return
			}
			if !slices.Equal(c.Unenrol, []string{tc.f}) {
				t.Fatalf("unenrol = %v", c.Unenrol)
			}
			gotOut := len(c.Terms) == 1 && c.Terms[0].ID == NegBal && !c.Terms[0].Accepted
			if gotOut != tc.optOut {
				t.Fatalf("terms = %+v, want opt-out %v", c.Terms, tc.optOut)
			}
		})
	}
}

func TestSetTerms(t *testing.T) {
	t.Parallel()
	later := now.Add(time.Hour)
	for _, tc := range []struct {
		name    string
		st      State
		in      []TermsInput
		err     error
		records int
	}{
		{"accept", state(account.Normal, nil), []TermsInput{{NegBal, true, now}}, nil, 1},
		{"repeat changes nothing", state(account.Normal, nil, accepted(NegBal, true)), []TermsInput{{NegBal, true, now}}, nil, 0},
		{"new time is recorded", state(account.Normal, nil, accepted(NegBal, true)), []TermsInput{{NegBal, true, later}}, nil, 1},
		{"opt out without feature", state(account.Normal, nil, accepted(NegBal, true)), []TermsInput{{NegBal, false, now}}, nil, 1},
		{"opt out with NB100", state(account.Normal, []string{"NB100"}, accepted(NegBal, true)), []TermsInput{{NegBal, false, now}}, ErrTermsInUse, 0},
		{"opt out refuses the whole request", state(account.Normal, []string{"NB100"}),
			[]TermsInput{{"other", true, now}, {NegBal, false, now}}, ErrTermsInUse, 0},
		{"accept with NB100", state(account.Normal, []string{"NB100"}), []TermsInput{{NegBal, true, now}}, nil, 1},
		{"restricted", state(account.Restricted, nil), []TermsInput{{NegBal, true, now}}, ErrAccountInactive, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := SetTerms(tc.st, tc.in, now)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if len(c.Terms) != tc.records || len(c.Events) != tc.records {
				t.Fatalf("change = %+v, want %d records", c, tc.records)
			}
		})
	}
}

func TestCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err       *apperr.Error
		kind      apperr.Kind
		code, sub int
	}{
		{ErrNoFeatureKey, apperr.Unavailable, 5, 55},
		{ErrAccountInactive, apperr.Declined, 4, 105},
		{ErrTermsNotAccepted, apperr.Declined, 5, 55},
		{ErrEnrolmentNotFound, apperr.NotFound, 10, 0},
		{ErrTermsInUse, apperr.Declined, 5, 58},
	} {
		if tc.err.Kind != tc.kind || tc.err.Code != tc.code || tc.err.SubCode != tc.sub {
			t.Errorf("%s = %v %d/%d", tc.err.Message, tc.err.Kind, tc.err.Code, tc.err.SubCode)
		}
	}
}

// The ledger's NB100 terms rule names the catalogue's terms.
func TestLedgerNamesNB100Terms(t *testing.T) {
	t.Parallel()
	if f, _ := Lookup(NB100); f.Terms != ledger.NB100Terms || f.ID != ledger.NB100 {
		t.Fatalf("catalogue NB100 %+v, ledger %s/%s", f, ledger.NB100, ledger.NB100Terms)
	}
}
