package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Event is one thing a partner hears about: a change on an account (or a
// customer, or a case) of a program. Its payload is Data, an object whose
// fields are sent next to eventIdentifier, eventType and eventDateTime
// (the publisher's accountUpdated sample carries "account" there).
type Event struct {
	ID          string // eventIdentifier: unique, the receiver's de-duplication key
	Type        string
	ProgramCode string
	AccountID   string // the accountIdentifier the event is grouped under ("" when none)
	At          time.Time
	Data        any
}

// NewEvent is an event with a fresh identifier (a UUIDv7, so identifiers
// sort by time).
func NewEvent(typ, programCode, accountID string, at time.Time, data any) Event {
	return Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, ProgramCode: programCode, AccountID: accountID,
		At: at.UTC(), Data: data}
}

// FormatTime is the events' date-time format: UTC with milliseconds.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// header is what every event starts with.
type header struct {
	EventIdentifier string `json:"eventIdentifier"`
	EventType       string `json:"eventType"`
	EventDateTime   string `json:"eventDateTime"`
}

// JSON is the event as sent, one element of a POST's events array.
func (e Event) JSON() ([]byte, error) {
	h, err := json.Marshal(header{e.ID, e.Type, FormatTime(e.At)})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e.Data); err != nil {
		return nil, err
	}
	d := bytes.TrimSpace(buf.Bytes())
	if len(d) < 2 || d[0] != '{' {
		return nil, errors.New("webhook: event data must be a JSON object")
	}
	if len(d) == 2 { // {}
		return h, nil
	}
	out := make([]byte, 0, len(h)+len(d))
	out = append(out, h[:len(h)-1]...)
	out = append(out, ',')
	return append(out, d[1:]...), nil
}

// Body is the POST body of one message: the events (each as Event.JSON
// made it) of one account, in the publisher's envelope.
func Body(accountID string, events [][]byte) []byte {
	id, _ := json.Marshal(accountID)
	n := 64 + len(id)
	for _, e := range events {
		n += len(e) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"accounts":[{"accountIdentifier":`...)
	b = append(b, id...)
	b = append(b, `,"events":[`...)
	for i, e := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	return append(b, "]}]}"...)
}
