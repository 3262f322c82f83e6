package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Limits of what is read from and kept of an answer.
const (
	maxAnswer = 64 << 10 // read for the acknowledgement rule
	keptBytes = 1 << 10  // kept in the delivery log
)

// send POSTs one message and answers its outcome; ok is false when the
// worker is stopping (nothing is recorded: the lease lapses and the
// message is sent again).
func (w *Worker) send(ctx context.Context, lease time.Time, sub Subscription, m message) (Outcome, bool) {
	now := w.Now().UTC()
	out := Outcome{Lease: lease, MessageID: m.id, SubscriptionID: sub.ID}
	if lease.Sub(now) < w.Timeout+time.Second {
		return out, false // too little of the claim left: let it lapse and be claimed again
	}
	for _, d := range m.deliveries {
		out.DeliveryIDs = append(out.DeliveryIDs, d.ID)
	}
	events := make([][]byte, len(m.deliveries))
	for i, d := range m.deliveries {
		events[i] = d.Event
	}
	body := Body(m.account, events)
	a, retryAfter := w.post(ctx, sub, m.id, body, now)
	if ctx.Err() != nil && a.ErrorClass != "" { // stopping: a failure may be ours (an acknowledgement is kept)
		return out, false
	}
	a.MessageID = m.id
	out.Attempt = a
	out.Status, out.Next, out.Disable = decide(sub, a, retryAfter, m.cycleAt, now)
	w.Metrics.attempt(a, out.Status, len(m.deliveries))
	return out, true
}

// post makes one attempt.
func (w *Worker) post(ctx context.Context, sub Subscription, msgID string, body []byte, now time.Time) (Attempt, time.Duration) {
	// A UUIDv7: the delivery log keeps acknowledged POSTs in its order.
	a := Attempt{RequestID: uuid.Must(uuid.NewV7()).String(), At: now}
	keys, err := w.keys(sub, now)
	if err != nil {
		a.ErrorClass, a.Error = ClassConnection, "signing secret unavailable: "+err.Error()
		return a, 0
	}
	actx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		a.ErrorClass, a.Error = ClassConnection, err.Error()
		return a, 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/plain, text/html")
	req.Header.Set("User-Agent", "verdant/"+w.Version)
	req.Header.Set("X-GD-RequestId", a.RequestID)
	Sign(req.Header, msgID, now, body, keys...)
	start := time.Now()
	resp, err := w.Client.Do(req)
	if err != nil {
		a.Latency = time.Since(start)
		a.ErrorClass, a.Error = classify(err), redact(err.Error(), sub.URL)
		return a, 0
	}
	answer, rerr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer)) // let the connection be reused
	resp.Body.Close()
	a.Latency = time.Since(start)
	a.HTTPStatus, a.Response = resp.StatusCode, keep(answer)
	switch {
	case rerr != nil:
		a.ErrorClass, a.Error = classify(rerr), "reading the answer: "+redact(rerr.Error(), sub.URL)
	case resp.StatusCode == http.StatusGone:
		a.ErrorClass, a.Error = ClassGone, "410 Gone"
	case resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated:
		a.ErrorClass, a.Error = ClassHTTP, resp.Status
	case !Acknowledged(resp.StatusCode, answer):
		a.ErrorClass, a.Error = ClassRejected, "responseDetails code is not 0"
	}
	return a, RetryAfter(resp.StatusCode, resp.Header, now)
}

// keys are the HMAC keys that sign for sub at now: the current secret's,
// then the previous one's during a rotation's overlap.
func (w *Worker) keys(sub Subscription, now time.Time) ([][]byte, error) {
	secrets := []Sealed{sub.Secret}
	if sub.Previous.Value != "" && now.Before(sub.PreviousUntil) {
		secrets = append(secrets, sub.Previous)
	}
	var out [][]byte
	for _, s := range secrets {
		plain, err := w.Vault.Open(s.Value, s.KeyID, secretContext(sub.ID))
		if err != nil {
			return nil, err
		}
		k, err := SecretKey(plain)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// classify names the class of a failed request.
func classify(err error) string {
	switch {
	case errors.Is(err, ErrBlocked):
		return ClassBlocked
	case errors.Is(err, context.DeadlineExceeded):
		return ClassTimeout
	}
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return ClassTimeout
	}
	return ClassConnection
}

// redact keeps the receiver URL (which may carry a token in its path or
// query) out of the delivery log's error text.
func redact(msg, url string) string {
	return strings.ReplaceAll(msg, url, "<url>")
}

// keep is the first KiB of an answer, cut at a rune boundary.
func keep(b []byte) string {
	if len(b) > keptBytes {
		b = b[:keptBytes]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	// No NUL: PostgreSQL text cannot hold it.
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "")
}
