// Package notify sends messages that leave the process: email over SMTP,
// SMS and voice calls through an HTTP API in Twilio's format, or a log
// line for development. Senders are called by outbox handlers; a failure
// that retrying cannot fix is wrapped with outbox.Permanent.
package notify

import (
	"context"
	"log/slog"
)

// Message is one message to send. ID is stable across retries (the
// outbox's delivery key): SMTP carries it as the Message-ID, the SMS API
// as an idempotency key, so a receiver can drop a duplicate.
type Message struct {
	ID      string
	Channel string // email, sms, voice
	To      string // email address or E.164 number
	Subject string
	Body    string
}

// Sender sends one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Log "sends" by writing a log line without the recipient's full handle
// and without the body (which carries the code): for development, where
// the operator call GET /admin/v1/messages shows what was sent.
type Log struct{ Log *slog.Logger }

// Send implements Sender.
func (l Log) Send(_ context.Context, m Message) error {
	l.Log.Info("message delivered (log delivery)", "messageId", m.ID, "channel", m.Channel, "bodyBytes", len(m.Body))
	return nil
}
