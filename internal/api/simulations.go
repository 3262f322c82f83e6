package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/account"
	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/card"
	"github.com/verdant-baas/verdant/internal/customer"
	"github.com/verdant-baas/verdant/internal/delivery"
	"github.com/verdant-baas/verdant/internal/program"
	"github.com/verdant-baas/verdant/internal/sandbox"
)

// The simulation calls of --sandbox (docs/sandbox.md): partner calls in
// the BaaS family that make the slow, human or external parts of a life
// cycle happen on demand. Each calls the same domain service as the real
// path, so the answers and the webhooks are the real ones. Without
// --sandbox none is registered: each path answers 404 as if it did not
// exist.

const simulations = "/programs/{programCode}/simulations"

func (s *Server) simulationRoutes(mux *router) {
	if !s.Sandbox {
		return
	}
	mux.Handle("POST "+simulations+"/accounts", s.partner(s.simOpenAccount))
	mux.Handle("POST "+simulations+"/accounts/{accountIdentifier}/paymentInstruments", s.partner(s.simIssueCard))
	mux.Handle("POST "+simulations+"/accounts/{accountIdentifier}/status", s.partner(s.simAccountStatus))
	mux.Handle("POST "+simulations+"/paymentInstruments/{paymentInstrumentIdentifier}/shipment", s.partner(s.simShipment))
	mux.Handle("POST "+simulations+"/paymentInstruments/{paymentInstrumentIdentifier}/activation", s.partner(s.simActivate))
	mux.Handle("POST "+simulations+"/customers/{customerid}/ofacReview", s.partner(s.simOFACReview))
	mux.Handle("GET "+simulations+"/contactVerifications/{contactVerificationIdentifier}/code", s.partner(s.simCode))
	mux.Handle("GET "+simulations+"/clock", s.partner(s.simClock))
	mux.Handle("POST "+simulations+"/clock", s.partner(s.simAdvanceClock))
	mux.Handle("DELETE "+simulations+"/clock", s.partner(s.simResetClock))
	s.simulationHookRoutes(mux)
	s.simulationRetailRoutes(mux)
}

// SimAccountJSON is a simulated account as answered.
type SimAccountJSON struct {
	AccountIdentifier string           `json:"accountIdentifier"`
	Status            string           `json:"status"`
	Holder            HolderJSON       `json:"holder"`
	ResponseDetails   []ResponseDetail `json:"responseDetails"`
}

func simAccount(a account.Account) SimAccountJSON {
	h := a.Holder
	return SimAccountJSON{AccountIdentifier: a.ID, Status: string(a.Status), ResponseDetails: Success(),
		Holder: HolderJSON{FirstName: h.FirstName, LastName: h.LastName, ZipCode: h.ZipCode, CustomerID: h.CustomerID}}
}

