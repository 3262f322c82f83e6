package retail

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/money"
)

func amountOf(raw string) money.Amount {
	var a money.Amount
	a.UnmarshalJSON([]byte(raw))
	return a
}

func loadRequest() LoadRequest {
	return LoadRequest{Kind: KindLoad, RequestID: "load-1", Ref: "6287287e-b79f-4458-8830-cc5edd9d7378",
		TransactionAmount: amountOf("20.00"), Metadata: sample().Metadata}
}

func TestLoadRequestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		want   string
		mutate func(r *LoadRequest)
	}{
		{"", func(r *LoadRequest) {}},
		{"RequestId is required", func(r *LoadRequest) { r.RequestID = "" }},
		{"bad body", func(r *LoadRequest) { r.ParseError = "bad body" }},
		{"StoreId is required", func(r *LoadRequest) { r.Metadata.StoreID = "" }},
		{"ValidationResponseId is required", func(r *LoadRequest) { r.Ref = "" }},
		{"LoadResponseId must be a GUID", func(r *LoadRequest) { r.Kind, r.Ref = KindVoid, "load-7" }},
		{"TransactionAmount should be greater than zero", func(r *LoadRequest) { r.TransactionAmount = money.Amount{} }},
		{"TransactionAmount must have at most 2 decimal places", func(r *LoadRequest) { r.TransactionAmount = amountOf("1.001") }},
	} {
		r := loadRequest()
		tc.mutate(&r)
		if got := r.Check(); got != tc.want {
			t.Errorf("Check() = %q, want %q", got, tc.want)
		}
	}
	// The same request whatever the amount's spelling or the GUID's case; another kind is another request.
	a, b := loadRequest(), loadRequest()
	b.TransactionAmount, b.Ref = amountOf(`"20"`), strings.ToUpper(b.Ref)
	if a.fingerprintText() != b.fingerprintText() {
		t.Error("20.00 and \"20\" fingerprint differently")
	}
	b.Kind = KindVoid
	if a.fingerprintText() == b.fingerprintText() {
		t.Error("a void fingerprints as the load")
	}
}

func TestPickAndAccepts(t *testing.T) {
	t.Parallel()
	open := &Settings{Enabled: true}
	own := Target{Account: account.Account{ID: "own"}, ProgramPartnerID: "me"}
	listed := Target{Account: account.Account{ID: "listed"}, ProgramPartnerID: "p2", Settings: open, Listed: true}
	closed := Target{Account: account.Account{ID: "closed"}, ProgramPartnerID: "p3", Settings: open}
	disabled := Target{Account: account.Account{ID: "disabled"}, ProgramPartnerID: "p4", Settings: &Settings{}, Listed: true}
	unset := Target{Account: account.Account{ID: "unset"}, ProgramPartnerID: "p5", Listed: true}
	for _, tc := range []struct {
		ts   []Target
		want string
	}{
		{[]Target{listed, own}, "own"}, // the retailer's own program first, even if older
		{[]Target{closed, listed}, "listed"},
		{[]Target{closed, disabled, unset}, ""},
		{nil, ""},
	} {
		got, ok := pick(tc.ts, "me")
		if ok != (tc.want != "") || got.Account.ID != tc.want {
			t.Errorf("pick = %q %v, want %q", got.Account.ID, ok, tc.want)
		}
	}
	if reloadable(closed, "me", time.Now()) != DescAccountNotFound || reloadable(disabled, "me", time.Now()) != DescAccountNotFound {
		t.Error("a program closed to the retailer must read as a missing account")
	}
	owned := Target{ProgramPartnerID: "me", Settings: &Settings{}}
	if reloadable(owned, "me", time.Now()) != DescNotReloadable {
		t.Error("the owner is told its program is not reloadable")
	}
}

