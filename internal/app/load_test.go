package app

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// load runs Load with a map for the environment and args on the command line.
func load(env map[string]string, args ...string) (Config, error) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(k string) string { return env[k] })
}

const strongToken = "0123456789abcdefghijklmnopqrstuvwxyz"

// settingCases covers every setting: the value it has when unset, a good
// value and what it becomes, and values that must stop the start.
var settingCases = []struct {
	env       string
	field     func(Config) any
	good      string // given as the variable; want is what the field then holds
	want, dfl any
	bad       []string
}{
	{env: "VERDANT_ADDR", field: func(c Config) any { return c.Addr }, dfl: "127.0.0.1:8080",
		good: ":0", want: ":0", bad: []string{"8080", "host:port", "127.0.0.1:70000"}},
	{env: "VERDANT_DATA_DIR", field: func(c Config) any { return c.DataDir }, dfl: ".", good: "/var/lib/verdant", want: "/var/lib/verdant"},
	{env: "VERDANT_DB", field: func(c Config) any { return c.DB }, dfl: "sqlite:verdant.db",
		good: "postgres://u:p@db/verdant", want: "postgres://u:p@db/verdant", bad: []string{"sqlite:", "postgres://u:p@/x", "mysql://u:p@db/verdant", "verdant.db"}},
	{env: "VERDANT_DB_MAX_CONNS", field: func(c Config) any { return c.DBMaxConns }, dfl: 32, good: "8", want: 8,
		bad: []string{"0", "-1", "many", "1001", "8.5"}},
	{env: "VERDANT_SANDBOX", field: func(c Config) any { return c.Sandbox }, dfl: false, good: "true", want: true, bad: []string{"yes", "2"}},
	{env: "VERDANT_DEMO", field: func(c Config) any { return c.Demo }, dfl: false, good: "1", want: true, bad: []string{"on"}},
	{env: "VERDANT_LOG_LEVEL", field: func(c Config) any { return c.LogLevel }, dfl: slog.LevelInfo, good: "WARN", want: slog.LevelWarn,
		bad: []string{"verbose", "info+2"}},
	{env: "VERDANT_LOG_FORMAT", field: func(c Config) any { return c.LogFormat }, dfl: "json", good: "text", want: "text",
		bad: []string{"logfmt", "pretty"}},
	{env: "VERDANT_METRICS_ADDR", field: func(c Config) any { return c.MetricsAddr }, dfl: "", good: "10.0.0.5:9090", want: "10.0.0.5:9090",
		bad: []string{"9090", "127.0.0.1:8080"}}, // the second is the main address
	{env: "VERDANT_ADMIN_TOKEN", field: func(c Config) any { return c.AdminToken }, dfl: "", good: strongToken, want: strongToken,
		bad: []string{"a", "change-me", strings.Repeat("ab", 20), "short-token-0123456789abcdef"}},
	{env: "VERDANT_DATA_KEY_RETIRED", field: func(c Config) any { return len(c.RetiredKeys) }, dfl: 0,
		good: strings.Repeat("ab", 32) + ", " + strings.Repeat("cd", 32), want: 2, bad: []string{"abc", strings.Repeat("ab", 31)}},
	{env: "VERDANT_TOKEN_TTL", field: func(c Config) any { return c.TokenTTL }, dfl: time.Hour, good: "24h", want: 24 * time.Hour,
		bad: []string{"1hour", "-1h", "0s", "25h", "1"}},
	{env: "VERDANT_AUTH_MAX_FAILURES", field: func(c Config) any { return c.AuthFailures.Max }, dfl: 10, good: "20", want: 20,
		bad: []string{"0", "-1", "ten", "1001"}},
	{env: "VERDANT_AUTH_FAILURE_WINDOW", field: func(c Config) any { return c.AuthFailures.Window }, dfl: 15 * time.Minute,
		good: "1h", want: time.Hour, bad: []string{"30s", "25h", "15"}},
	{env: "VERDANT_REQUEST_TIMEOUT", field: func(c Config) any { return c.RequestTimeout }, dfl: 30 * time.Second,
		good: "5s", want: 5 * time.Second, bad: []string{"0s", "61s", "30"}},
	{env: "VERDANT_MAX_BODY_BYTES", field: func(c Config) any { return c.MaxBodyBytes }, dfl: int64(1 << 20), good: "2048", want: int64(2048),
		bad: []string{"1MiB", "-1", "0", "2147483648"}},
	{env: "VERDANT_SMTP_HOST", field: func(c Config) any { return c.Notify.SMTPHost }, dfl: "", good: "mail.example.com", want: "mail.example.com"},
	{env: "VERDANT_SMTP_PORT", field: func(c Config) any { return c.Notify.SMTPPort }, dfl: 0, good: "2525", want: 2525,
		bad: []string{"smtp", "0", "65536"}},
	{env: "VERDANT_SMTP_TLS", field: func(c Config) any { return c.Notify.SMTPTLS }, dfl: "starttls", good: "tls", want: "tls",
		bad: []string{"ssl", "yes"}},
	{env: "VERDANT_SMTP_USER", field: func(c Config) any { return c.Notify.SMTPUser }, dfl: "", good: "mailer", want: "mailer"},
	{env: "VERDANT_SMTP_PASSWORD", field: func(c Config) any { return c.Notify.SMTPPassword }, dfl: "", good: "pw", want: "pw"},
	{env: "VERDANT_SMTP_FROM", field: func(c Config) any { return c.Notify.SMTPFrom }, dfl: "no-reply@localhost",
		good: "Bank <bank@example.com>", want: "Bank <bank@example.com>", bad: []string{"bank", "a@b@c"}},
	{env: "VERDANT_SMS_BASE_URL", field: func(c Config) any { return c.Notify.SMSBaseURL }, dfl: "",
		good: "https://api.twilio.com", want: "https://api.twilio.com", bad: []string{"api.twilio.com", "ftp://x", "https://"}},
	{env: "VERDANT_SMS_ACCOUNT_SID", field: func(c Config) any { return c.Notify.SMSAccount }, dfl: "", good: "AC1", want: "AC1"},
	{env: "VERDANT_SMS_AUTH_TOKEN", field: func(c Config) any { return c.Notify.SMSToken }, dfl: "", good: "tok", want: "tok"},
	{env: "VERDANT_SMS_FROM", field: func(c Config) any { return c.Notify.SMSFrom }, dfl: "", good: "+15005550006", want: "+15005550006",
		bad: []string{"15005550006", "+1 500 555"}},
	{env: "VERDANT_VERIFY_CODE_TTL", field: func(c Config) any { return c.Verify.CodeTTL }, dfl: 10 * time.Minute, good: "5m",
		want: 5 * time.Minute, bad: []string{"10", "-5m", "30s", "48h"}},
	{env: "VERDANT_VERIFY_MAX_TRIES", field: func(c Config) any { return c.Verify.MaxTries }, dfl: 5, good: "3", want: 3,
		bad: []string{"0", "-3", "three", "101"}},
	{env: "VERDANT_VERIFY_PER_HOUR", field: func(c Config) any { return c.Verify.PerHour }, dfl: 5, good: "10", want: 10,
		bad: []string{"0", "x"}},
	{env: "VERDANT_VERIFY_MIN_GAP", field: func(c Config) any { return c.Verify.MinGap }, dfl: 30 * time.Second, good: "1m",
		want: time.Minute, bad: []string{"0s", "-1s", "2h", "30"}},
	{env: "VERDANT_CRM_LOGIN_URL", field: func(c Config) any { return c.CRM.LoginURL }, dfl: "",
		good: "https://login.example", want: "https://login.example", bad: []string{"login.example"}},
	{env: "VERDANT_CRM_INSTANCE_URL", field: func(c Config) any { return c.CRM.InstanceURL }, dfl: "",
		good: "https://x.my.example", want: "https://x.my.example", bad: []string{"/services"}},
	{env: "VERDANT_CRM_CLIENT_ID", field: func(c Config) any { return c.CRM.ClientID }, dfl: "", good: "cid", want: "cid"},
	{env: "VERDANT_CRM_CLIENT_SECRET", field: func(c Config) any { return c.CRM.ClientSecret }, dfl: "", good: "s", want: "s"},
	{env: "VERDANT_CRM_USERNAME", field: func(c Config) any { return c.CRM.Username }, dfl: "", good: "u", want: "u"},
	{env: "VERDANT_CRM_PASSWORD", field: func(c Config) any { return c.CRM.Password }, dfl: "", good: "p", want: "p"},
	{env: "VERDANT_CRM_API_VERSION", field: func(c Config) any { return c.CRM.APIVersion }, dfl: "59.0", good: "v60.0", want: "v60.0",
		bad: []string{"latest", "60"}},
	{env: "VERDANT_CRM_EXTERNAL_ID_FIELD", field: func(c Config) any { return c.CRM.ExternalIDField }, dfl: "Verdant_Case_Number__c",
		good: "Ref__c", want: "Ref__c", bad: []string{"Ref c", "1x"}},
	{env: "VERDANT_CRM_TIMEOUT", field: func(c Config) any { return c.CRM.Timeout }, dfl: 10 * time.Second, good: "3s",
		want: 3 * time.Second, bad: []string{"3", "0s", "2m"}},
	{env: "VERDANT_SANCTIONS_THRESHOLD", field: func(c Config) any { return c.SanctionsThreshold }, dfl: 0.90, good: "0.85",
		want: 0.85, bad: []string{"high", "0", "-0.5", "1.5", "NaN"}},
	{env: "VERDANT_DELIVERY_DAYS_REG", field: func(c Config) any { return c.Delivery.BusinessDays["reg"] }, dfl: 8, good: "10",
		want: 10, bad: []string{"x", "-1", "61"}},
	{env: "VERDANT_DELIVERY_DAYS_EXP", field: func(c Config) any { return c.Delivery.BusinessDays["exp"] }, dfl: 3, good: "0",
		want: 0, bad: []string{"two", "-1"}},
	{env: "VERDANT_DELIVERY_HOLIDAYS", field: func(c Config) any { return c.Delivery.Calendar.SkipHolidays }, dfl: true,
		good: "false", want: false, bad: []string{"maybe"}},
	{env: "VERDANT_LOGIN_MAX_FAILURES", field: func(c Config) any { return c.Console.LoginFailures }, dfl: 5, good: "10", want: 10,
		bad: []string{"0", "-1", "five", "101"}},
	{env: "VERDANT_LOGIN_WINDOW", field: func(c Config) any { return c.Console.LoginWindow }, dfl: 15 * time.Minute, good: "1h",
		want: time.Hour, bad: []string{"15", "30s", "25h"}},
	{env: "VERDANT_LOGIN_LOCKOUT", field: func(c Config) any { return c.Console.LoginLockout }, dfl: 15 * time.Minute, good: "2h",
		want: 2 * time.Hour, bad: []string{"forever", "0s", "48h"}},
	{env: "VERDANT_CONSOLE_IDLE_TIMEOUT", field: func(c Config) any { return c.Console.IdleTimeout }, dfl: 30 * time.Minute,
		good: "10m", want: 10 * time.Minute, bad: []string{"30", "10s", "13h"}}, // 13h: over the session's maximum age
	{env: "VERDANT_CONSOLE_SESSION_MAX_AGE", field: func(c Config) any { return c.Console.MaxAge }, dfl: 12 * time.Hour,
		good: "72h", want: 72 * time.Hour, bad: []string{"1d", "1m", "169h"}},
	{env: "VERDANT_CONSOLE_SECURE_COOKIES", field: func(c Config) any { return c.Console.SecureCookies }, dfl: false,
		good: "true", want: true, bad: []string{"https"}},
	{env: "VERDANT_CONSOLE_FOUR_EYES", field: func(c Config) any { return c.Console.FourEyes }, dfl: false,
		good: "true", want: true, bad: []string{"two"}},
	{env: "VERDANT_WEBHOOK_TIMEOUT", field: func(c Config) any { return c.WebhookTimeout }, dfl: 15 * time.Second,
		good: "5s", want: 5 * time.Second, bad: []string{"5", "500ms", "2m"}},
	{env: "VERDANT_WEBHOOK_RETENTION", field: func(c Config) any { return c.WebhookRetention }, dfl: 720 * time.Hour,
		good: "48h", want: 48 * time.Hour, bad: []string{"30d", "10m", "9000h"}},
	{env: "VERDANT_WEBHOOK_DISABLE_AFTER", field: func(c Config) any { return c.WebhookDisableAfter }, dfl: 120 * time.Hour,
		good: "24h", want: 24 * time.Hour, bad: []string{"5d", "1m"}},
	{env: "VERDANT_WEBHOOK_ALLOW_PRIVATE", field: func(c Config) any { return c.WebhookAllowPrivate }, dfl: false,
		good: "true", want: true, bad: []string{"sometimes"}},
	{env: "VERDANT_RETAIL_VALIDATION_TTL", field: func(c Config) any { return c.RetailValidationTTL }, dfl: 15 * time.Minute,
		good: "30m", want: 30 * time.Minute, bad: []string{"30", "59s", "25h"}},
	{env: "VERDANT_RETAIL_MISS_LIMIT", field: func(c Config) any { return c.RetailMissLimit }, dfl: 50, good: "10", want: 10,
		bad: []string{"0", "many", "100001"}},
	{env: "VERDANT_RETAIL_MISS_WINDOW", field: func(c Config) any { return c.RetailMissWindow }, dfl: 5 * time.Minute,
		good: "1m", want: time.Minute, bad: []string{"5", "1s", "48h"}},
}

