package verification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/notify"
	"github.com/verdant-baas/verdant/internal/outbox"
)

// Topic is the outbox topic of verification messages; the payload is
// {"messageId": "..."}: no handle, no code.
const Topic = "verification.message"

// MessageStatus is the delivery state of a message.
type MessageStatus string

// The message statuses.
const (
	MessageQueued  MessageStatus = "queued"  // waiting for the outbox worker
	MessageSent    MessageStatus = "sent"    // accepted by the SMTP server / SMS API
	MessageFailed  MessageStatus = "failed"  // permanently refused, or still failing when the code expired
	MessageExpired MessageStatus = "expired" // not sent: the code expired before delivery
	MessageSkipped MessageStatus = "skipped" // not sent: verification already complete or locked
)

// Message is one outgoing message of a verification, as kept in the
// sent-messages log. Body holds the text with the code redacted.
type Message struct {
	ID             string
	VerificationID string
	ProgramCode    string
	Channel        Channel
	ToIndex        string
	ToMasked       string
	Subject, Body  string
	Status         MessageStatus
	Attempts       int
	LastError      string
	CreatedAt      time.Time
	SentAt         time.Time
}

// RedactedCode stands in for the code in stored bodies.
const RedactedCode = "******"

// Compose writes the message text for a verification and code. The only
// partner text in it is the first name, and only when it reads as a name
// (greetingName): never a line break, a link or markup of the partner's.
func Compose(v Verification, code string) (subject, body string) {
	greeting := "Hello"
	if name := greetingName(v.FirstName); name != "" {
		greeting += " " + name
	}
	switch v.Channel {
	case ChannelEmail:
		return "Your verification code",
			greeting + ",\r\n\r\nYour verification code is " + code + ". It expires in " +
				minutes(v.ExpiresAt.Sub(v.CreatedAt)) + ".\r\n\r\nIf you did not ask for this code, ignore this message.\r\n"
	case ChannelVoice:
		return "", greeting + ". Your verification code is " + code + "."
	}
	return "", "Your verification code is " + code + ". It expires in " + minutes(v.ExpiresAt.Sub(v.CreatedAt)) + "."
}

// greetingName answers a first name fit to greet someone with in an
// email or a voice call: letters (and combining marks), spaces, hyphens,
// apostrophes and periods, at most 50 bytes. Anything else (a line break
// that would start a paragraph of the partner's, a URL, markup) answers
// "" and the message greets without a name. The API refuses control
// characters at decoding; this holds for rows stored before it did.
func greetingName(first string) string {
	first = strings.TrimSpace(first)
	if len(first) > 50 {
		return ""
	}
	for _, r := range first {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !strings.ContainsRune(" -'.’", r) {
			return ""
		}
	}
	return first
}

func minutes(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", m)
}

// MessageStore is what delivery and the sent-messages log need.
type MessageStore interface {
	// Message answers a message and its verification.
	Message(ctx context.Context, id string) (Message, Verification, error)
	// MarkMessage records a delivery attempt's outcome: the
	// message's status, attempts and error, and for MessageSent and
	// MessageFailed the verification's state (pending -> sent / failed).
	MarkMessage(ctx context.Context, id string, st MessageStatus, lastErr string, now time.Time) error
	// Messages answers the messages to a handle index, newest first.
	Messages(ctx context.Context, toIndex string, limit int) ([]Message, error)
}

// Sender sends queued messages; it is the outbox handler of Topic.
type Sender struct {
	Store MessageStore
	Vault Vault
	Now   func() time.Time
	// Email and Phone send email and sms/voice messages.
	Email, Phone notify.Sender
}