// decideLoad's refusals before the posting (tx is never touched).
func TestDecideLoadRefusals(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := &Service{Now: func() time.Time { return now }}
	fee := int64(100)
	st := &Settings{Enabled: true, MinLoadAmount: 2000, MaxLoadAmount: 50000, DailyLoadLimit: 100000}
	target := &Target{Account: account.Account{ID: "a1", Status: "normal"}, ProgramPartnerID: "p1", Settings: st}
	v := &Validation{Outcome: Outcome{Code: CodeSuccess, At: now.Add(-time.Minute), ReloadFee: &fee, MerchantFee: &fee},
		PartnerID: "p1", MerchantID: "M1", Amount: 20000, AccountID: "a1"}
	l := Load{Outcome: Outcome{At: now}, Kind: KindLoad, PartnerID: "p1", MerchantID: "M1", Amount: 20000}
	for _, tc := range []struct {
		name   string
		mutate func(l *Load, st *LoadState)
		code   int
		desc   string
	}{
		{"unknown", func(l *Load, st *LoadState) { st.Validation = nil }, CodeInvalidParam, DescNoValidation},
		{"another merchant's", func(l *Load, st *LoadState) { l.MerchantID = "M2" }, CodeInvalidParam, DescNoValidation},
		{"another partner's", func(l *Load, st *LoadState) { l.PartnerID = "p2" }, CodeInvalidParam, DescNoValidation},
		{"declined", func(l *Load, st *LoadState) { v := *st.Validation; v.Code = CodeLoadLimit; st.Validation = &v },
			CodeInvalidParam, DescNotApproved},
		{"expired", func(l *Load, st *LoadState) { l.At = now.Add(DefaultPolicy().ValidationTTL) }, CodeInvalidParam, DescExpired},
		{"amount", func(l *Load, st *LoadState) { l.Amount = 20001 }, CodeInvalidParam, DescAmountMismatch},
		{"committed", func(l *Load, st *LoadState) { st.Committed = true }, CodeInvalidParam, DescCommitted},
		{"account gone", func(l *Load, st *LoadState) { st.Target = nil }, CodeInvalidAccount, DescAccountNotFound},
		{"account locked", func(l *Load, st *LoadState) { t := *st.Target; t.Account.Status = "locked"; st.Target = &t },
			CodeInvalidAccount, "AccountStatus is Locked."},
		{"daily limit since", func(l *Load, st *LoadState) { st.Used = 80001 }, CodeLoadLimit, DescDailyLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, ls := l, LoadState{Validation: v, Target: target}
			tc.mutate(&l, &ls)
			got, err := s.decideLoad(context.Background(), l, ls, nil)
			if err != nil || got.Code != tc.code || got.Description != tc.desc || got.Status != StatusRejected || got.PostingID != "" {
				t.Fatalf("got %d %q %s %v, want %d %q", got.Code, got.Description, got.Status, err, tc.code, tc.desc)
			}
		})
	}
}

func TestDecideVoidRefusals(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	posted := &Load{Outcome: Outcome{At: now.Add(-time.Hour)}, Kind: KindLoad, PartnerID: "p1", MerchantID: "M1", Amount: 500,
		AccountID: "a1", Status: StatusPosted}
	l := Load{Outcome: Outcome{At: now}, Kind: KindVoid, PartnerID: "p1", MerchantID: "M1", Amount: 500}
	target := &Target{Account: account.Account{ID: "a1"}}
	with := func(f func(ld *Load)) *Load { c := *posted; f(&c); return &c }
	for _, tc := range []struct {
		name string
		st   VoidState
		l    Load
		desc string
	}{
		{"unknown", VoidState{Target: target}, l, DescNoLoad},
		{"refused load", VoidState{Load: with(func(ld *Load) { ld.Status = StatusRejected }), Target: target}, l, DescNoLoad},
		{"another merchant's", VoidState{Load: with(func(ld *Load) { ld.MerchantID = "M2" }), Target: target}, l, DescNoLoad},
		{"voided", VoidState{Load: with(func(ld *Load) { ld.Status = StatusVoided }), Target: target}, l, DescVoided},
		{"void in flight", VoidState{Load: posted, Voided: true, Target: target}, l, DescVoided},
		{"yesterday", VoidState{Load: with(func(ld *Load) { ld.At = now.Add(-13 * time.Hour) }), Target: target}, l, DescVoidDay},
		{"amount", VoidState{Load: posted, Target: target}, Load{Outcome: l.Outcome, Kind: KindVoid, PartnerID: "p1", MerchantID: "M1", Amount: 499}, DescVoidAmount},
	} {
		got, err := decideVoid(context.Background(), tc.l, tc.st, nil)
		if err != nil || got.Code != CodeInvalidParam || got.Description != tc.desc || got.Status != StatusRejected {
			t.Errorf("%s: got %d %q %v, want 100 %q", tc.name, got.Code, got.Description, err, tc.desc)
		}
	}
}

