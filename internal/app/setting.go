package app

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Setting is one thing verdant can be told at start: a flag and the
// VERDANT_ variable of the same name (flag -foo-bar, variable
// VERDANT_FOO_BAR), or, for a secret, only the variable or a file named by
// NAME_FILE (a secret on a command line is visible to every local user).
type Setting struct {
	Env     string // VERDANT_ variable
	Flag    string // flag name; "" for a secret
	Default string // used when neither flag nor variable is given, parsed like them; "" = none
	Shown   string // the default as documented, when it is not Default itself
	Usage   string // one line for --help and the README
	Page    string // docs page that describes it further ("" = the README)

	isBool bool                        // a flag that may be given without a value
	file   bool                        // NAME_FILE may hold the value
	set    func(*Config, string) error // parses, checks and stores a value; nil: loaded elsewhere
}

// ShownDefault is the default as --help and the README show it.
func (s Setting) ShownDefault() string {
	switch {
	case s.Shown != "":
		return s.Shown
	case s.Default != "":
		return s.Default
	}
	return "none"
}

// Names is how the setting is given: "--flag / VERDANT_FLAG", or
// "VERDANT_SECRET / _FILE" for a secret.
func (s Setting) Names() string {
	switch {
	case s.Flag != "":
		return "--" + s.Flag + " / " + s.Env
	case s.file:
		return s.Env + " / _FILE"
	}
	return s.Env
}

// The value parsers below are strict: a value that does not parse, or is
// out of its range, is an error that quotes it (never a secret: secrets
// are stored as given) and the caller names the setting.

func durationIn(lo, hi time.Duration, field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			return fmt.Errorf("%q is not a duration (e.g. 90s, 10m, 1h)", v)
		case d < lo:
			return fmt.Errorf("%q is under the minimum of %s", v, shortDuration(lo))
		case d > hi:
			return fmt.Errorf("%q is over the maximum of %s", v, shortDuration(hi))
		}
		*field(c) = d
		return nil
	}
}

// shortDuration writes 24h rather than 24h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func intIn(lo, hi int64, store func(*Config, int64)) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		if n < lo || n > hi {
			return fmt.Errorf("%q is not between %d and %d", v, lo, hi)
		}
		store(c, n)
		return nil
	}
}

func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*field(c) = b
		return nil
	}
}

// text accepts any value, or with check only one it accepts.
func text(field func(*Config) *string, check func(string) error) func(*Config, string) error {
	return func(c *Config, v string) error {
		if check != nil {
			if err := check(v); err != nil {
				return err
			}
		}
		*field(c) = v
		return nil
	}
}

func oneOf(names ...string) func(string) error {
	return func(v string) error {
		if !slices.Contains(names, strings.ToLower(v)) {
			return fmt.Errorf("%q is not one of %s", v, strings.Join(names, ", "))
		}
		return nil
	}
}

// hostPort checks a listen address such as 127.0.0.1:8080 or :0.
func hostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q is not a host:port address (e.g. 127.0.0.1:8080)", v)
	}
	return nil
}

// httpURL checks an absolute http or https URL.
func httpURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", v)
	}
	return nil
}

// databaseURL checks sqlite:PATH, a bare path or postgres://...; it never
// quotes the value, which may hold a password.
func databaseURL(v string) error {
	if strings.HasPrefix(v, "postgres://") || strings.HasPrefix(v, "postgresql://") {
		if u, err := url.Parse(v); err != nil || u.Host == "" {
			return fmt.Errorf("not a valid PostgreSQL URL (postgres://user:pass@host/db)")
		}
		return nil
	}
	if strings.TrimPrefix(v, "sqlite:") == "" {
		return fmt.Errorf("sqlite: needs a path")
	}
	return nil
}

func emailAddress(v string) error {
	if _, err := mail.ParseAddress(v); err != nil {
		return fmt.Errorf("%q is not an email address", v)
	}
	return nil
}

var (
	e164       = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	apiVersion = regexp.MustCompile(`^v?[0-9]+\.[0-9]+$`)
	fieldName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

func matches(re *regexp.Regexp, what string) func(string) error {
	return func(v string) error {
		if !re.MatchString(v) {
			return fmt.Errorf("%q is not %s", v, what)
		}
		return nil
	}
}

func logLevel(c *Config, v string) error {
	if err := oneOf("debug", "info", "warn", "error")(v); err != nil {
		return err
	}
	return c.LogLevel.UnmarshalText([]byte(v))
}

func threshold(c *Config, v string) error {
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a number", v)
	case !(f > 0 && f <= 1):
		return fmt.Errorf("%q is not above 0 and at most 1", v)
	}
	c.SanctionsThreshold = f
	return nil
}

// businessDays stores a card delivery time for one method.
func businessDays(method string) func(*Config, string) error {
	return intIn(0, 60, func(c *Config, n int64) { c.Delivery.BusinessDays[method] = int(n) })
}
