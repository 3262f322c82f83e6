package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/outbox"
	mail "github.com/wneessen/go-mail"
)

// SMTP sends email through an SMTP server.
type SMTP struct {
	Host     string
	Port     int    // default 587 (25 for TLS "none", 465 for "tls")
	TLS      string // "starttls" (default, required), "tls" (implicit TLS) or "none"
	Username string // empty: no authentication
	Password string
	From     string
	Timeout  time.Duration // default 15s
}

// Send implements Sender. The message id becomes the Message-ID header
// (<id@verdant>), so a retried delivery is recognisably the same message.
func (s SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return outbox.Permanent(fmt.Errorf("smtp: sender address: %w", err))
	}
	if err := msg.To(m.To); err != nil {
		return outbox.Permanent(fmt.Errorf("smtp: recipient address rejected"))
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@verdant")
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	c, err := mail.NewClient(s.Host, s.options()...)
	if err != nil {
		return outbox.Permanent(fmt.Errorf("smtp: client: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(err)
	}
	return nil
}

func (s SMTP) options() []mail.Option {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	opts := []mail.Option{mail.WithTimeout(timeout)}
	port := s.Port
	switch strings.ToLower(s.TLS) {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
		if port == 0 {
			port = 25
		}
	case "tls":
		opts = append(opts, mail.WithSSL())
		if port == 0 {
			port = 465
		}
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
		if port == 0 {
			port = 587
		}
	}
	opts = append(opts, mail.WithPort(port))
	if s.Username != "" {
		// Over TLS the strongest mechanism the server offers is used;
		// without TLS (a local relay) PLAIN is sent in clear, as the
		// operator asked for by choosing "none".
		auth := mail.SMTPAuthAutoDiscover
		if strings.EqualFold(s.TLS, "none") {
			auth = mail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	return opts
}

// classify makes a 5xx SMTP reply permanent; everything else (network
// errors, 4xx) is retried.
func classify(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return outbox.Permanent(err)
	}
	return err
}
