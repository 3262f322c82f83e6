package api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/ledger"
	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/program"
)

func (s *Server) ledgerRoutes(mux *router) {
	const acct = "/programs/{programCode}/accounts/{accountIdentifier}"
	mux.Handle("POST "+acct+"/adjustments", s.partner(s.postAdjustment))
	mux.Handle("GET "+acct+"/adjustments/{adjustmentIdentifier}", s.partner(s.getAdjustment))
	mux.Handle("GET "+acct+"/transactions", s.partner(s.listTransactions))
	mux.Handle("GET "+acct+"/balances", s.partner(s.getBalances))
	mux.Handle("GET /admin/v1/programs/{programCode}/reconciliation/{date}", s.admin(s.adminGetReconciliation))
}

// AdjustmentResultJSON answers POST .../adjustments.
type AdjustmentResultJSON struct {
	AdjustmentStatus       string           `json:"adjustmentStatus"`
	AdjustmentStatusReason string           `json:"adjustmentStatusReason"`
	ResponseDetails        []ResponseDetail `json:"responseDetails"`
}

// errTypeNotEnabled is answered for an adjustment type the program is not
// configured for: the page says the request is "rejected", a validation
// failure (400, the ledger's invalid-value code).
func errTypeNotEnabled(t, program string) error {
	return apperr.Field("adjustmentType", "adjustmentType %s is not enabled for program %s", t, program).
		WithCode(ledger.CodeInvalid, 0)
}

// adjustmentDetails is the responseDetails of a recorded adjustment:
// 0/0 when completed, a non-zero code when declined.
func adjustmentDetails(a ledger.Adjustment) []ResponseDetail {
	return Detail(ledger.Outcome(a))
}

// postAdjustment does not read the account before posting: the posting
// transaction locks the account row and answers an unknown account (10/0)
// or one that takes no adjustments (4/105) itself, saving a round trip on
// the hottest path. It checks the request against this node's copy of the
// program (its type enabled, its currency), and the posting goes through
// only if the program is still at that copy's version when the posting's
// transaction reads it. If it moved (on any node), or the copy refused the
// request, the request is checked again on a fresh read: a copy never
// decides an answer alone.
func (s *Server) postAdjustment(w http.ResponseWriter, r *http.Request) error {
	partnerID, code := claimsFrom(r.Context()).PartnerID, r.PathValue("programCode")
	p, err := s.Programs.ForPartnerCached(r.Context(), partnerID, code)
	if err != nil {
		return err
	}
	accountID, err := account.ParseID(r.PathValue("accountIdentifier"))
	if err != nil {
		return account.ErrInvalidID.WithCode(10, 10)
	}
	var in ledger.Input
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	fresh := false // p is a copy
	for attempt := 0; ; attempt++ {
		req, err := s.adjustmentRequest(p, in, accountID)
		refused := err != nil
		var adj ledger.Adjustment
		if !refused {
			adj, err = s.Ledger.Post(r.Context(), req)
		}
		if refused && !fresh || errors.Is(err, ledger.ErrProgramChanged) && attempt < 3 {
			if p, err = s.Programs.ForPartner(r.Context(), partnerID, code); err != nil { // refreshes the copy
				return err
			}
			fresh = true
			continue
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, AdjustmentResultJSON{AdjustmentStatus: adj.Status, AdjustmentStatusReason: adj.Reason,
			ResponseDetails: adjustmentDetails(adj)})
		return nil
	}
}

// adjustmentRequest checks an adjustment against p; the request carries
// p's version, the posting's condition.
func (s *Server) adjustmentRequest(p program.Program, in ledger.Input, accountID string) (ledger.Request, error) {
	req, err := ledger.ParseRequest(in, p.Code, accountID, p.Currency)
	if err != nil {
		return ledger.Request{}, err
	}
	if !ledger.Enabled(req.Type, p.Allows(req.Type), s.Sandbox) {
		return ledger.Request{}, errTypeNotEnabled(req.Type, p.Code)
	}
	req.ProgramVersion = p.Version
	return req, nil
}

// AdjustmentJSON answers GET .../adjustments/{adjustmentIdentifier}
// ("Check Adjustment Status"): amount and fee as strings.
type AdjustmentJSON struct {
	AdjustmentIdentifier   string           `json:"adjustmentIdentifier"`
	AdjustmentType         string           `json:"adjustmentType"`
	AdjustmentStatus       string           `json:"adjustmentStatus"`
	AdjustmentStatusReason string           `json:"adjustmentStatusReason"`
	Currency               string           `json:"currency"`
	AdjustmentDescription  string           `json:"adjustmentDescription"`
	TransactionDate        string           `json:"transactionDate"`
	Amount                 string           `json:"amount"`
	Fee                    string           `json:"fee"`
	DebitToNegative        bool             `json:"debitToNegative"`
	ResponseDetails        []ResponseDetail `json:"responseDetails"`
}

