package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// Loopback is the answer a program's loopback webhook receiver gives
// (the publisher's "configure the loopback response" test hook).
type Loopback struct {
	MinDelay, MaxDelay time.Duration
	Status             int
	Body, ContentType  string
}

// DefaultLoopback acknowledges at once as a partner should.
var DefaultLoopback = Loopback{Status: 200, ContentType: "application/json",
	Body: `{"responseDetails":[{"code":0,"subCode":0,"description":"Success"}]}`}

// Limits of a loopback answer.
const (
	MaxLoopbackDelay = 30 * time.Second
	MaxLoopbackBody  = 64 << 10
)

// LoopbackStore persists each program's loopback answer.
type LoopbackStore interface {
	// Loopback answers the program's answer (DefaultLoopback when none is set).
	Loopback(ctx context.Context, programCode string) (Loopback, error)
	PutLoopback(ctx context.Context, programCode string, l Loopback, now time.Time) error
}

// CheckLoopback validates a loopback answer.
func CheckLoopback(l Loopback) error {
	switch {
	case l.MinDelay < 0 || l.MaxDelay > MaxLoopbackDelay || l.MinDelay > l.MaxDelay:
		return apperr.Field("delay", "minDelayMs and maxDelayMs must satisfy 0 <= minDelayMs <= maxDelayMs <= 30000")
	case l.Status < 200 || l.Status > 599:
		return apperr.Field("httpStatus", "httpStatus %d must be from 200 to 599", l.Status)
	case len(l.Body) > MaxLoopbackBody:
		return apperr.Field("body", "body must be at most 65536 bytes")
	case l.ContentType == "" || len(l.ContentType) > 100:
		return apperr.Field("contentType", "contentType is required (at most 100 characters)")
	}
	return nil
}

// CheckPayload validates a webhook body against the event envelope every
// verdant webhook has ({"accounts": [{"accountIdentifier", "events":
// [{"eventIdentifier", "eventType", "eventDateTime", ...}]}]}, event types
// from types). It answers every problem found, each naming its place.
func CheckPayload(body []byte, types []string) []string {
	var p struct {
		Accounts *[]struct {
			AccountIdentifier *string `json:"accountIdentifier"`
			Events            *[]struct {
				EventIdentifier *string `json:"eventIdentifier"`
				EventType       *string `json:"eventType"`
				EventDateTime   *string `json:"eventDateTime"`
			} `json:"events"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return []string{"the body is not a JSON object of the webhook shape: " + err.Error()}
	}
	if p.Accounts == nil || len(*p.Accounts) == 0 {
		return []string{"accounts is required: a non-empty array"}
	}
	var out []string
	for i, a := range *p.Accounts {
		at := fmt.Sprintf("accounts[%d]", i)
		if a.AccountIdentifier == nil || *a.AccountIdentifier == "" {
			out = append(out, at+".accountIdentifier is required")
		}
		if a.Events == nil || len(*a.Events) == 0 {
			out = append(out, at+".events is required: a non-empty array")
			continue
		}
		for j, e := range *a.Events {
			at := fmt.Sprintf("%s.events[%d]", at, j)
			if e.EventIdentifier == nil || *e.EventIdentifier == "" {
				out = append(out, at+".eventIdentifier is required")
			}
			if e.EventType == nil || !slices.Contains(types, *e.EventType) {
				out = append(out, at+".eventType must be one of the event types")
			}
			if e.EventDateTime == nil {
				out = append(out, at+".eventDateTime is required")
			} else if _, err := time.Parse(time.RFC3339Nano, *e.EventDateTime); err != nil {
				out = append(out, at+".eventDateTime must be an RFC 3339 UTC date-time")
			}
		}
	}
	return out
}
