package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/verification"
)

func (s *Server) verificationRoutes(mux *router) {
	mux.Handle("POST /programs/{programCode}/contactVerifications", s.partner(s.createContactVerification))
	mux.Handle("PUT /programs/{programCode}/contactVerifications/{contactVerificationIdentifier}", s.partner(s.checkContactVerification))
	mux.Handle("GET /programs/{programCode}/verification/status/{sessionIdentifier}", s.partner(s.contactVerificationStatus))
	mux.Handle("GET /admin/v1/messages", s.admin(s.adminListMessages))
	mux.Handle("POST /programs/{programCode}/addressVerification", s.partner(s.verifyAddress))
}

// ContactVerificationRequest is the body of POST .../contactVerifications.
type ContactVerificationRequest struct {
	AccountIdentifier     string `json:"accountIdentifier"`
	VerificationEventType string `json:"verificationEventType"`
	ContactType           string `json:"contactType"`
	CommunicationType     string `json:"communicationType"`
	ContactHandle         string `json:"contactHandle"`
	FirstName             string `json:"firstName"`
	LastName              string `json:"lastName"`
	ProductCode           string `json:"productCode"`
	RetailCardIdentifier  string `json:"retailCardIdentifier"`
}

func (s *Server) createContactVerification(w http.ResponseWriter, r *http.Request) error {
	var in ContactVerificationRequest
	if err := decodeJSON(r, &in); err != nil {
		return invalidBody(err)
	}
	p, err := s.program(r)
	if err != nil {
		return err
	}
	if in.AccountIdentifier != "" {
		id, err := account.ParseID(in.AccountIdentifier)
		if err != nil {
			return account.ErrInvalidID.WithCode(10, 10)
		}
		if _, err := s.Accounts.Get(r.Context(), p.Code, id); err != nil {
			return withCode(err, 10, 0)
		}
		in.AccountIdentifier = id
	}
	v, err := s.Verifications.Create(r.Context(), verification.Request{
		ProgramCode: p.Code, AccountID: in.AccountIdentifier, EventType: in.VerificationEventType,
		ContactType: in.ContactType, CommunicationType: in.CommunicationType, Handle: in.ContactHandle,
		FirstName: in.FirstName, LastName: in.LastName, ProductCode: in.ProductCode, RetailCardID: in.RetailCardIdentifier,
	})
	if err != nil {
		if e := apperr.As(err); e.Kind == apperr.RateLimited {
			w.Header().Set("Retry-After", strconv.Itoa(int(s.retryAfter(e).Seconds())))
		}
		return err
	}
	if s.OnVerificationCreated != nil {
		s.OnVerificationCreated()
	}
	writeJSON(w, http.StatusOK, map[string]any{"contactVerificationIdentifier": v.ID, "responseDetails": Success()})
	return nil
}

// invalidBody gives a body that does not decode the BaaS "invalid value"
// code 640; a wrong content type or an oversized body keep their own.
func invalidBody(err error) error {
	if apperr.KindOf(err) != apperr.Invalid {
		return err
	}
	return withCode(err, 640, 0)
}

// retryAfter is the Retry-After hint of a rate-limit answer.
func (s *Server) retryAfter(e *apperr.Error) time.Duration {
	lim := s.Verifications.Limits
	if e.SubCode == verification.ErrTooSoon.SubCode && lim.MinGap > 0 {
		return lim.MinGap
	}
	if e.SubCode == verification.ErrTooSoon.SubCode {
		return 30 * time.Second
	}
	return 10 * time.Minute
}

func (s *Server) checkContactVerification(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ContactVerificationIdentifier string `json:"contactVerificationIdentifier"`
		VerificationCode              string `json:"verificationCode"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return invalidBody(err)
	}
	p, err := s.program(r)
	if err != nil {
		return err
	}
	id := r.PathValue("contactVerificationIdentifier")
	if in.ContactVerificationIdentifier != "" && in.ContactVerificationIdentifier != id {
		return apperr.Field("contactVerificationIdentifier", "contactVerificationIdentifier does not match the path").WithCode(640, 0)
	}
	if err := s.Verifications.Check(r.Context(), p.Code, id, in.VerificationCode); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"responseDetails": Success()})
	return nil
}

// VerificationStatusJSON is the answer of GET .../verification/status/{id}.
type VerificationStatusJSON struct {
	SessionIdentifier         string           `json:"sessionIdentifier"`
	ContactVerificationStatus int              `json:"contactVerificationStatus"`
	ContactType               string           `json:"contactType"`
	CommunicationType         string           `json:"communicationType"`
	ResponseDetails           []ResponseDetail `json:"responseDetails"`
}

func (s *Server) contactVerificationStatus(w http.ResponseWriter, r *http.Request) error {
	p, err := s.program(r)
	if err != nil {
		return err
	}
	v, st, err := s.Verifications.Get(r.Context(), p.Code, r.PathValue("sessionIdentifier"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, VerificationStatusJSON{SessionIdentifier: v.ID, ContactVerificationStatus: int(st),
		ContactType: string(v.ContactType), CommunicationType: string(v.Channel), ResponseDetails: Success()})
	return nil
}

// SentMessageJSON is one entry of GET /admin/v1/messages.
type SentMessageJSON struct {
	ID             string     `json:"id"`
	VerificationID string     `json:"contactVerificationIdentifier"`
	ProgramCode    string     `json:"programCode"`
	Channel        string     `json:"channel"`
	To             string     `json:"to"`
	Subject        string     `json:"subject"`
	Body           string     `json:"body"`
	Code           string     `json:"code,omitempty"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastError      string     `json:"lastError,omitempty"`
	CreatedAt      time.Time  `json:"createdAt"`
	SentAt         *time.Time `json:"sentAt,omitempty"`
}

// adminListMessages lists what was sent to ?to=HANDLE, newest first
// (?limit=1..100, default 50). Codes are shown only in a sandbox.
func (s *Server) adminListMessages(w http.ResponseWriter, r *http.Request) error {
	to := r.URL.Query().Get("to")
	if to == "" {
		return apperr.Field("to", "to is required: an email address or a US phone number")
	}
	limit, err := queryLimit(r, 50)
	if err != nil {
		return err
	}
	ms, err := s.OTPSender.Sent(r.Context(), to, limit, s.Sandbox)
	if err != nil {
		return err
	}
	out := struct {
		Messages []SentMessageJSON `json:"messages"`
	}{Messages: []SentMessageJSON{}}
	for _, m := range ms {
		j := SentMessageJSON{ID: m.ID, VerificationID: m.VerificationID, ProgramCode: m.ProgramCode, Channel: string(m.Channel),
			To: m.To, Subject: m.Subject, Body: m.Body, Code: m.Code, Status: string(m.Status), Attempts: m.Attempts,
			LastError: m.LastError, CreatedAt: m.CreatedAt}
		if !m.SentAt.IsZero() {
			t := m.SentAt
			j.SentAt = &t
		}
		out.Messages = append(out.Messages, j)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}
