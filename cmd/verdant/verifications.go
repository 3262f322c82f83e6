package main

import (
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/app"
)

// notifyConfig reads the VERDANT_SMTP_*, VERDANT_SMS_* and
// VERDANT_VERIFY_* settings (docs/verifications.md).
func notifyConfig(getenv func(string) string) (app.NotifyConfig, app.VerifyConfig, error) {
	smtpPass, err := app.LoadSecret(getenv, "VERDANT_SMTP_PASSWORD")
	if err != nil {
		return app.NotifyConfig{}, app.VerifyConfig{}, err
	}
	smsToken, err := app.LoadSecret(getenv, "VERDANT_SMS_AUTH_TOKEN")
	if err != nil {
		return app.NotifyConfig{}, app.VerifyConfig{}, err
	}
	port, _ := strconv.Atoi(getenv("VERDANT_SMTP_PORT"))
	tries, _ := strconv.Atoi(getenv("VERDANT_VERIFY_MAX_TRIES"))
	perHour, _ := strconv.Atoi(getenv("VERDANT_VERIFY_PER_HOUR"))
	n := app.NotifyConfig{
		SMTPHost: getenv("VERDANT_SMTP_HOST"), SMTPPort: port, SMTPTLS: getenv("VERDANT_SMTP_TLS"),
		SMTPUser: getenv("VERDANT_SMTP_USER"), SMTPPassword: smtpPass, SMTPFrom: envOr(getenv, "VERDANT_SMTP_FROM", "no-reply@localhost"),
		SMSBaseURL: getenv("VERDANT_SMS_BASE_URL"), SMSAccount: getenv("VERDANT_SMS_ACCOUNT_SID"), SMSToken: smsToken,
		SMSFrom: getenv("VERDANT_SMS_FROM"),
	}
	v := app.VerifyConfig{
		CodeTTL: envDuration(getenv, "VERDANT_VERIFY_CODE_TTL", 10*time.Minute), MaxTries: tries, PerHour: perHour,
		MinGap: envDuration(getenv, "VERDANT_VERIFY_MIN_GAP", 30*time.Second),
	}
	return n, v, nil
}