func TestLoadEverySetting(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{"VERDANT_DATA_KEY": true} // loaded by LoadDataKey (TestLoadDataKeyNamesTheVariable)
	for _, tc := range settingCases {
		covered[tc.env] = true
		t.Run(tc.env, func(t *testing.T) {
			c, err := load(nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.field(c); got != tc.dfl {
				t.Errorf("default: %v, want %v", got, tc.dfl)
			}
			if c, err = load(map[string]string{tc.env: tc.good}); err != nil {
				t.Fatalf("%s=%q: %v", tc.env, tc.good, err)
			}
			if got := tc.field(c); got != tc.want {
				t.Errorf("%s=%q: %v, want %v", tc.env, tc.good, got, tc.want)
			}
			for _, bad := range tc.bad {
				_, err := load(map[string]string{tc.env: bad})
				if err == nil || !strings.HasPrefix(err.Error(), tc.env+": ") {
					t.Errorf("%s=%q: error %v, want one naming %s", tc.env, bad, err, tc.env)
				}
			}
		})
	}
	for _, s := range Settings {
		if !covered[s.Env] {
			t.Errorf("setting %s has no case in settingCases", s.Env)
		}
	}
}

// A bad value quotes itself, so the operator sees what was read.
func TestLoadErrorMessages(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"VERDANT_TOKEN_TTL=1hour":           `VERDANT_TOKEN_TTL: "1hour" is not a duration`,
		"VERDANT_TOKEN_TTL=-1h":             `VERDANT_TOKEN_TTL: "-1h" is under the minimum of 1s`,
		"VERDANT_TOKEN_TTL=48h":             `VERDANT_TOKEN_TTL: "48h" is over the maximum of 24h`,
		"VERDANT_SANCTIONS_THRESHOLD=0":     `VERDANT_SANCTIONS_THRESHOLD: "0" is not above 0 and at most 1`,
		"VERDANT_MAX_BODY_BYTES=1MiB":       `VERDANT_MAX_BODY_BYTES: "1MiB" is not a whole number`,
		"VERDANT_ADMIN_TOKEN=a":             `VERDANT_ADMIN_TOKEN: too weak`,
		"VERDANT_DB=postgres://u:secret@/x": `VERDANT_DB: not a valid PostgreSQL URL`,
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := load(map[string]string{k: v})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %s", env, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", env, err)
		}
	}
}

func TestLoadFlagsWinOverEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{"VERDANT_TOKEN_TTL": "2h", "VERDANT_ADDR": ":9000", "VERDANT_SANDBOX": "true"}
	c, err := load(env, "--token-ttl", "30m", "--sandbox=false")
	if err != nil || c.TokenTTL != 30*time.Minute || c.Addr != ":9000" || c.Sandbox {
		t.Fatalf("%+v %v", c, err)
	}
	if c, err := load(env, "--demo"); err != nil || !c.Demo { // a bool flag without a value
		t.Fatalf("%+v %v", c, err)
	}
	// A bad flag is refused naming the flag, even when its variable is good.
	if _, err := load(env, "--token-ttl", "1hour"); err == nil || !strings.Contains(err.Error(), "-token-ttl") {
		t.Fatalf("bad flag: %v", err)
	}
	if _, err := load(nil, "-h"); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
}

func TestLoadDefaultDBFollowsDataDir(t *testing.T) {
	t.Parallel()
	c, err := load(map[string]string{"VERDANT_DATA_DIR": "/srv/v"})
	if err != nil || c.DB != "sqlite:/srv/v/verdant.db" {
		t.Fatalf("%q %v", c.DB, err)
	}
}

func TestLoadSecretsFromFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, v string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := load(map[string]string{"VERDANT_ADMIN_TOKEN_FILE": write("admin", strongToken),
		"VERDANT_SMTP_PASSWORD_FILE": write("smtp", "pw"), "VERDANT_CRM_CLIENT_SECRET_FILE": write("crm", "s3cret")})
	if err != nil || c.AdminToken != strongToken || c.Notify.SMTPPassword != "pw" || c.CRM.ClientSecret != "s3cret" {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := load(map[string]string{"VERDANT_ADMIN_TOKEN_FILE": write("weak", "abc")}); err == nil ||
		!strings.HasPrefix(err.Error(), "VERDANT_ADMIN_TOKEN: too weak") {
		t.Fatalf("weak token from a file: %v", err)
	}
	if _, err := load(map[string]string{"VERDANT_SMS_AUTH_TOKEN_FILE": filepath.Join(dir, "missing")}); err == nil ||
		!strings.Contains(err.Error(), "VERDANT_SMS_AUTH_TOKEN_FILE") {
		t.Fatalf("missing file: %v", err)
	}
}

