package retail

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/money"
)

// The kinds of a Load.
const (
	KindLoad = "load" // a committed cash load (POST /card/load)
	KindVoid = "void" // the void of one (POST /card/load/void)
)

// The statuses of a Load.
const (
	StatusPosted   = "posted"   // posted to the ledger
	StatusVoided   = "voided"   // a load whose void posted
	StatusRejected = "rejected" // answered with a failure; nothing posted
)

// LoadRequest is a cash load or a void as the retailer sent it: verdant's
// extension to the retail family (the publisher's consumption API is not
// public), in the same envelope and with the same metadata block as
// POST /card/details.
type LoadRequest struct {
	Kind      string
	RequestID string // X-GD-RequestId
	// Ref is the responseId the call refers to: the approved
	// validation's for a load, the load's for a void.
	Ref               string
	TransactionAmount money.Amount
	Metadata          Metadata
	// ParseError is set when the body could not be read as JSON of the
	// call's shape; the request is answered 100 with it.
	ParseError string
}

// refField names Ref as the call's body does, for the 100 messages.
func (r *LoadRequest) refField() string {
	if r.Kind == KindVoid {
		return "LoadResponseId"
	}
	return "ValidationResponseId"
}

// Check answers the first InvalidParameter (100) message for the request,
// or "": the checks of POST /card/details for what the calls share, then
// the reference and the amount.
func (r *LoadRequest) Check() string {
	if msg := checkHead(r.RequestID, r.ParseError, r.Metadata); msg != "" {
		return msg
	}
	switch {
	case r.Ref == "":
		return r.refField() + " is required"
	case !guid(r.Ref):
		return r.refField() + " must be a GUID"
	}
	return checkAmount(r.TransactionAmount)
}

// fingerprintText is the canonical text of what the request asks (the
// amount in minor units, so 20 and "20.00" are one request).
func (r *LoadRequest) fingerprintText() string {
	md := r.Metadata
	amount := r.TransactionAmount.Raw
	if v, err := r.TransactionAmount.Minor(); err == nil {
		amount = strconv.FormatInt(v, 10)
	}
	return strings.Join([]string{r.Kind, strings.ToLower(r.Ref), amount, md.StoreID, md.MerchantID, md.UserID,
		md.RequestDateTime, md.RegisterID, r.ParseError}, "\x00")
}

// Load is a cash load or a void as recorded, with its answer. The
// outcome's AvailableBalance is the balance after the posting; its fees
// are the ones the validation answered (for a void, those of its load).
type Load struct {
	Outcome
	Kind            string
	MerchantID      string // "" until the merchant is known to be the caller's (not recorded)
	RequestID       string
	PartnerID       string
	StoreID         string
	UserID          string
	RegisterID      string
	RequestDateTime string
	Ref             string
	AccountID       string
	Amount          int64
	Status          string
	PostingID       string // the ledger posting (transactionIdentifier) of a posted row
	Fingerprint     string
}

// recorded reports whether the load is kept (under its merchant's request id).
func (l Load) recorded() bool { return l.MerchantID != "" }

// fees answers the sum of the load's fees (overflow-safe: each is at most
// money.MaxMinor).
func (l Load) fees() int64 {
	var n int64
	for _, f := range []*int64{l.ReloadFee, l.MerchantFee} {
		if f != nil {
			n += *f
		}
	}
	return n
}

// rejected answers l refused with code and desc; nothing is posted.
func (l Load) rejected(code int, desc string) Load {
	l.Code, l.Description, l.Status = code, desc, StatusRejected
	return l
}

// LoadState is what a load is decided on, read under the lock of the
// validation's account.
type LoadState struct {
	Validation *Validation // nil: no validation with that responseId
	Target     *Target     // the validation's account, as Target answers it; nil when none
	Used       int64       // what the account's daily load limit counts, this validation's hold excluded
	Committed  bool        // a load already committed the validation
}

// VoidState is what a void is decided on, read under the lock of the
// load's account.
type VoidState struct {
	Load   *Load   // nil: no load with that responseId
	Target *Target // the load's account; nil when none
	Voided bool    // a void of the load already posted
}

// Messages of the 100 answers to a load or a void that names something it
// may not use. An unknown reference and another retailer's are answered
// alike, so neither reveals the other.
const (
	DescNoValidation    = "ValidationResponseId does not name a validation of this merchant"
	DescNotApproved     = "The validation was not approved"
	DescExpired         = "The validation has expired; validate again"
	DescAmountMismatch  = "TransactionAmount does not match the validation"
	DescCommitted       = "The validation has already been committed"
	DescNoLoad          = "LoadResponseId does not name a load of this merchant"
	DescVoided          = "The load has already been voided"
	DescVoidDay         = "A load can only be voided on the day it was made (UTC)"
	DescVoidAmount      = "TransactionAmount does not match the load"
	DescPostingDeclined = "Unable to process request: the ledger declined the posting (insufficient funds)."
)

func (s *Service) newLoad(partnerID string, req *LoadRequest) Load {
	md := req.Metadata
	l := Load{
		Outcome: Outcome{ResponseID: uuid.NewString(), At: s.Now().UTC().Truncate(time.Microsecond)}, // as stored
		Kind:    req.Kind, PartnerID: partnerID, StoreID: clip(md.StoreID, maxStoreID), UserID: clip(md.UserID, maxUserID),
		RegisterID: clip(md.RegisterID, maxRegisterID), RequestDateTime: clip(md.RequestDateTime, 30),
		Fingerprint: s.Indexer.Index("retail-load", req.fingerprintText()),
	}
	if u, err := uuid.Parse(req.Ref); err == nil {
		l.Ref = u.String()
	}
	if checkAmount(req.TransactionAmount) == "" {
		l.Amount, _ = req.TransactionAmount.Minor()
	}
	return l
}
