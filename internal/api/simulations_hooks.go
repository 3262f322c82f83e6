package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/sandbox"
	"github.com/verdant-baas/verdant/internal/webhook"
)

// The publisher's webhook test hooks (sandbox only): the loopback
// receiver's configured answer, the receive-and-validate endpoint, and
// simulate-an-event-to-a-URL.

func (s *Server) simulationHookRoutes(mux *router) {
	mux.Handle("GET "+simulations+"/webhooks/loopback", s.partner(s.simGetLoopback))
	mux.Handle("PUT "+simulations+"/webhooks/loopback", s.partner(s.simPutLoopback))
	// The receiver is where webhooks are posted, so it takes no token:
	// it checks the body and the program's signature instead.
	mux.Handle("POST "+simulations+"/webhooks/receiver", s.public(s.simReceive))
	mux.Handle("POST "+simulations+"/webhooks/events", s.partner(s.simPostEvent))
}

// LoopbackJSON is the loopback receiver's configured answer.
type LoopbackJSON struct {
	MinDelayMs      int64            `json:"minDelayMs"`
	MaxDelayMs      int64            `json:"maxDelayMs"`
	HTTPStatus      int              `json:"httpStatus"`
	Body            string           `json:"body"`
	ContentType     string           `json:"contentType"`
	ResponseDetails []ResponseDetail `json:"responseDetails,omitempty"`
}

func loopbackJSON(l sandbox.Loopback) LoopbackJSON {
	return LoopbackJSON{MinDelayMs: l.MinDelay.Milliseconds(), MaxDelayMs: l.MaxDelay.Milliseconds(),
		HTTPStatus: l.Status, Body: l.Body, ContentType: l.ContentType, ResponseDetails: Success()}
}

func (s *Server) simGetLoopback(w http.ResponseWriter, r *http.Request) error {
	p, err := s.program(r)
	if err != nil {
		return err
	}
	l, err := s.Loopbacks.Loopback(r.Context(), p.Code)
	return answer(w, http.StatusOK, loopbackJSON, l, err)
}

func (s *Server) simPutLoopback(w http.ResponseWriter, r *http.Request) error {
	var in LoopbackJSON
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	p, err := s.program(r)
	if err != nil {
		return err
	}
	l := sandbox.Loopback{MinDelay: time.Duration(in.MinDelayMs) * time.Millisecond,
		MaxDelay: time.Duration(in.MaxDelayMs) * time.Millisecond, Status: in.HTTPStatus, Body: in.Body,
		ContentType: in.ContentType}
	if err := sandbox.CheckLoopback(l); err != nil {
		return err
	}
	err = s.Loopbacks.PutLoopback(r.Context(), p.Code, l, s.now())
	return answer(w, http.StatusOK, loopbackJSON, l, err)
}

// simReceive is the receive-and-validate endpoint: a body that is not a
// webhook of the envelope, or an x-gd-signature (when sent) that no
// signing secret of the program made, is answered 400 naming each
// problem; a valid one waits the configured delay and gets the
// configured answer.
func (s *Server) simReceive(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("programCode")
	if _, err := s.Programs.Get(r.Context(), code); err != nil {
		return err
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return apperr.E(apperr.TooLarge, "request body too large")
	}
	problems := sandbox.CheckPayload(body, webhook.EventTypes)
	if sig := r.Header.Get("x-gd-signature"); sig != "" {
		ok, err := s.Webhooks.VerifyProgram(r.Context(), code, body, sig)
		if err != nil {
			return err
		}
		if !ok {
			problems = append(problems, "x-gd-signature does not verify with any signing secret of program "+code)
		}
	}
	if len(problems) > 0 {
		return apperr.Field("body", "%s", strings.Join(problems, "; "))
	}
	l, err := s.Loopbacks.Loopback(r.Context(), code)
	if err != nil {
		return err
	}
	delay := l.MinDelay
	if l.MaxDelay > l.MinDelay {
		delay += rand.N(l.MaxDelay - l.MinDelay + 1)
	}
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return r.Context().Err()
	}
	w.Header().Set("Content-Type", l.ContentType)
	w.WriteHeader(l.Status)
	io.WriteString(w, l.Body)
	return nil
}

// SimEventJSON is what happened when an event was posted to a URL.
type SimEventJSON struct {
	HTTPStatus      int              `json:"httpStatus"`
	LatencyMs       int64            `json:"latencyMs"`
	ResponseBody    string           `json:"responseBody"`
	Error           string           `json:"error,omitempty"`
	ResponseDetails []ResponseDetail `json:"responseDetails"`
}

// simPostEvent posts the given body (validated as a webhook) to
// postBackUrl with the given headers, and answers the receiver's answer.
func (s *Server) simPostEvent(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		PostBackURL string            `json:"postBackUrl"`
		Headers     map[string]string `json:"headers"`
		Body        json.RawMessage   `json:"body"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if _, err := s.program(r); err != nil {
		return err
	}
	if !strings.HasPrefix(in.PostBackURL, "http://") && !strings.HasPrefix(in.PostBackURL, "https://") {
		return apperr.Field("postBackUrl", "postBackUrl must be an http or https URL")
	}
	if problems := sandbox.CheckPayload(in.Body, webhook.EventTypes); len(problems) > 0 {
		return apperr.Field("body", "%s", strings.Join(problems, "; "))
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.PostBackURL, bytes.NewReader(in.Body))
	if err != nil {
		return apperr.Field("postBackUrl", "postBackUrl is not a URL")
	}
	for k, v := range in.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	out := SimEventJSON{ResponseDetails: Success()}
	resp, err := webhook.NewClient(true).Do(req)
	out.LatencyMs = time.Since(start).Milliseconds()
	if err != nil {
		out.Error = err.Error()
	} else {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		out.HTTPStatus, out.ResponseBody = resp.StatusCode, string(b)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