// The documented development path: --demo accepts a weak operator token.
func TestLoadWeakAdminTokenOnlyForDemo(t *testing.T) {
	t.Parallel()
	env := map[string]string{"VERDANT_ADMIN_TOKEN": "adm"}
	if _, err := load(env); err == nil {
		t.Fatal("weak token accepted without --demo")
	}
	if c, err := load(env, "--demo"); err != nil || c.AdminToken != "adm" {
		t.Fatalf("--demo: %v", err)
	}
}

func TestLoadDataKeyNamesTheVariable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := Config{DataDir: dir, DB: DefaultDB(dir)}
	if _, err := LoadDataKey(func(k string) string { return map[string]string{"VERDANT_DATA_KEY": "short"}[k] }, cfg, Discard); err == nil ||
		!strings.HasPrefix(err.Error(), "VERDANT_DATA_KEY: ") {
		t.Fatalf("%v", err)
	}
	key, err := LoadDataKey(func(string) string { return "" }, cfg, Discard) // generated for development
	if err != nil || len(key) != 32 {
		t.Fatalf("%d %v", len(key), err)
	}
	again, err := LoadDataKey(func(string) string { return "" }, cfg, Discard) // kept, not made again
	if err != nil || string(again) != string(key) {
		t.Fatalf("second start: another key (%v)", err)
	}
}

