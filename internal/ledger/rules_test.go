package ledger

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/money"
)

func TestDirectionsAndReversals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ      string
		dir      Direction
		reversal string
	}{
		{"disbursement", Credit, "disbursementReversal"},
		{"disbursementReversal", Debit, "disbursement"},
		{"anyDebitOut", Debit, "anyDebitOutReversal"},
		{"anyDebitOutReversal", Credit, "anyDebitOut"},
		{"achOut", Debit, "achOutReversal"},
		{"achOutReversal", Credit, "achOut"},
		{"promo", Credit, "promoReversal"},
		{"promoReversal", Debit, "promo"},
		{"instructionCredit", Credit, ""},
		{"instructionDebit", Debit, ""},
	}
	if len(Types()) != len(tests) {
		t.Fatalf("Types() = %v", Types())
	}
	for _, tt := range tests {
		d, ok := DirectionOf(tt.typ)
		if !ok || d != tt.dir || ReversalOf(tt.typ) != tt.reversal {
			t.Errorf("%s: direction %v ok %v reversal %q", tt.typ, d, ok, ReversalOf(tt.typ))
		}
		if r := tt.reversal; r != "" {
			if rd, _ := DirectionOf(r); rd != -tt.dir {
				t.Errorf("%s reverses %s in the same direction", r, tt.typ)
			}
		}
	}
	if _, ok := DirectionOf("anyDebitOutReversalX"); ok {
		t.Error("unknown type accepted")
	}
}

func TestOverdraftRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		available, delta       int64
		debitToNegative, nb100 bool
		declined               bool
	}{
		{"debit within balance", 1000, -1000, false, false, false},
		{"debit one cent over", 1000, -1001, false, false, true},
		{"credit on empty", 0, 500, false, false, false},
		{"credit below floor still allowed", -20000, 1, false, false, false},
		{"zero delta", 0, 0, false, false, false},
		{"NB100 without debitToNegative", 0, -1, false, true, true},
		{"debitToNegative without NB100", 0, -1, true, false, true},
		{"NB100 to the floor", 0, -10000, true, true, false},
		{"NB100 past the floor", 0, -10001, true, true, true},
		{"NB100 already at floor", -10000, -1, true, true, true},
		{"fee larger than credit", 0, -5, false, false, true},
	}
	for _, tt := range tests {
		got := Overdraft(tt.available, tt.delta, Floor(tt.debitToNegative, tt.nb100))
		if got != tt.declined {
			t.Errorf("%s: declined = %v, want %v", tt.name, got, tt.declined)
		}
	}
}

func TestLegsBalance(t *testing.T) {
	t.Parallel()
	for _, typ := range Types() {
		d, _ := DirectionOf(typ)
		for _, fee := range []int64{0, 7} {
			legs := Legs("P", "acct", d, 1234, fee)
			var sum, cust int64
			for _, l := range legs {
				sum += l.Amount
				if l.Account == "acct" {
					cust += l.Amount
				}
			}
			if sum != 0 || cust != Delta(d, 1234, fee) {
				t.Errorf("%s fee %d: sum %d customer %d", typ, fee, sum, cust)
			}
		}
	}
}

func TestTally(t *testing.T) {
	t.Parallel()
	adjs := []Adjustment{
		{Request: Request{Type: "promo", Amount: 1000, Fee: 50}, Status: StatusCompleted},
		{Request: Request{Type: "achOut", Amount: 300}, Status: StatusCompleted},
		{Request: Request{Type: "achOut", Amount: 99999}, Status: StatusDeclined},
	}
	accts := []AccountDay{{"a", 100, 750}, {FundingAccount("P"), -100, -800}, {FeeAccount("P"), 0, 50}}
	tot := Tally("P", adjs, accts)
	if tot.Credits != money.SumOf(1000) || tot.Debits != money.SumOf(300) || tot.Fees != money.SumOf(50) ||
		tot.Net != money.SumOf(650) || tot.Declined != 1 || !tot.TiesOut {
		t.Fatalf("tally = %+v", tot)
	}
	accts[0].Closing = 751
	if Tally("P", adjs, accts).TiesOut {
		t.Fatal("a mismatch ties out")
	}
}

func TestParseRequest(t *testing.T) {
	t.Parallel()
	good := `{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":"5","currency":"USD","adjustmentType":"instructionCredit","fee":""}`
	tests := []struct {
		body  string
		field string // "" means valid
		amt   int64
	}{
		{good, "", 500},
		{`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":10.00,"fee":5.00,"currency":"USD","adjustmentType":"promo"}`, "", 1000},
		{`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":"9.4000","currency":"USD","adjustmentType":"promo"}`, "amount", 0},
		{`{"amount":"5","currency":"USD","adjustmentType":"promo"}`, "adjustmentIdentifier", 0},
		{`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":"12.345","currency":"USD","adjustmentType":"promo"}`, "amount", 0},
		{`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":1e400,"currency":"USD","adjustmentType":"promo"}`, "amount", 0},
		{`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":"5","currency":"EUR","adjustmentType":"promo"}`, "currency", 0},
		{`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":"5","currency":"USD","adjustmentType":"x"}`, "adjustmentType", 0},
	}
	for _, tt := range tests {
		var in Input
		if err := json.Unmarshal([]byte(tt.body), &in); err != nil {
			t.Fatal(err)
		}
		r, err := ParseRequest(in, "P", "acct", "USD")
		if tt.field == "" {
			if err != nil || r.Amount != tt.amt {
				t.Errorf("%s: %v amount %d", tt.body, err, r.Amount)
			}
			continue
		}
		if e := apperr.As(err); err == nil || e.Field != tt.field || e.Kind != apperr.Invalid {
			t.Errorf("%s: err %v, want field %s", tt.body, err, tt.field)
		}
	}
}

