package app

import (
	"time"

	"github.com/verdant-baas/verdant/internal/address"
	"github.com/verdant-baas/verdant/internal/notify"
	"github.com/verdant-baas/verdant/internal/storage"
	"github.com/verdant-baas/verdant/internal/verification"
)

// NotifyConfig says how messages leave the process. Without an SMTP host
// email is delivered to the log; without an SMS base URL so are SMS and
// voice messages (development: read them with GET /admin/v1/messages).
type NotifyConfig struct {
	SMTPHost     string // VERDANT_SMTP_HOST
	SMTPPort     int    // VERDANT_SMTP_PORT (default by TLS mode: 587, 465, 25)
	SMTPTLS      string // VERDANT_SMTP_TLS: starttls (default), tls, none
	SMTPUser     string // VERDANT_SMTP_USER
	SMTPPassword string // VERDANT_SMTP_PASSWORD / _FILE
	SMTPFrom     string // VERDANT_SMTP_FROM
	SMSBaseURL   string // VERDANT_SMS_BASE_URL (Twilio format, e.g. https://api.twilio.com)
	SMSAccount   string // VERDANT_SMS_ACCOUNT_SID
	SMSToken     string // VERDANT_SMS_AUTH_TOKEN / _FILE
	SMSFrom      string // VERDANT_SMS_FROM (E.164)
}

// VerifyConfig holds the contact-verification rules (zero: defaults).
type VerifyConfig struct {
	CodeTTL  time.Duration // VERDANT_VERIFY_CODE_TTL (10m)
	MaxTries int           // VERDANT_VERIFY_MAX_TRIES (5)
	PerHour  int           // VERDANT_VERIFY_PER_HOUR (5)
	MinGap   time.Duration // VERDANT_VERIFY_MIN_GAP (30s)
}

// WarnDelivery logs, for a server that is not a sandbox, that messages
// without an SMTP host or SMS API reach nobody. Only serve calls it: the
// operator commands send nothing.
func (a *App) WarnDelivery() {
	if n := a.Config.Notify; !a.Config.Sandbox && (n.SMTPHost == "" || n.SMSBaseURL == "") {
		a.Log.Warn("contact-verification messages without VERDANT_SMTP_HOST or VERDANT_SMS_BASE_URL go to the log delivery and reach nobody",
			"smtp", n.SMTPHost != "", "sms", n.SMSBaseURL != "")
	}
}

// wireVerifications builds contact and address verification and
// registers the message topic with the outbox worker.
func (a *App) wireVerifications() {
	n, now := a.Config.Notify, a.Config.Now
	var email, phone notify.Sender = notify.Log{Log: a.Log}, notify.Log{Log: a.Log}
	if n.SMTPHost != "" {
		email = notify.SMTP{Host: n.SMTPHost, Port: n.SMTPPort, TLS: n.SMTPTLS, Username: n.SMTPUser,
			Password: n.SMTPPassword, From: n.SMTPFrom}
	}
	if n.SMSBaseURL != "" {
		phone = notify.SMS{BaseURL: n.SMSBaseURL, AccountSID: n.SMSAccount, AuthToken: n.SMSToken, From: n.SMSFrom}
	}
	vc := a.Config.Verify
	verifications := storage.NewVerificationStore(a.DB)
	svc := &verification.Service{Store: verifications, Vault: a.Vault, Now: now, TTL: vc.CodeTTL, Tries: vc.MaxTries,
		Limits: verification.Limits{PerHour: vc.PerHour, MinGap: vc.MinGap}}
	if a.Config.Sandbox {
		svc.FixedCode = verification.SandboxCode
		svc.ProgramNow = a.Clock.At
	}
	d := &verification.Sender{Store: verifications, Vault: a.Vault, Now: now, Email: email, Phone: phone}
	a.Outbox.Handle(verification.Topic, d.Handle)
	a.Server.Verifications, a.Server.OTPSender = svc, d
	a.Server.Address = address.Engine{}
	a.Server.OnVerificationCreated = a.Outbox.Notify
}
