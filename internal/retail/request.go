package retail

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/money"
)

// Request is a POST /card/details call.
type Request struct {
	RequestID          string // X-GD-RequestId
	AccountNumber      string
	AccountIdentifier  string
	PaymentProgramType string
	TransactionAmount  money.Amount
	Metadata           Metadata
	// ParseError is set when the body could not be read as the contract's
	// JSON; the request is answered 100 with it, and still audited.
	ParseError string
}

// Metadata is the request's metadata block.
type Metadata struct {
	StoreID         string
	MerchantID      string
	UserID          string
	RequestDateTime string
	RegisterID      string
}

// The payment program types.
const (
	Regular      = "Regular"
	CheckCashing = "CheckCashing"
)

// RequestDateTimeLayout is the only requestDateTime format the page allows.
const RequestDateTimeLayout = "2006-01-02T15:04:05Z"

// Length limits of the page's parameter table.
const (
	maxRequestID  = 50
	maxRegisterID = 20
	maxUserID     = 50
	maxStoreID    = 20
	maxMerchantID = 20
)

// Check answers the first InvalidParameter (100) message for the request,
// or "" when it passes basic validation. The messages are the page's,
// word for word, where the page has one.
func (r *Request) Check() string {
	if msg := checkHead(r.RequestID, r.ParseError, r.Metadata); msg != "" {
		return msg
	}
	switch {
	case r.AccountNumber == "" && r.AccountIdentifier == "":
		return "Either AccountNumber or AccountIdentifier is required"
	case r.AccountNumber != "" && len(r.AccountNumber) != 16:
		return "Invalid length of AccountNumber"
	case r.AccountNumber != "" && !digits(r.AccountNumber):
		return "AccountNumber must be 16 digits"
	case r.AccountIdentifier != "" && !guid(r.AccountIdentifier):
		return "AccountIdentifier must be a GUID"
	}
	if msg := checkAmount(r.TransactionAmount); msg != "" {
		return msg
	}
	switch r.PaymentProgramType {
	case "":
		return "PaymentProgramType is required"
	case Regular, CheckCashing:
		return ""
	}
	return "PaymentProgramType must be Regular or CheckCashing"
}

// checkHead checks what every retail call carries, in the page's order:
// the request id, a readable body, then the metadata block.
func checkHead(requestID, parseError string, md Metadata) string {
	switch {
	case requestID == "":
		return "RequestId is required"
	case len(requestID) > maxRequestID:
		return "RequestId is too long"
	case !visible(requestID):
		return "RequestId must be printable ASCII"
	case parseError != "":
		return parseError
	case md.RequestDateTime == "":
		return "RequestDateTime is required"
	case !validDateTime(md.RequestDateTime):
		return "RequestDateTime must be in the format YYYY-MM-DDTHH:mm:ssZ"
	case len(md.RegisterID) > maxRegisterID:
		return "The field RegisterId must be a string or array type with a maximum length of '20'."
	case md.UserID == "":
		return "UserId is required"
	case len(md.UserID) > maxUserID:
		return "UserId is too long"
	case md.StoreID == "":
		return "StoreId is required"
	case len(md.StoreID) > maxStoreID:
		return "StoreId is too long"
	case md.MerchantID == "":
		return "MerchantId is required"
	case len(md.MerchantID) > maxMerchantID:
		return "MerchantId is too long"
	case !clean(md.RegisterID) || !clean(md.UserID) || !clean(md.StoreID) || !clean(md.MerchantID):
		return "Metadata fields must not contain control characters"
	}
	return ""
}

// checkAmount checks a transactionAmount: present, positive, exact to the
// cent and within range.
func checkAmount(a money.Amount) string {
	if !a.Present || a.Null {
		return "TransactionAmount should be greater than zero"
	}
	v, err := a.Minor()
	switch {
	case err == money.ErrPrecision:
		return "TransactionAmount must have at most 2 decimal places"
	case err == money.ErrRange:
		return "TransactionAmount is too large"
	case err != nil:
		return "TransactionAmount must be a decimal number"
	case v <= 0:
		return "TransactionAmount should be greater than zero"
	}
	return ""
}

// Amount answers the checked transaction amount in minor units.
func (r *Request) Amount() int64 {
	v, _ := r.TransactionAmount.Minor()
	return v
}

// auditable reports whether the request carries a merchant id and a
// request id that can key its audit row.
func (r *Request) auditable() bool {
	return r.RequestID != "" && len(r.RequestID) <= maxRequestID && visible(r.RequestID) &&
		r.Metadata.MerchantID != "" && len(r.Metadata.MerchantID) <= maxMerchantID && clean(r.Metadata.MerchantID)
}

// fingerprintText is the canonical text of what the request asks, so a
// replay can be told from another request under the same id.
func (r *Request) fingerprintText() string {
	md := r.Metadata
	return strings.Join([]string{r.AccountNumber, strings.ToLower(r.AccountIdentifier), r.PaymentProgramType,
		r.TransactionAmount.Raw, md.StoreID, md.MerchantID, md.UserID, md.RequestDateTime, md.RegisterID,
		r.ParseError}, "\x00")
}

func validDateTime(s string) bool {
	_, err := time.Parse(RequestDateTimeLayout, s)
	return err == nil && len(s) == len(RequestDateTimeLayout)
}

// visible reports whether s is printable ASCII (a header value).
func visible(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// clean reports whether s is valid UTF-8 without control characters, so
// it can be stored and compared on both engines (PostgreSQL rejects NUL).
func clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func guid(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}
