package app

import (
	"strconv"
	"time"

	"github.com/verdant-baas/verdant/internal/sanctions"
	"github.com/verdant-baas/verdant/internal/throttle"
)

// MaxTokenTTL is the longest lifetime VERDANT_TOKEN_TTL may give partner
// access tokens: a token outlives a rotated or disabled secret until it
// expires, so that time is bounded.
const MaxTokenTTL = 24 * time.Hour

// DefaultAuthFailures is the failed-authentication budget: 10 failures
// per client in 15 minutes. An operator token has at least 128 bits of
// entropy and a client secret 256, so this does not protect them from
// guessing; it keeps a guessing run from costing the database and
// flooding the log, and it bounds what a leaked client id lets anyone try.
var DefaultAuthFailures = throttle.Limit{Max: 10, Window: 15 * time.Minute}

// Settings is every setting, in the order --help and the README list them.
// Load reads exactly these; nothing else in verdant reads VERDANT_ variables.
var Settings = []Setting{
	// Server and storage.
	{Env: "VERDANT_ADDR", Flag: "addr", Default: "127.0.0.1:8080",
		Usage: "listen address (:0 picks a free port; the address is printed)",
		set:   text(func(c *Config) *string { return &c.Addr }, hostPort)},
	{Env: "VERDANT_DATA_DIR", Flag: "data-dir", Default: ".",
		Usage: "directory of the SQLite file and generated development keys",
		set:   text(func(c *Config) *string { return &c.DataDir }, nil)},
	{Env: "VERDANT_DB", Flag: "db", Shown: "sqlite:<data-dir>/verdant.db",
		Usage: "database: sqlite:PATH or postgres://user:pass@host/db",
		set:   text(func(c *Config) *string { return &c.DB }, databaseURL)},
	{Env: "VERDANT_DB_MAX_CONNS", Flag: "db-max-conns", Default: "32",
		Usage: "most PostgreSQL connections this node opens (1 to 1000; keep nodes × this under the server's max_connections); SQLite ignores it",
		set:   intIn(1, 1000, func(c *Config, n int64) { c.DBMaxConns = int(n) })},
	{Env: "VERDANT_SANDBOX", Flag: "sandbox", Default: "false", isBool: true,
		Usage: "non-production deployment: one-time codes visible to operators and the fixed code 000000 always verifies; instructionCredit/instructionDebit adjustments for every program; /healthCheck reports mode",
		set:   boolean(func(c *Config) *bool { return &c.Sandbox })},
	{Env: "VERDANT_DEMO", Flag: "demo", Default: "false", isBool: true,
		Usage: "seed a complete demo world and print a curl line for every capability (serve; implies --sandbox, so one-time codes are visible; keeps its credentials and operator token in the data directory, and accepts a weak token)",
		set:   boolean(func(c *Config) *bool { return &c.Demo })},
	{Env: "VERDANT_LOG_LEVEL", Flag: "log-level", Default: "info",
		Usage: "debug, info, warn or error (logs go to stderr)", set: logLevel},
	{Env: "VERDANT_LOG_FORMAT", Flag: "log-format", Default: "json",
		Usage: "json (one object a line, for collectors) or text (key=value, for people)",
		set:   text(func(c *Config) *string { return &c.LogFormat }, oneOf("json", "text"))},
	{Env: "VERDANT_METRICS_ADDR", Flag: "metrics-addr",
		Usage: "serve GET /metrics on this address (e.g. an internal network) instead of the main listener",
		set:   text(func(c *Config) *string { return &c.MetricsAddr }, hostPort)},
	{Env: "VERDANT_ADMIN_TOKEN", file: true,
		Usage: "operator API bearer token, at least 32 characters with at least 10 different ones (e.g. openssl rand -hex 32); without it the operator API answers 401",
		set:   text(func(c *Config) *string { return &c.AdminToken }, nil)},
	{Env: "VERDANT_DATA_KEY", file: true, Shown: "generated",
		Usage: "32-byte master key (64 hex digits or base64) sealing PANs/SSNs/DOBs and signing tokens; required on PostgreSQL; on SQLite a development key is generated into the data directory with a new database, with a warning"},
	{Env: "VERDANT_DATA_KEY_RETIRED",
		Usage: "comma-separated older keys that can still open values sealed with them (key rotation)"},
	{Env: "VERDANT_TOKEN_TTL", Flag: "token-ttl", Default: "1h",
		Usage: "lifetime of partner access tokens (1s to " + shortDuration(MaxTokenTTL) + ")",
		set:   durationIn(time.Second, MaxTokenTTL, func(c *Config) *time.Duration { return &c.TokenTTL })},
	{Env: "VERDANT_AUTH_MAX_FAILURES", Flag: "auth-max-failures", Default: strconv.Itoa(DefaultAuthFailures.Max),
		Usage: "failed authentications per client address (operator token) or per client id (POST /authentication) before 429 for the rest of the window (1 to 1000)",
		set:   intIn(1, 1000, func(c *Config, n int64) { c.AuthFailures.Max = int(n) })},
	{Env: "VERDANT_AUTH_FAILURE_WINDOW", Flag: "auth-failure-window", Default: shortDuration(DefaultAuthFailures.Window),
		Usage: "window the failed authentications are counted in, from the first (1m to 24h)",
		set:   durationIn(time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.AuthFailures.Window })},
	{Env: "VERDANT_REQUEST_TIMEOUT", Flag: "request-timeout", Default: "30s",
		Usage: "longest a request may wait, for a database connection included; past it 503 with Retry-After (1s to 60s, under the 60s write timeout)",
		set:   durationIn(time.Second, time.Minute, func(c *Config) *time.Duration { return &c.RequestTimeout })},
	{Env: "VERDANT_MAX_BODY_BYTES", Flag: "max-body-bytes", Default: "1048576",
		Usage: "request body limit in bytes (1024 to 1073741824; answered 413 in the family's envelope)",
		set:   intIn(1024, 1<<30, func(c *Config, n int64) { c.MaxBodyBytes = n })},

	// Contact verification: email and SMS delivery, and the code rules.
	{Env: "VERDANT_SMTP_HOST", Flag: "smtp-host", Page: "verifications",
		Usage: "SMTP server; without it email goes to the log delivery",
		set:   text(func(c *Config) *string { return &c.Notify.SMTPHost }, nil)},
	{Env: "VERDANT_SMTP_PORT", Flag: "smtp-port", Shown: "by TLS mode: 587, 465, 25", Page: "verifications",
		Usage: "SMTP port (1 to 65535)",
		set:   intIn(1, 65535, func(c *Config, n int64) { c.Notify.SMTPPort = int(n) })},
	{Env: "VERDANT_SMTP_TLS", Flag: "smtp-tls", Default: "starttls", Page: "verifications",
		Usage: "starttls (required), tls (implicit TLS) or none (local relay only: credentials travel in clear)",
		set:   text(func(c *Config) *string { return &c.Notify.SMTPTLS }, oneOf("starttls", "tls", "none"))},
	{Env: "VERDANT_SMTP_USER", Flag: "smtp-user", Page: "verifications",
		Usage: "SMTP user; without it no AUTH",
		set:   text(func(c *Config) *string { return &c.Notify.SMTPUser }, nil)},
	{Env: "VERDANT_SMTP_PASSWORD", file: true, Page: "verifications",
		Usage: "SMTP password",
		set:   text(func(c *Config) *string { return &c.Notify.SMTPPassword }, nil)},
	{Env: "VERDANT_SMTP_FROM", Flag: "smtp-from", Default: "no-reply@localhost", Page: "verifications",
		Usage: "sender address",
		set:   text(func(c *Config) *string { return &c.Notify.SMTPFrom }, emailAddress)},
	{Env: "VERDANT_SMS_BASE_URL", Flag: "sms-base-url", Page: "verifications",
		Usage: "Twilio-format API base, e.g. https://api.twilio.com; without it SMS and voice go to the log delivery",
		set:   text(func(c *Config) *string { return &c.Notify.SMSBaseURL }, httpURL)},
	{Env: "VERDANT_SMS_ACCOUNT_SID", Flag: "sms-account-sid", Page: "verifications",
		Usage: "SMS API account (Basic auth user)",
		set:   text(func(c *Config) *string { return &c.Notify.SMSAccount }, nil)},
	{Env: "VERDANT_SMS_AUTH_TOKEN", file: true, Page: "verifications",
		Usage: "SMS API token (Basic auth password)",
		set:   text(func(c *Config) *string { return &c.Notify.SMSToken }, nil)},
	{Env: "VERDANT_SMS_FROM", Flag: "sms-from", Page: "verifications",
		Usage: "sender number (E.164, e.g. +15005550006)",
		set:   text(func(c *Config) *string { return &c.Notify.SMSFrom }, matches(e164, "an E.164 number"))},
	{Env: "VERDANT_VERIFY_CODE_TTL", Flag: "verify-code-ttl", Default: "10m", Page: "verifications",
		Usage: "code lifetime (1m to 24h)",
		set:   durationIn(time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.Verify.CodeTTL })},
	{Env: "VERDANT_VERIFY_MAX_TRIES", Flag: "verify-max-tries", Default: "5", Page: "verifications",
		Usage: "wrong codes before the verification locks (1 to 100)",
		set:   intIn(1, 100, func(c *Config, n int64) { c.Verify.MaxTries = int(n) })},
	{Env: "VERDANT_VERIFY_PER_HOUR", Flag: "verify-per-hour", Default: "5", Page: "verifications",
		Usage: "codes per partner and contact handle per hour (1 to 1000)",
		set:   intIn(1, 1000, func(c *Config, n int64) { c.Verify.PerHour = int(n) })},
	{Env: "VERDANT_VERIFY_MIN_GAP", Flag: "verify-min-gap", Default: "30s", Page: "verifications",
		Usage: "least time between two codes to one handle, from any partner (1s to 1h)",
		set:   durationIn(time.Second, time.Hour, func(c *Config) *time.Duration { return &c.Verify.MinGap })},

	// Customer care: the CRM that support cases are sent to.
	{Env: "VERDANT_CRM_LOGIN_URL", Flag: "crm-login-url", Page: "customer-care",
		Usage: "CRM login URL, e.g. https://login.salesforce.com; with the client id, enables delivery",
		set:   text(func(c *Config) *string { return &c.CRM.LoginURL }, httpURL)},
	{Env: "VERDANT_CRM_INSTANCE_URL", Flag: "crm-instance-url", Shown: "the token answer's instance_url", Page: "customer-care",
		Usage: "CRM API base URL",
		set:   text(func(c *Config) *string { return &c.CRM.InstanceURL }, httpURL)},
	{Env: "VERDANT_CRM_CLIENT_ID", Flag: "crm-client-id", Page: "customer-care",
		Usage: "connected app consumer key",
		set:   text(func(c *Config) *string { return &c.CRM.ClientID }, nil)},
	{Env: "VERDANT_CRM_CLIENT_SECRET", file: true, Page: "customer-care",
		Usage: "connected app consumer secret",
		set:   text(func(c *Config) *string { return &c.CRM.ClientSecret }, nil)},
	{Env: "VERDANT_CRM_USERNAME", Flag: "crm-username", Page: "customer-care",
		Usage: "with VERDANT_CRM_PASSWORD: use the password grant instead of client credentials",
		set:   text(func(c *Config) *string { return &c.CRM.Username }, nil)},
	{Env: "VERDANT_CRM_PASSWORD", file: true, Page: "customer-care",
		Usage: "CRM user's password (password grant)",
		set:   text(func(c *Config) *string { return &c.CRM.Password }, nil)},
	{Env: "VERDANT_CRM_API_VERSION", Flag: "crm-api-version", Default: "59.0", Page: "customer-care",
		Usage: "CRM REST API version, e.g. 59.0",
		set:   text(func(c *Config) *string { return &c.CRM.APIVersion }, matches(apiVersion, "an API version such as 59.0"))},
	{Env: "VERDANT_CRM_EXTERNAL_ID_FIELD", Flag: "crm-external-id-field", Default: "Verdant_Case_Number__c", Page: "customer-care",
		Usage: "CRM case field holding the case number",
		set:   text(func(c *Config) *string { return &c.CRM.ExternalIDField }, matches(fieldName, "a field name"))},
	{Env: "VERDANT_CRM_TIMEOUT", Flag: "crm-timeout", Default: "10s", Page: "customer-care",
		Usage: "per CRM HTTP call (1s to 50s: under the outbox lease of 1 minute)",
		set:   durationIn(time.Second, 50*time.Second, func(c *Config) *time.Duration { return &c.CRM.Timeout })},

	// Sanctions screening and card delivery.
	{Env: "VERDANT_SANCTIONS_THRESHOLD", Flag: "sanctions-threshold", Page: "sanctions",
		Default: strconv.FormatFloat(sanctions.DefaultThreshold, 'f', 2, 64),
		Usage:   "screening score (above 0, at most 1) at or above which a new customer is held for review", set: threshold},
	{Env: "VERDANT_DELIVERY_DAYS_REG", Flag: "delivery-days-reg", Default: "8", Page: "card-delivery",
		Usage: "business days from shipping to arrival, Regular (0 to 60)", set: businessDays("reg")},
	{Env: "VERDANT_DELIVERY_DAYS_EXP", Flag: "delivery-days-exp", Default: "3", Page: "card-delivery",
		Usage: "business days from shipping to arrival, Expedited (0 to 60)", set: businessDays("exp")},
	{Env: "VERDANT_DELIVERY_HOLIDAYS", Flag: "delivery-holidays", Default: "true", isBool: true, Page: "card-delivery",
		Usage: "false counts US federal holidays as business days",
		set:   boolean(func(c *Config) *bool { return &c.Delivery.Calendar.SkipHolidays })},

	// Partner webhooks.
	{Env: "VERDANT_WEBHOOK_TIMEOUT", Flag: "webhook-timeout", Default: "15s", Page: "webhooks",
		Usage: "one webhook delivery attempt (1s to 60s; a claim holds twice that plus 10s)",
		set:   durationIn(time.Second, time.Minute, func(c *Config) *time.Duration { return &c.WebhookTimeout })},
	{Env: "VERDANT_WEBHOOK_RETENTION", Flag: "webhook-retention", Default: "720h", Page: "webhooks",
		Usage: "how long delivered webhook deliveries are kept (1h to 8760h); pending and failed ones stay",
		set:   durationIn(time.Hour, 365*24*time.Hour, func(c *Config) *time.Duration { return &c.WebhookRetention })},
	{Env: "VERDANT_WEBHOOK_DISABLE_AFTER", Flag: "webhook-disable-after", Default: "120h", Page: "webhooks",
		Usage: "a subscription whose every attempt has failed this long is disabled (1h to 8760h)",
		set:   durationIn(time.Hour, 365*24*time.Hour, func(c *Config) *time.Duration { return &c.WebhookDisableAfter })},
	{Env: "VERDANT_WEBHOOK_ALLOW_PRIVATE", Flag: "webhook-allow-private", Default: "false", isBool: true, Page: "webhooks",
		Usage: "accept http and loopback, private or link-local webhook receivers (--sandbox does too)",
		set:   boolean(func(c *Config) *bool { return &c.WebhookAllowPrivate })},

	// Retail cash reload: validations, loads and the enumeration guard.
	{Env: "VERDANT_RETAIL_VALIDATION_TTL", Flag: "retail-validation-ttl", Default: "15m", Page: "retail",
		Usage: "how long an approved retail validation may be committed as a load, holding its amount against the daily load limit (1m to 24h)",
		set:   durationIn(time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.RetailValidationTTL })},
	{Env: "VERDANT_RETAIL_MISS_LIMIT", Flag: "retail-miss-limit", Default: "50", Page: "retail",
		Usage: "validations answered 110 within the miss window that throttle a retailer (partner) for one window (1 to 100000)",
		set:   intIn(1, 100000, func(c *Config, n int64) { c.RetailMissLimit = int(n) })},
	{Env: "VERDANT_RETAIL_MISS_WINDOW", Flag: "retail-miss-window", Default: "5m", Page: "retail",
		Usage: "the enumeration guard's window, and how long a throttle lasts (10s to 24h)",
		set:   durationIn(10*time.Second, 24*time.Hour, func(c *Config) *time.Duration { return &c.RetailMissWindow })},
}