// FuzzParseRequest: any body either parses into a sane request or is a
// validation error naming a field; it never panics.
func FuzzParseRequest(f *testing.F) {
	f.Add(`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":"5","currency":"USD","adjustmentType":"promo","fee":""}`)
	f.Add(`{"adjustmentIdentifier":"a166254f-d7a6-491b-9bcc-f142c973eb42","amount":10.00,"fee":5.00,"currency":"USD","adjustmentType":"achOut"}`)
	f.Add(`{"amount":"-0.00","fee":"00.10"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in Input
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		r, err := ParseRequest(in, "P", "acct", "USD")
		if err != nil {
			if e := apperr.As(err); e.Kind != apperr.Invalid || e.Field == "" {
				t.Fatalf("non-validation error %v", err)
			}
			return
		}
		if r.Amount <= 0 || r.Fee < 0 || r.Currency != "USD" {
			t.Fatalf("accepted %+v", r)
		}
		if _, ok := DirectionOf(r.Type); !ok {
			t.Fatalf("accepted type %q", r.Type)
		}
	})
}

func TestEnabledInSandbox(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ                 string
		configured, sandbox bool
		want                bool
	}{
		{"promo", true, false, true},
		{"promo", false, false, false},
		{"promo", false, true, false},
		{"instructionCredit", false, false, false},
		{"instructionDebit", false, false, false},
		{"instructionCredit", false, true, true},
		{"instructionDebit", false, true, true},
		{"instructionCredit", true, false, true},
		{"achOut", false, true, false},
	}
	for _, tt := range tests {
		if got := Enabled(tt.typ, tt.configured, tt.sandbox); got != tt.want {
			t.Errorf("Enabled(%s, configured %v, sandbox %v) = %v", tt.typ, tt.configured, tt.sandbox, got)
		}
	}
}

func TestOutcomeCodes(t *testing.T) {
	t.Parallel()
	done := Adjustment{Status: StatusCompleted, Reason: ReasonSuccess}
	if c, s, d := Outcome(done); c != 0 || s != 0 || d != "Success" {
		t.Errorf("completed: %d/%d %q", c, s, d)
	}
	declined := Adjustment{Status: StatusDeclined, Reason: ReasonInsufficientFunds}
	if c, s, d := Outcome(declined); c != 4 || s != 10 || d != "Insufficient funds." {
		t.Errorf("declined: %d/%d %q", c, s, d)
	}
}

func TestAboveCeiling(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		posted, delta int64
		want          bool
	}{
		{0, 100, false}, {MaxBalance - 100, 100, false}, {MaxBalance - 100, 101, true},
		{MaxBalance, -5, false}, {-10000, MaxBalance, false}, {1, MaxBalance, true},
	} {
		if got := AboveCeiling(tt.posted, tt.delta); got != tt.want {
			t.Errorf("AboveCeiling(%d, %d) = %v", tt.posted, tt.delta, got)
		}
	}
}

func TestCSVText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Acme Cashback": "Acme Cashback", "=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1": "'+1", "-5": "'-5", "@sum": "'@sum", "": ""} {
		if got := csvText(in); got != want {
			t.Errorf("csvText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCreditFeeBelowAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ, amount, fee string
		ok               bool
	}{
		{"promo", "5.00", "4.99", true},
		{"promo", "5.00", "5.00", false},
		{"instructionCredit", "5.00", "6.00", false},
		{"achOutReversal", "0.01", "0.01", false},
		{"achOut", "5.00", "5.00", true}, // a debit's fee comes from the balance: the overdraft rule decides
		{"promoReversal", "1.00", "9.00", true},
	}
	for _, tt := range tests {
		in := Input{AdjustmentIdentifier: ptr("a166254f-d7a6-491b-9bcc-f142c973eb42"), Currency: ptr("USD"),
			AdjustmentType: ptr(tt.typ), Amount: money.Amount{Raw: tt.amount, Present: true}, Fee: money.Amount{Raw: tt.fee, Present: true}}
		_, err := ParseRequest(in, "P", "acct", "USD")
		if tt.ok != (err == nil) {
			t.Errorf("%s %s fee %s: %v", tt.typ, tt.amount, tt.fee, err)
		}
		if e := apperr.As(err); err != nil && (e.Field != "fee" || e.Code != CodeInvalid) {
			t.Errorf("%s: error %+v, want 640 naming fee", tt.typ, e)
		}
	}
}

// The platform's retail postings have directions but are no adjustment
// types, and a void's negative fee negates the load's entries exactly.
func TestRetailPostings(t *testing.T) {
	t.Parallel()
	if d, ok := DirectionOf(TypeRetailLoad); !ok || d != Credit || ReversalOf(TypeRetailLoad) != TypeRetailLoadVoid {
		t.Fatalf("retailLoad: %v %v", d, ok)
	}
	if d, ok := DirectionOf(TypeRetailLoadVoid); !ok || d != Debit {
		t.Fatalf("retailLoadVoid: %v %v", d, ok)
	}
	for _, typ := range []string{TypeRetailLoad, TypeRetailLoadVoid} {
		if IsAdjustmentType(typ) {
			t.Errorf("%s is a partner's adjustment type", typ)
		}
		for _, listed := range Types() {
			if listed == typ {
				t.Errorf("Types() lists %s", typ)
			}
		}
		typ := typ
		if _, err := ParseRequest(Input{AdjustmentIdentifier: ptr("6287287e-b79f-4458-8830-cc5edd9d7378"),
			AdjustmentType: &typ, Amount: amount("1.00"), Currency: ptr("USD")}, "P", "a", "USD"); err == nil {
			t.Errorf("a partner may send %s", typ)
		}
	}
	load := Legs("P", "acct", Credit, 2000, 595)
	void := Legs("P", "acct", Debit, 2000, -595)
	sum := map[string]int64{}
	for _, e := range append(load, void...) {
		sum[e.Account] += e.Amount
	}
	for acct, v := range sum {
		if v != 0 {
			t.Errorf("%s: %d after a load and its void", acct, v)
		}
	}
	if Delta(Credit, 2000, 595) != 1405 || Delta(Debit, 2000, -595) != -1405 {
		t.Fatal("deltas")
	}
}

func ptr(s string) *string { return &s }

func TestBounds(t *testing.T) {
	t.Parallel()
	const m = MaxProgramBalance
	tests := []struct {
		name           string
		balance, delta int64
		beyond         bool
	}{
		{"inside", 0, 100, false},
		{"up to the bound", m - 100, 100, false},
		{"past the bound", m - 100, 101, true},
		{"down to the bound", -m + 100, -100, false},
		{"past the lower bound", -m + 100, -101, true},
		{"back towards zero from beyond", m + 5, -1, false},
		{"further beyond", -m - 5, -1, true},
		{"would overflow int64", math.MaxInt64 - 1, 2, true},
	}
	for _, tt := range tests {
		if got := BeyondProgramBound(tt.balance, tt.delta); got != tt.beyond {
			t.Errorf("%s: BeyondProgramBound(%d, %d) = %v", tt.name, tt.balance, tt.delta, got)
		}
	}
	if !AboveCeiling(math.MaxInt64-1, 2) || AboveCeiling(MaxBalance-1, 1) || !AboveCeiling(MaxBalance, 1) {
		t.Error("AboveCeiling")
	}
}

// TestTallyBeyondInt64: a day's totals add beyond int64 without wrapping
// (credits and debits of the largest amount that cancel out).
func TestTallyBeyondInt64(t *testing.T) {
	t.Parallel()
	var adjs []Adjustment
	for i := 0; i < 200_000; i++ {
		typ := []string{"promo", "promoReversal"}[i%2]
		adjs = append(adjs, Adjustment{Request: Request{Type: typ, Amount: money.MaxMinor}, Status: StatusCompleted})
	}
	adjs = append(adjs, Adjustment{Request: Request{Type: "promo", Amount: 500, Fee: 20}, Status: StatusCompleted})
	tot := Tally("P", adjs, []AccountDay{{"a", 0, 480}, {FundingAccount("P"), 0, -500}, {FeeAccount("P"), 0, 20}})
	if tot.Credits.Format() != "100000000000000005.00" || tot.Debits.Format() != "100000000000000000.00" ||
		tot.Net != money.SumOf(480) || !tot.TiesOut {
		t.Fatalf("tally = credits %s debits %s net %s ties out %v", tot.Credits.Format(), tot.Debits.Format(), tot.Net, tot.TiesOut)
	}
}

func amount(raw string) money.Amount {
	var a money.Amount
	a.UnmarshalJSON([]byte(raw))
	return a
}

func TestNB100Usable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		st   PostingState
		want bool
	}{
		{PostingState{NB100: true}, true},
		{PostingState{NB100: true, TermsEnforced: []string{"other"}}, true},
		{PostingState{NB100: true, TermsEnforced: []string{"NEGBAL"}}, false}, // enforced, any spelling
		{PostingState{NB100: true, TermsEnforced: []string{"negBal"}, NB100TermsAccepted: true}, true},
		{PostingState{TermsEnforced: []string{"negBal"}, NB100TermsAccepted: true}, false},
	} {
		if got := tc.st.NB100Usable(); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.st, got, tc.want)
		}
	}
}