func TestPolicyDefaults(t *testing.T) {
	t.Parallel()
	p := Policy{MissLimit: 3}.WithDefaults()
	if p.MissLimit != 3 || p.MissWindow != 5*time.Minute || p.ValidationTTL != 15*time.Minute {
		t.Fatalf("%+v", p)
	}
	if p.trips(2) || !p.trips(3) || !p.trips(4) {
		t.Fatal("trips at the limit")
	}
	now := time.Now()
	if throttled(time.Time{}, now) || !throttled(now.Add(time.Second), now) || throttled(now, now) {
		t.Fatal("throttled")
	}
	// The window counts the UTC day of its instant; a validation approved
	// then holds until the end of the minute in which it expires.
	s := &Service{}
	at := time.Date(2026, 5, 1, 0, 5, 30, 0, time.UTC)
	if w := s.window(at); !w.Now.Equal(at) || !w.DayStart.Equal(at.Truncate(24*time.Hour)) ||
		!w.HoldUntil.Equal(time.Date(2026, 5, 1, 0, 21, 0, 0, time.UTC)) {
		t.Fatalf("window %+v", w)
	}
}

// A hold lapses strictly after its validation expires (while the
// validation may be committed it counts), and at most one slice (a
// fifteenth of the time to live) later.
func TestHoldEnd(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Time
		ttl  time.Duration
		want time.Time
	}{
		{t0, 15 * time.Minute, t0.Add(16 * time.Minute)},                                     // expires on a slice boundary
		{t0.Add(time.Microsecond), 15 * time.Minute, t0.Add(16 * time.Minute)},               // just after it
		{t0.Add(59 * time.Second), 15 * time.Minute, t0.Add(16 * time.Minute)},               // late in the slice
		{t0.Add(time.Minute), 15 * time.Minute, t0.Add(17 * time.Minute)},                    // the next slice
		{t0, time.Hour, t0.Add(time.Hour + 4*time.Minute)},                                   // slices of 4 minutes
		{t0.Add(time.Second), time.Minute, t0.Add(time.Minute + 4*time.Second)},              // slices of 4 seconds
		{t0.Add(time.Second), 24 * time.Hour, t0.Add(24*time.Hour + 72*time.Minute)},         // slices of 96 minutes (9:36, 11:12)
		{t0.Add(7 * time.Microsecond), 16 * time.Microsecond, t0.Add(24 * time.Microsecond)}, // 2µs slices, rounded up
	} {
		got := HoldEnd(tc.at, tc.ttl)
		if !got.Equal(tc.want) {
			t.Errorf("HoldEnd(%v, %v) = %v, want %v", tc.at, tc.ttl, got, tc.want)
		}
		if slice := (tc.ttl + holdSlices - 1) / holdSlices; !got.After(tc.at.Add(tc.ttl)) || got.Sub(tc.at.Add(tc.ttl)) > slice {
			t.Errorf("HoldEnd(%v, %v) = %v: not within a slice after expiry", tc.at, tc.ttl, got)
		}
	}
}
