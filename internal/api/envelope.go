package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// family is one of the API families of the contract; each has its own
// response envelope (the contract's four families).
type family int

const (
	familyBaaS    family = iota // /programs/...: responseDetails array
	familyProfile               // /customers/{id}: lowercase responsecode...
	familyLookup                // /customers/accounts/search: {errorCode, errorMessage}
	familyRetail                // /card/details: metadata + X-GD-* headers
	familyAdmin                 // /admin/v1: RFC 9457 problem+json
	familyOAuth                 // /authentication: RFC 6749 error object
)

// familyOf picks the envelope for a path, so errors raised before routing
// (body limit, unknown route, auth) are answered in the right shape.
func familyOf(path string) family {
	switch {
	case strings.HasPrefix(path, "/programs/"):
		return familyBaaS
	case path == "/customers/accounts/search":
		return familyLookup
	case path == "/customers" || strings.HasPrefix(path, "/customers/"):
		return familyProfile
	case strings.HasPrefix(path, "/card/"):
		return familyRetail
	case path == "/authentication":
		return familyOAuth
	}
	return familyAdmin
}

// DocsURL is the url every BaaS responseDetail carries, as the
// publisher's samples do.
const DocsURL = "http://tbd"

// ResponseDetail is one entry of the BaaS family's responseDetails.
type ResponseDetail struct {
	Code        int    `json:"code"`
	SubCode     int    `json:"subCode"`
	Description string `json:"description"`
	URL         string `json:"url"`
}

// Success is the responseDetails of a successful BaaS call.
func Success() []ResponseDetail {
	return []ResponseDetail{{Code: 0, SubCode: 0, Description: "Success", URL: DocsURL}}
}

// Detail is a one-entry responseDetails for a BaaS business answer.
func Detail(code, subCode int, description string) []ResponseDetail {
	return []ResponseDetail{{Code: code, SubCode: subCode, Description: description, URL: DocsURL}}
}

// ResponseDate formats a time as the contract's UTC date-time with seven
// fractional digits (2023-09-28T08:57:16.9632687Z).
func ResponseDate(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// answer ends a handler whose last call returned (v, err): it returns err,
// or writes view(v) as JSON with status.
func answer[T, J any](w http.ResponseWriter, status int, view func(T) J, v T, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, view(v))
	return nil
}

// renderError writes err in the envelope of family f. This is the one
// place an internal error becomes a response.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, f family, err error) {
	e := apperr.Answer(err) // a database that refuses or times out: 503 with Retry-After
	status := httpStatus(e.Kind)
	info := infoFrom(r.Context())
	if info != nil {
		info.err = e
	}
	if e.Kind == apperr.Internal {
		e = &apperr.Error{Kind: apperr.Internal, Message: "internal error"} // never leak a cause
	}
	if e.Kind == apperr.Unauthorized && f != familyOAuth {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
	}
	switch f {
	case familyBaaS:
		writeJSON(w, status, map[string]any{"responseDetails": Detail(codeOr(e.Code, status), e.SubCode, message(e))})
	case familyProfile:
		writeJSON(w, status, profileError(e, status, s.now()))
	case familyLookup:
		writeJSON(w, status, map[string]string{"errorCode": lookupCode(e), "errorMessage": message(e)})
	case familyRetail:
		if e.Kind == apperr.Internal {
			e.Message = "Service failure." // the page's GeneralFailure (1000) description
		}
		s.writeRetail(w, r, status, RetailFailure(codeOr(e.Code, retailDefault(e.Kind)), message(e)))
	case familyOAuth:
		writeJSON(w, status, map[string]string{"error": oauthCode(e), "error_description": message(e)})
	default:
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(problem(e, status, r))
	}
}