// Handle implements outbox.Handler. Delivery is at least once from the
// outbox; Handle makes it effectively once: a message already marked sent
// is not sent again, and the sent mark is written right after the
// provider accepts it. Only a crash between those two steps can repeat a
// message, and the repeat carries the same Message-ID / idempotency key.
func (d *Sender) Handle(ctx context.Context, om outbox.Message) error {
	var p struct {
		MessageID string `json:"messageId"`
	}
	if err := json.Unmarshal(om.Payload, &p); err != nil || p.MessageID == "" {
		return outbox.Permanent(errors.New("verification message: bad payload"))
	}
	m, v, err := d.Store.Message(ctx, p.MessageID)
	if apperr.KindOf(err) == apperr.NotFound {
		return outbox.Permanent(err) // nothing to deliver, ever
	}
	if err != nil {
		return err
	}
	now := d.Now().UTC()
	switch {
	case m.Status != MessageQueued:
		return nil // done before; the outbox acknowledgement was lost
	case v.State == StateVerified || v.State == StateLocked:
		return d.Store.MarkMessage(ctx, m.ID, MessageSkipped, "", now)
	case !now.Before(v.ExpiresAt):
		return d.Store.MarkMessage(ctx, m.ID, MessageExpired, "", now)
	}
	out, err := d.open(m, v)
	if err != nil {
		d.Store.MarkMessage(ctx, m.ID, MessageFailed, err.Error(), now)
		return outbox.Permanent(err)
	}
	sender := d.Phone
	if m.Channel == ChannelEmail {
		sender = d.Email
	}
	if err := sender.Send(ctx, out); err != nil {
		final := outbox.IsPermanent(err) || !d.Now().Add(time.Second).Before(v.ExpiresAt)
		// Provider errors may quote the recipient; the log and the
		// stored last error get the masked handle instead.
		err = errors.New(strings.ReplaceAll(err.Error(), out.To, Mask(out.To)))
		st := MessageQueued
		if final {
			st = MessageFailed
		}
		if merr := d.Store.MarkMessage(context.WithoutCancel(ctx), m.ID, st, err.Error(), now); merr != nil {
			return merr
		}
		if final {
			return outbox.Permanent(err)
		}
		return err
	}
	// The provider has the message: record it even if shutdown has begun,
	// or a restart would send the code again.
	return d.Store.MarkMessage(context.WithoutCancel(ctx), m.ID, MessageSent, "", d.Now().UTC())
}

// open recovers the handle and code and composes the real text.
func (d *Sender) open(m Message, v Verification) (notify.Message, error) {
	to, err := d.Vault.Open(v.HandleSealed, v.KeyID, "contact:"+v.ID)
	if err != nil {
		return notify.Message{}, fmt.Errorf("open contact handle: %w", err)
	}
	code, err := d.Vault.Open(v.CodeSealed, v.KeyID, "otp:"+v.ID)
	if err != nil {
		return notify.Message{}, fmt.Errorf("open code: %w", err)
	}
	subject, body := Compose(v, code)
	return notify.Message{ID: m.ID, Channel: string(m.Channel), To: to, Subject: subject, Body: body}, nil
}

// SentMessage is a sent-messages log entry for operators. Code is set
// only when revealed (sandbox).
type SentMessage struct {
	Message
	To   string
	Code string
}

// Sent answers the last limit messages to a handle (an email address or
// a US phone number in any notation), newest first. With reveal the real
// text and code are opened (sandbox only).
func (d *Sender) Sent(ctx context.Context, handle string, limit int, reveal bool) ([]SentMessage, error) {
	norm, err := NormalizeEmail(handle)
	if err != nil {
		if norm, err = NormalizePhone(handle); err != nil {
			return nil, invalidTo
		}
	}
	ms, err := d.Store.Messages(ctx, d.Vault.Index("contact", norm), limit)
	if err != nil {
		return nil, err
	}
	out := make([]SentMessage, 0, len(ms))
	for _, m := range ms {
		sm := SentMessage{Message: m, To: norm}
		if reveal {
			_, v, err := d.Store.Message(ctx, m.ID)
			if err != nil {
				return nil, err
			}
			if v.CodeSealed == "" { // verified or locked: the code is gone
				out = append(out, sm)
				continue
			}
			if sm.Code, err = d.Vault.Open(v.CodeSealed, v.KeyID, "otp:"+v.ID); err != nil {
				return nil, err
			}
			sm.Subject, sm.Body = Compose(v, sm.Code)
		}
		out = append(out, sm)
	}
	return out, nil
}

var invalidTo = apperr.Field("to", "to must be an email address or a US phone number")