func (s *Server) simOpenAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Holder HolderJSON `json:"holder"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	p, err := s.program(r)
	if err != nil {
		return err
	}
	h := in.Holder
	a, err := s.Accounts.Open(r.Context(), p.Code, account.Holder{FirstName: h.FirstName, LastName: h.LastName,
		ZipCode: h.ZipCode, CustomerID: h.CustomerID}, "")
	return answer(w, http.StatusOK, simAccount, a, err)
}

func (s *Server) simAccountStatus(w http.ResponseWriter, r *http.Request) error {
	status, err := decodeStatus(r)
	if err != nil {
		return err
	}
	p, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	a, err = s.Accounts.SetStatus(r.Context(), p.Code, a.ID, account.Status(status), "sandbox simulation")
	return answer(w, http.StatusOK, simAccount, a, err)
}

// SimCardJSON is a simulated card: the full PAN only in the answer to
// the issuing call.
type SimCardJSON struct {
	PaymentInstrumentIdentifier string           `json:"paymentInstrumentIdentifier"`
	AccountIdentifier           string           `json:"accountIdentifier"`
	PAN                         string           `json:"pan,omitempty"`
	Last4PAN                    string           `json:"last4Pan"`
	Type                        string           `json:"type"`
	Status                      string           `json:"status"`
	ExpiryYear                  string           `json:"expiryYear"`
	ExpiryMonth                 string           `json:"expiryMonth"`
	ResponseDetails             []ResponseDetail `json:"responseDetails"`
}

func simCard(c card.Card, pan string) SimCardJSON {
	return SimCardJSON{PaymentInstrumentIdentifier: c.ID, AccountIdentifier: c.AccountID, PAN: pan, Last4PAN: c.Last4,
		Type: c.Type, Status: string(c.Status), ExpiryYear: c.ExpiryYear, ExpiryMonth: c.ExpiryMonth,
		ResponseDetails: Success()}
}

func (s *Server) simIssueCard(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Type           string `json:"type"`
		DeliveryMethod string `json:"deliveryMethod"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in.Type == "" {
		return apperr.Field("type", "type is required: physical or virtual")
	}
	p, a, err := s.partnerAccount(r)
	if err != nil {
		return err
	}
	c, pan, err := s.Cards.Issue(r.Context(), p.Code, a.ID, p.BIN, card.IssueRequest{Type: in.Type,
		DeliveryMethod: in.DeliveryMethod})
	if err != nil {
		return err
	}
	if err := s.Delivery.Open(r.Context(), c, ""); err != nil {
		s.Log.Error("fulfilment record", "card_id", c.ID, "error", err.Error())
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, simCard(c, pan))
	return nil
}

// programCard resolves {paymentInstrumentIdentifier} within the caller's
// program: another program's card is answered as not found.
func (s *Server) programCard(r *http.Request) (program.Program, card.Card, error) {
	p, err := s.program(r)
	if err != nil {
		return p, card.Card{}, err
	}
	id, err := cardID(r)
	if err != nil {
		return p, card.Card{}, err
	}
	c, err := s.Cards.InProgram(r.Context(), p.Code, id)
	return p, c, withCode(err, 10, 0)
}

// SimShipmentJSON answers a shipment move: the event recorded.
type SimShipmentJSON struct {
	PaymentInstrumentIdentifier string           `json:"paymentInstrumentIdentifier"`
	DeliveryStatusCode          string           `json:"deliveryStatusCode"`
	DeliveryStatus              string           `json:"deliveryStatus"`
	TrackingNumber              string           `json:"trackingNumber,omitempty"`
	OccurredAt                  string           `json:"occurredAt"`
	ResponseDetails             []ResponseDetail `json:"responseDetails"`
}