// retryAfter renders a wait as Retry-After's whole seconds, rounded up.
func retryAfter(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

func codeOr(code, def int) int {
	if code != 0 {
		return code
	}
	return def
}

func message(e *apperr.Error) string {
	if e.Message != "" {
		return e.Message
	}
	return http.StatusText(httpStatus(e.Kind))
}

func profileError(e *apperr.Error, status int, now time.Time) map[string]any {
	return map[string]any{
		"responsecode":    codeOr(e.Code, status),
		"responsemessage": http.StatusText(status),
		"responsedate":    ResponseDate(now),
		"responsedetail": map[string]any{
			"responsedetailcode":        codeOr(e.SubCode, status),
			"responsedetaildescription": message(e),
		},
	}
}

// lookupCode answers the customer-lookup family's errorCode.
func lookupCode(e *apperr.Error) string {
	if e.Reason != "" && strings.ToUpper(e.Reason) == e.Reason {
		return e.Reason
	}
	switch e.Kind {
	case apperr.Unauthorized:
		return "AUTHORIZATION_FAILED"
	case apperr.NotFound:
		return "ACCOUNT_NOT_FOUND"
	case apperr.Unavailable:
		return "GATEWAY_TIMEOUT"
	case apperr.Internal:
		return "GENERAL_FAILURE"
	}
	return "INVALID_REQUEST"
}

func oauthCode(e *apperr.Error) string {
	if e.Reason != "" {
		return e.Reason
	}
	switch e.Kind {
	case apperr.Unauthorized:
		return "invalid_client"
	case apperr.Internal:
		return "server_error"
	case apperr.Unavailable, apperr.RateLimited:
		return "temporarily_unavailable" // RFC 6749's code for "try again later"
	}
	return "invalid_request"
}

// retailDefault is the retail responseCode for an error without one:
// 100 InvalidParameter for bad input, 1000 GeneralFailure otherwise.
func retailDefault(k apperr.Kind) int {
	switch k {
	case apperr.Invalid, apperr.TooLarge, apperr.UnsupportedMedia, apperr.HeadersTooLarge:
		return 100
	case apperr.Unauthorized:
		return 401
	}
	return 1000
}

// ProblemTypeBase prefixes the stable problem type of every operator error.
const ProblemTypeBase = "https://verdant.dev/problems/"

func problem(e *apperr.Error, status int, r *http.Request) map[string]any {
	slug := e.Kind.String()
	if e.Reason != "" {
		slug = strings.ToLower(strings.ReplaceAll(e.Reason, "_", "-"))
	}
	p := map[string]any{
		"type": ProblemTypeBase + slug, "title": http.StatusText(status),
		"status": status, "detail": message(e),
	}
	if e.Field != "" {
		p["field"] = e.Field
	}
	if info := infoFrom(r.Context()); info != nil {
		p["requestId"] = info.requestID
	}
	return p
}

// RetailMetadata is the retail family's metadata block.
type RetailMetadata struct {
	RequestID           string `json:"requestId"`
	ResponseID          string `json:"responseId"`
	ResponseDateTime    string `json:"responseDateTime"`
	ResponseCode        int    `json:"responseCode"`
	ResponseDescription string `json:"responseDescription"`
}

// RetailResponse is the body of POST /card/details. Amount fields are
// strings, and null where the contract says so.
type RetailResponse struct {
	AvailableBalance *string        `json:"availableBalance"`
	ReloadFee        *string        `json:"reloadFee"`
	MerchantFee      *string        `json:"merchantFee"`
	MaxAllowedAmount *string        `json:"maxAllowedAmount"`
	MinAllowedAmount *string        `json:"minAllowedAmount"`
	CardType         *string        `json:"cardType"`
	Metadata         RetailMetadata `json:"metadata"`
}

// RetailFailure is a retail answer carrying only a code and description.
func RetailFailure(code int, description string) RetailResponse {
	return RetailResponse{Metadata: RetailMetadata{ResponseCode: code, ResponseDescription: description}}
}

// writeRetail completes the metadata and the X-GD-* headers and writes a
// retail answer: X-GD-RequestId echoed, X-GD-ResponseId (a fresh UUID
// unless resp already carries the id it was recorded under), and the
// response code in both body and X-GD-ResponseCode.
func (s *Server) writeRetail(w http.ResponseWriter, r *http.Request, status int, resp RetailResponse) {
	s.writeRetailBody(w, r, status, &resp.Metadata, &resp)
}

// writeRetailBody is writeRetail for any retail body; md is the body's
// metadata block, completed before the body is written.
func (s *Server) writeRetailBody(w http.ResponseWriter, r *http.Request, status int, md *RetailMetadata, body any) {
	md.RequestID = r.Header.Get("X-GD-RequestId")
	if md.ResponseID == "" {
		md.ResponseID = uuid.NewString()
	}
	if md.ResponseDateTime == "" {
		md.ResponseDateTime = ResponseDate(s.now())
	}
	h := w.Header()
	setExact(h, "X-GD-ResponseId", md.ResponseID)
	setExact(h, "X-GD-ResponseCode", itoa(md.ResponseCode))
	writeJSON(w, status, body)
}

// setExact sets a header under the exact spelling the contract prints
// (X-GD-RequestId), not Go's canonical X-Gd-Requestid: header names are
// case-insensitive in HTTP, but retail point-of-sale clients are known to
// compare them byte for byte.
func setExact(h http.Header, name, value string) {
	h.Del(name)
	h[name] = []string{value}
}
