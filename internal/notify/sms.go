package notify

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/outbox"
)

// SMS sends text messages and voice calls through an HTTP API in Twilio's
// format: POST {BaseURL}/2010-04-01/Accounts/{AccountSID}/Messages.json
// (form To, From, Body) and .../Calls.json (form To, From, Twiml), with
// HTTP Basic auth AccountSID:AuthToken.
type SMS struct {
	BaseURL    string // e.g. https://api.twilio.com
	AccountSID string
	AuthToken  string
	From       string // E.164 sender number
	Client     *http.Client
}

// Send implements Sender. The message id is sent as the Idempotency-Key
// and I-Twilio-Idempotency-Token headers, so a provider (or a proxy) that
// honours them drops a retried duplicate.
func (s SMS) Send(ctx context.Context, m Message) error {
	form := url.Values{"To": {m.To}, "From": {s.From}}
	resource := "Messages.json"
	if m.Channel == "voice" {
		resource = "Calls.json"
		form.Set("Twiml", twiml(m.Body))
	} else {
		form.Set("Body", m.Body)
	}
	u := strings.TrimRight(s.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(s.AccountSID) + "/" + resource
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return outbox.Permanent(fmt.Errorf("sms: request: %w", err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Idempotency-Key", m.ID)
	req.Header.Set("I-Twilio-Idempotency-Token", m.ID)
	req.SetBasicAuth(s.AccountSID, s.AuthToken)
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("sms: provider answered %d", resp.StatusCode)
	}
	// Other 4xx: bad number, bad credentials, unsupported region.
	return outbox.Permanent(fmt.Errorf("sms: provider answered %d", resp.StatusCode))
}

// twiml reads the message out in a voice call, digits spaced so they are
// spoken one by one, twice.
func twiml(body string) string {
	var spoken strings.Builder
	for i, r := range body {
		if r >= '0' && r <= '9' && i > 0 && body[i-1] >= '0' && body[i-1] <= '9' {
			spoken.WriteString(", ")
		}
		spoken.WriteRune(r)
	}
	var esc strings.Builder
	xml.EscapeText(&esc, []byte(spoken.String()))
	return "<Response><Say>" + esc.String() + "</Say><Pause length=\"1\"/><Say>" + esc.String() + "</Say></Response>"
}