// A key is generated only with a new SQLite database: never on
// PostgreSQL, and never for a database that exists without its key.
func TestLoadDataKeyNeverThrowaway(t *testing.T) {
	t.Parallel()
	none := func(string) string { return "" }
	_, err := LoadDataKey(none, Config{DataDir: t.TempDir(), DB: "postgres://u@db/verdant"}, Discard)
	if err == nil || !strings.Contains(err.Error(), "VERDANT_DATA_KEY or VERDANT_DATA_KEY_FILE is required on PostgreSQL") {
		t.Fatalf("PostgreSQL without a key: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "verdant.db"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadDataKey(none, Config{DataDir: dir, DB: DefaultDB(dir)}, Discard)
	if err == nil || !strings.Contains(err.Error(), "exists but no data key is set") {
		t.Fatalf("existing database without its key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, DevKeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was written for an existing database: %v", err)
	}
	file := filepath.Join(t.TempDir(), "data.key")
	os.WriteFile(file, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	key, err := LoadDataKey(func(k string) string { return map[string]string{"VERDANT_DATA_KEY_FILE": file}[k] },
		Config{DataDir: t.TempDir(), DB: "postgres://u@db/verdant"}, Discard)
	if err != nil || len(key) != 32 {
		t.Fatalf("PostgreSQL with VERDANT_DATA_KEY_FILE: %v", err)
	}
}

func TestWeakToken(t *testing.T) {
	t.Parallel()
	for tok, weak := range map[string]bool{
		"": true, "a": true, "test-admin-token": true, strings.Repeat("x", 64): true, strings.Repeat("abcd", 10): true,
		strongToken: false, "va_" + strings.Repeat("0123456789", 4): false,
	} {
		if WeakToken(tok) != weak {
			t.Errorf("WeakToken(%q) = %v", tok, !weak)
		}
	}
}

// The demo is a sandbox: codes visible, the fixed code accepted, and
// /healthCheck says so.
func TestDemoIsSandbox(t *testing.T) {
	t.Parallel()
	c, err := load(nil, "--demo")
	if err != nil || !c.Sandbox {
		t.Fatalf("--demo: sandbox %v (%v)", c.Sandbox, err)
	}
	if c, _ := load(nil); c.Sandbox {
		t.Fatal("sandbox without --demo or --sandbox")
	}
}
