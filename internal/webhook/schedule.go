package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Window is how long after its event (or its replay) a delivery is
// retried before it is given up.
const Window = 24 * time.Hour

// firstHour are the retries of the first hour, as offsets from the event.
var firstHour = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour}

// Schedule is every retry time of a delivery whose cycle started at
// start: 1, 5, 15 and 30 minutes and 1 hour after it, then every hour up
// to Window (29 attempts in all with the first).
func Schedule(start time.Time) []time.Time {
	var out []time.Time
	for _, d := range firstHour {
		out = append(out, start.Add(d))
	}
	for d := 2 * time.Hour; d <= Window; d += time.Hour {
		out = append(out, start.Add(d))
	}
	return out
}

// Next decides when a delivery whose attempt failed at now is tried
// again: at the first scheduled time after now, or after retryAfter when
// the receiver asked for it (429 or 503 with Retry-After). ok is false
// when there is no such time within Window of start (or retries are off):
// the delivery has failed.
func Next(start, now time.Time, retryAfter time.Duration, retries bool) (time.Time, bool) {
	if !retries {
		return time.Time{}, false
	}
	end := start.Add(Window)
	if retryAfter > 0 {
		t := now.Add(retryAfter)
		return t, !t.After(end)
	}
	for _, t := range Schedule(start) {
		if t.After(now) {
			return t, true
		}
	}
	return time.Time{}, false
}

// maxRetryAfter bounds what a receiver may ask for.
const maxRetryAfter = 6 * time.Hour

// RetryAfter reads a Retry-After header (seconds or an HTTP date) of a
// 429 or 503 answer; zero when there is none or it is not usable.
func RetryAfter(status int, h http.Header, now time.Time) time.Duration {
	if status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable {
		return 0
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 {
		return 0
	}
	return min(d, maxRetryAfter)
}

// Acknowledged is the acknowledgement rule: HTTP 200 or 201 and, when
// the body is a JSON object with responseDetails, every detail's code 0
// (and at least one detail). Any other answer is a failed attempt.
func Acknowledged(status int, body []byte) bool {
	if status != http.StatusOK && status != http.StatusCreated {
		return false
	}
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return true
	}
	var v struct {
		ResponseDetails json.RawMessage `json:"responseDetails"`
	}
	if json.Unmarshal(b, &v) != nil || v.ResponseDetails == nil {
		return true // not JSON after all, or no responseDetails: the status decides
	}
	var details []struct {
		Code *int `json:"code"`
	}
	if json.Unmarshal(v.ResponseDetails, &details) != nil || len(details) == 0 {
		return false
	}
	for _, d := range details {
		if d.Code == nil || *d.Code != 0 {
			return false
		}
	}
	return true
}

// Error classes of a failed attempt (the delivery log's errorClass).
const (
	ClassTimeout    = "timeout"    // no answer within the timeout
	ClassConnection = "connection" // refused, reset, closed, DNS or TLS failure
	ClassBlocked    = "blocked"    // the address guard refused the address
	ClassHTTP       = "http"       // an HTTP status other than 200/201 (3xx included: redirects are not followed)
	ClassRejected   = "rejected"   // 200/201 whose responseDetails code is not 0
	ClassGone       = "gone"       // 410: the subscription is disabled
	ClassDisabled   = "disabled"   // not sent: the subscription is disabled
)