// TransactionDate formats a posting time as the page's sample does
// (UTC, milliseconds).
func TransactionDate(t time.Time) string { return ledger.FormatTime(t) }

func (s *Server) getAdjustment(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	id, err := account.ParseID(r.PathValue("adjustmentIdentifier"))
	if err != nil {
		return apperr.Field("adjustmentIdentifier", "adjustmentIdentifier must be a UUID").WithCode(ledger.CodeInvalid, 0)
	}
	adj, err := s.Ledger.Get(r.Context(), a.ID, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AdjustmentJSON{AdjustmentIdentifier: adj.AdjustmentID, AdjustmentType: adj.Type,
		AdjustmentStatus: adj.Status, AdjustmentStatusReason: adj.Reason, Currency: adj.Currency,
		AdjustmentDescription: adj.Description, TransactionDate: TransactionDate(adj.CreatedAt),
		Amount: money.Format(adj.Amount), Fee: money.Format(adj.Fee), DebitToNegative: adj.DebitToNegative,
		ResponseDetails: adjustmentDetails(adj)})
	return nil
}

// PostedInternalJSON ties a posted transaction to its adjustment.
type PostedInternalJSON = ledger.PostedInternal

// TransactionJSON is one posted transaction (the same item the
// transaction webhook carries: ledger.TransactionOf builds both).
type TransactionJSON = ledger.Transaction

// TransactionsJSON answers GET .../transactions.
type TransactionsJSON struct {
	Transactions    []TransactionJSON `json:"transactions"`
	NextCursor      string            `json:"nextCursor,omitempty"`
	ResponseDetails []ResponseDetail  `json:"responseDetails"`
}

func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	q, err := transactionQuery(r, a.ID)
	if err != nil {
		return err
	}
	txs, err := s.Ledger.Transactions(r.Context(), q)
	if err != nil {
		return err
	}
	out := TransactionsJSON{Transactions: []TransactionJSON{}, ResponseDetails: Success()}
	for _, t := range txs {
		out.Transactions = append(out.Transactions, ledger.TransactionOf(t))
	}
	if len(txs) == q.Limit {
		last := txs[len(txs)-1]
		out.NextCursor = encodeCursor(last.CreatedAt, last.ID)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// transactionQuery parses startDate, endDate (YYYY-MM-DD, inclusive, or
// an RFC 3339 instant), limit (1 to 100, default 50) and cursor.
func transactionQuery(r *http.Request, accountID string) (ledger.TransactionQuery, error) {
	v := r.URL.Query()
	q := ledger.TransactionQuery{AccountID: accountID, Limit: 50}
	var err error
	if q.From, err = queryDate(v.Get("startDate"), "startDate", false); err != nil {
		return q, err
	}
	if q.To, err = queryDate(v.Get("endDate"), "endDate", true); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return q, apperr.Field("endDate", "endDate must not be before startDate").WithCode(ledger.CodeInvalid, 0)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			return q, apperr.Field("limit", "limit must be an integer from 1 to 100").WithCode(ledger.CodeInvalid, 0)
		}
		q.Limit = n
	}
	if c := v.Get("cursor"); c != "" {
		if q.BeforeAt, q.BeforeID, err = decodeCursor(c); err != nil {
			return q, err
		}
	}
	return q, nil
}

// queryDate parses a date filter; a whole day as an end bound includes
// that day.
func queryDate(s, field string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, apperr.Field(field, "%s must be YYYY-MM-DD or an RFC 3339 date-time", field).WithCode(ledger.CodeInvalid, 0)
	}
	if end {
		t = t.Add(time.Microsecond) // inclusive at storage resolution
	}
	return t.UTC(), nil
}

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + ":" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	bad := apperr.Field("cursor", "cursor is invalid").WithCode(ledger.CodeInvalid, 0)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", bad
	}
	us, id, ok := strings.Cut(string(b), ":")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", bad
	}
	return time.UnixMicro(n).UTC(), id, nil
}

// BalancesJSON answers GET .../balances.
type BalancesJSON struct {
	AccountIdentifier string           `json:"accountIdentifier"`
	Currency          string           `json:"currency"`
	AvailableBalance  string           `json:"availableBalance"`
	PostedBalance     string           `json:"postedBalance"`
	ResponseDetails   []ResponseDetail `json:"responseDetails"`
}

func (s *Server) getBalances(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	b, err := s.Ledger.Balance(r.Context(), a.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, BalancesJSON{AccountIdentifier: a.ID, Currency: b.Currency,
		AvailableBalance: money.Format(b.Available), PostedBalance: money.Format(b.Posted), ResponseDetails: Success()})
	return nil
}