func (s *Server) simShipment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status         string `json:"status"`
		TrackingNumber string `json:"trackingNumber"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	next, err := sandbox.ParseShipmentStatus(in.Status)
	if err != nil {
		return err
	}
	p, c, err := s.programCard(r)
	if err != nil {
		return err
	}
	sh, err := s.Delivery.History(r.Context(), c.AccountID, c.ID)
	if err != nil {
		return err
	}
	if err := sandbox.CheckShipment(c, latest(sh.Events), next); err != nil {
		return err
	}
	tracking := in.TrackingNumber
	if tracking == "" && next == delivery.Shipped {
		tracking = "SBX" + strconv.FormatInt(time.Now().UnixNano()%1e15, 10)
	}
	// The event is dated by the program's clock, at least a millisecond
	// after the card's last one, so it is the latest.
	at := s.Clock.At(r.Context(), p.Code).Truncate(time.Millisecond)
	for _, e := range sh.Events {
		if !at.After(e.OccurredAt) {
			at = e.OccurredAt.Add(time.Millisecond)
		}
	}
	e, _, err := s.Delivery.Record(r.Context(), c.AccountID, c.ID, delivery.EventInput{Status: string(next),
		TrackingNumber: tracking, OccurredAt: at})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SimShipmentJSON{PaymentInstrumentIdentifier: c.ID, DeliveryStatusCode: string(e.Status),
		DeliveryStatus: e.Status.Text(), TrackingNumber: e.TrackingNumber, OccurredAt: *deliveryTime(&e.OccurredAt),
		ResponseDetails: Success()})
	return nil
}

// latest is a card's current delivery status: its latest event, the
// later stage on a tie ("" without events).
func latest(events []delivery.Event) delivery.Status {
	var best *delivery.Event
	for i := range events {
		e := &events[i]
		if best == nil || e.OccurredAt.After(best.OccurredAt) || (e.OccurredAt.Equal(best.OccurredAt) &&
			slices.Index(delivery.EventStatuses, e.Status) > slices.Index(delivery.EventStatuses, best.Status)) {
			best = e
		}
	}
	if best == nil {
		return ""
	}
	return best.Status
}

func (s *Server) simActivate(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.programCard(r)
	if err != nil {
		return err
	}
	if err := sandbox.CheckActivation(c); err != nil {
		return err
	}
	c, err = s.Cards.SetStatus(r.Context(), c.AccountID, c.ID, card.Activated)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, simCard(c, ""))
	return nil
}

// SimReviewJSON answers an OFAC review decision.
type SimReviewJSON struct {
	CustomerID      string           `json:"customerId"`
	Decision        string           `json:"decision"`
	Status          string           `json:"status"`
	ResponseDetails []ResponseDetail `json:"responseDetails"`
}

func (s *Server) simOFACReview(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Decision string `json:"decision"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if _, err := s.program(r); err != nil {
		return err
	}
	partnerID := claimsFrom(r.Context()).PartnerID
	id := r.PathValue("customerid")
	if _, err := s.Customers.Get(r.Context(), partnerID, id); err != nil {
		return withCode(err, 10, 0)
	}
	rv, err := s.Customers.Review(r.Context(), customer.Decision{PartnerID: partnerID, CustomerID: id,
		Decision: in.Decision, Actor: "sandbox"})
	if err != nil {
		return err
	}
	status := customer.Verified
	if rv.Status == "confirmed" {
		status = customer.OFACConfirmed
	}
	writeJSON(w, http.StatusOK, SimReviewJSON{CustomerID: id, Decision: in.Decision, Status: string(status),
		ResponseDetails: Success()})
	return nil
}

// SimCodeJSON is the code most recently sent for a contact verification.
type SimCodeJSON struct {
	ContactVerificationIdentifier string           `json:"contactVerificationIdentifier"`
	VerificationCode              string           `json:"verificationCode"`
	ResponseDetails               []ResponseDetail `json:"responseDetails"`
}

func (s *Server) simCode(w http.ResponseWriter, r *http.Request) error {
	p, err := s.program(r)
	if err != nil {
		return err
	}
	id := r.PathValue("contactVerificationIdentifier")
	code, err := s.Verifications.Code(r.Context(), p.Code, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, SimCodeJSON{ContactVerificationIdentifier: id, VerificationCode: code,
		ResponseDetails: Success()})
	return nil
}

// SimClockJSON is a program's test clock.
type SimClockJSON struct {
	Now             string           `json:"now"`
	RealTime        string           `json:"realTime"`
	Offset          string           `json:"offset"`
	ResponseDetails []ResponseDetail `json:"responseDetails"`
}

func simClock(c sandbox.ClockState) SimClockJSON {
	const layout = "2006-01-02T15:04:05.000Z"
	return SimClockJSON{Now: c.Now.UTC().Format(layout), RealTime: c.Real.UTC().Format(layout),
		Offset: c.Offset.String(), ResponseDetails: Success()}
}

func (s *Server) simClock(w http.ResponseWriter, r *http.Request) error {
	p, err := s.program(r)
	if err != nil {
		return err
	}
	c, err := s.Clock.State(r.Context(), p.Code)
	return answer(w, http.StatusOK, simClock, c, err)
}

func (s *Server) simAdvanceClock(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Advance string `json:"advance"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	p, err := s.program(r)
	if err != nil {
		return err
	}
	c, err := s.Clock.Advance(r.Context(), p.Code, in.Advance)
	return answer(w, http.StatusOK, simClock, c, err)
}

func (s *Server) simResetClock(w http.ResponseWriter, r *http.Request) error {
	p, err := s.program(r)
	if err != nil {
		return err
	}
	c, err := s.Clock.Reset(r.Context(), p.Code)
	return answer(w, http.StatusOK, simClock, c, err)
}
