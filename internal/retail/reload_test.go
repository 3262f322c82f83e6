package retail

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/verdant-baas/verdant/internal/money"
)

func sample() Request {
	var amt money.Amount
	amt.UnmarshalJSON([]byte("20.00"))
	return Request{RequestID: "test101", AccountNumber: "5344560000816246", PaymentProgramType: Regular,
		TransactionAmount: amt, Metadata: Metadata{StoreID: "CC970", MerchantID: "FSCC0342", UserID: "user@example.com",
			RequestDateTime: "2023-09-28T00:56:25Z", RegisterID: "01"}}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	amount := func(raw string) money.Amount {
		var a money.Amount
		a.UnmarshalJSON([]byte(raw))
		return a
	}
	for _, tc := range []struct {
		want   string
		mutate func(r *Request)
	}{
		{"", func(r *Request) {}},
		{"", func(r *Request) { r.PaymentProgramType = CheckCashing; r.Metadata.RegisterID = "" }},
		{"", func(r *Request) { r.AccountNumber, r.AccountIdentifier = "", "6287287e-b79f-4458-8830-cc5edd9d7378" }},
		{"RequestId is required", func(r *Request) { r.RequestID = "" }},
		{"RequestId is too long", func(r *Request) { r.RequestID = strings.Repeat("r", 51) }},
		{"", func(r *Request) { r.RequestID = strings.Repeat("r", 50) }},
		{"bad body", func(r *Request) { r.ParseError = "bad body" }},
		{"RequestId must be printable ASCII", func(r *Request) { r.RequestID = "r\xff" }},
		{"Metadata fields must not contain control characters", func(r *Request) { r.Metadata.StoreID = "CC\x00970" }},
		{"Metadata fields must not contain control characters", func(r *Request) { r.Metadata.UserID = "u\n" }},
		{"RequestDateTime is required", func(r *Request) { r.Metadata.RequestDateTime = "" }},
		{"RequestDateTime must be in the format YYYY-MM-DDTHH:mm:ssZ", func(r *Request) { r.Metadata.RequestDateTime = "2023-09-28T00:56:25.123Z" }},
		{"RequestDateTime must be in the format YYYY-MM-DDTHH:mm:ssZ", func(r *Request) { r.Metadata.RequestDateTime = "2023-09-28T00:56:25+01:00" }},
		{"The field RegisterId must be a string or array type with a maximum length of '20'.", func(r *Request) { r.Metadata.RegisterID = strings.Repeat("1", 21) }},
		{"UserId is required", func(r *Request) { r.Metadata.UserID = "" }},
		{"UserId is too long", func(r *Request) { r.Metadata.UserID = strings.Repeat("u", 51) }},
		{"StoreId is required", func(r *Request) { r.Metadata.StoreID = "" }},
		{"StoreId is too long", func(r *Request) { r.Metadata.StoreID = strings.Repeat("s", 21) }},
		{"MerchantId is required", func(r *Request) { r.Metadata.MerchantID = "" }},
		{"MerchantId is too long", func(r *Request) { r.Metadata.MerchantID = strings.Repeat("m", 21) }},
		{"Either AccountNumber or AccountIdentifier is required", func(r *Request) { r.AccountNumber = "" }},
		{"Invalid length of AccountNumber", func(r *Request) { r.AccountNumber = "53445600008162461" }},
		{"AccountNumber must be 16 digits", func(r *Request) { r.AccountNumber = "5344-60000816246" }},
		{"AccountIdentifier must be a GUID", func(r *Request) { r.AccountIdentifier = "6287287e" }},
		{"TransactionAmount should be greater than zero", func(r *Request) { r.TransactionAmount = amount("0.00") }},
		{"TransactionAmount should be greater than zero", func(r *Request) { r.TransactionAmount = amount("null") }},
		{"TransactionAmount should be greater than zero", func(r *Request) { r.TransactionAmount = money.Amount{} }},
		{"TransactionAmount must have at most 2 decimal places", func(r *Request) { r.TransactionAmount = amount("1.005") }},
		{"TransactionAmount must be a decimal number", func(r *Request) { r.TransactionAmount = amount(`"1e3"`) }},
		{"TransactionAmount is too large", func(r *Request) { r.TransactionAmount = amount("99999999999999999") }},
		{"PaymentProgramType is required", func(r *Request) { r.PaymentProgramType = "" }},
		{"PaymentProgramType must be Regular or CheckCashing", func(r *Request) { r.PaymentProgramType = "regular" }},
	} {
		r := sample()
		tc.mutate(&r)
		if got := r.Check(); got != tc.want {
			t.Errorf("Check() = %q, want %q (request %+v)", got, tc.want, r)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	st := Settings{MinLoadAmount: 2000, MaxLoadAmount: 50000, DailyLoadLimit: 100000}
	for _, tc := range []struct {
		amount, used int64
		code         int
		desc         string
		lo, hi       int64
	}{
		{2000, 0, CodeSuccess, DescSuccess, 0, 0},
		{50000, 50000, CodeSuccess, DescSuccess, 0, 0},
		{1999, 0, CodeLoadLimit, DescLoadLimit, 2000, 50000},
		{50001, 0, CodeLoadLimit, DescLoadLimit, 2000, 50000},
		{50001, 90000, CodeLoadLimit, DescLoadLimit, 2000, 10000},
		{10001, 90000, CodeLoadLimit, DescDailyLimit, 2000, 10000},
		{2000, 100000, CodeLoadLimit, DescDailyLimit, 2000, 0},
		{2000, 150000, CodeLoadLimit, DescDailyLimit, 2000, 0},
	} {
		o := limits(Outcome{Code: CodeSuccess, Description: DescSuccess}, st, tc.amount, tc.used)
		if o.Code != tc.code || o.Description != tc.desc {
			t.Errorf("amount %d used %d: %d %q, want %d %q", tc.amount, tc.used, o.Code, o.Description, tc.code, tc.desc)
			continue
		}
		if tc.code == CodeSuccess {
			if o.MinAllowed != nil || o.MaxAllowed != nil {
				t.Errorf("amount %d: allowed range set on success", tc.amount)
			}
		} else if *o.MinAllowed != tc.lo || *o.MaxAllowed != tc.hi {
			t.Errorf("amount %d used %d: range %d..%d, want %d..%d", tc.amount, tc.used, *o.MinAllowed, *o.MaxAllowed, tc.lo, tc.hi)
		}
	}
}

func TestCheckSettings(t *testing.T) {
	t.Parallel()
	ok := Settings{MinLoadAmount: 1, MaxLoadAmount: 2, DailyLoadLimit: 2}
	if err := CheckSettings(&ok); err != nil || ok.CardType != CardNormal {
		t.Fatalf("%v %q", err, ok.CardType)
	}
	for _, s := range []Settings{
		{MinLoadAmount: 0, MaxLoadAmount: 2, DailyLoadLimit: 2},
		{MinLoadAmount: 3, MaxLoadAmount: 2, DailyLoadLimit: 5},
		{MinLoadAmount: 1, MaxLoadAmount: 5, DailyLoadLimit: 4},
		{MinLoadAmount: 1, MaxLoadAmount: 2, DailyLoadLimit: 2, CardType: "NormalCard"},
	} {
		if err := CheckSettings(&s); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}

// FuzzCardDetailsRequest feeds arbitrary JSON through the request's
// decoding and checks: nothing panics, a request that passes Check has a
// positive amount exact to the cent and fields within the page's limits.
func FuzzCardDetailsRequest(f *testing.F) {
	f.Add([]byte(`{"accountNumber":"5344560000816246","paymentProgramType":"Regular","transactionAmount":20.00,"metadata":{"storeId":"CC970","merchantId":"FSCC0342","userId":"u","requestDateTime":"2023-09-28T00:56:25Z","registerId":"01"}}`))
	f.Add([]byte(`{"accountIdentifier":"6287287e-b79f-4458-8830-cc5edd9d7378","paymentProgramType":"CheckCashing","transactionAmount":"1e2","metadata":{}}`))
	f.Add([]byte(`{"transactionAmount":"-0.001"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var in struct {
			AccountNumber      string       `json:"accountNumber"`
			AccountIdentifier  string       `json:"accountIdentifier"`
			PaymentProgramType string       `json:"paymentProgramType"`
			TransactionAmount  money.Amount `json:"transactionAmount"`
			Metadata           Metadata     `json:"metadata"`
		}
		r := Request{RequestID: "fuzz"}
		if err := json.Unmarshal(body, &in); err != nil {
			r.ParseError = "malformed"
		}
		r.AccountNumber, r.AccountIdentifier, r.PaymentProgramType = in.AccountNumber, in.AccountIdentifier, in.PaymentProgramType
		r.TransactionAmount, r.Metadata = in.TransactionAmount, in.Metadata
		if r.Check() != "" {
			return
		}
		if r.Amount() <= 0 || r.Amount() > money.MaxMinor {
			t.Fatalf("accepted amount %d from %q", r.Amount(), r.TransactionAmount.Raw)
		}
		if r.AccountNumber != "" && (len(r.AccountNumber) != 16 || !digits(r.AccountNumber)) {
			t.Fatalf("accepted accountNumber %q", r.AccountNumber)
		}
		md := r.Metadata
		if len(md.StoreID) > 20 || len(md.MerchantID) > 20 || len(md.UserID) > 50 || len(md.RegisterID) > 20 ||
			!utf8.ValidString(md.RequestDateTime) || len(md.RequestDateTime) != 20 ||
			!clean(md.StoreID) || !clean(md.MerchantID) || !clean(md.UserID) || !clean(md.RegisterID) {
			t.Fatalf("accepted metadata %+v", md)
		}
	})
}
