package api_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/verdant-baas/verdant/internal/app"
)

// mailbox is a real SMTP server in process that keeps what it receives.
type mailbox struct {
	Host string
	Port int
	mu   sync.Mutex
	msgs []received
}

type received struct {
	From, To, MessageID, Subject, Body string
}

// newMailbox starts an SMTP server (AUTH PLAIN user/secret, no TLS).
func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	mb := &mailbox{}
	s := smtp.NewServer(mb)
	s.Domain, s.AllowInsecureAuth = "localhost", true
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	mb.Host = "127.0.0.1"
	mb.Port = ln.Addr().(*net.TCPAddr).Port
	return mb
}

func (mb *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{mb: mb}, nil }

// configure points an app's email delivery at the mailbox.
func (mb *mailbox) configure(c *app.Config) {
	c.Notify.SMTPHost, c.Notify.SMTPPort, c.Notify.SMTPTLS = mb.Host, mb.Port, "none"
	c.Notify.SMTPUser, c.Notify.SMTPPassword, c.Notify.SMTPFrom = "user", "secret", "codes@verdant.test"
}

func (mb *mailbox) all() []received {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]received(nil), mb.msgs...)
}

// wait answers the messages once there are at least n (or fails).
func (mb *mailbox) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := mb.all(); len(m) >= n {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("mailbox: want %d messages, have %d", n, len(mb.all()))
	return nil
}

type session struct {
	mb       *mailbox
	authed   bool
	from, to string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "user" || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(m.Body)
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, received{From: s.from, To: s.to, MessageID: m.Header.Get("Message-Id"),
		Subject: m.Header.Get("Subject"), Body: string(body)})
	s.mb.mu.Unlock()
	return nil
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

// smsAPI is an httptest server speaking Twilio's Messages/Calls format.
type smsAPI struct {
	URL    string
	mu     sync.Mutex
	status int // answer status (default 201)
	msgs   []smsReceived
}

type smsReceived struct{ Resource, To, From, Body, Twiml, Key string }

func newSMSAPI(t *testing.T) *smsAPI {
	t.Helper()
	api := &smsAPI{status: http.StatusCreated}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "AC123" || pass != "token" || r.Method != http.MethodPost {
			http.Error(w, `{"code":20003}`, http.StatusUnauthorized)
			return
		}
		resource := map[string]string{"/2010-04-01/Accounts/AC123/Messages.json": "Messages",
			"/2010-04-01/Accounts/AC123/Calls.json": "Calls"}[r.URL.Path]
		if resource == "" || r.ParseForm() != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		api.mu.Lock()
		st := api.status
		if st < 300 {
			api.msgs = append(api.msgs, smsReceived{resource, r.PostForm.Get("To"), r.PostForm.Get("From"),
				r.PostForm.Get("Body"), r.PostForm.Get("Twiml"), r.Header.Get("Idempotency-Key")})
		}
		n := len(api.msgs)
		api.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		w.Write([]byte(`{"sid":"SM` + strconv.Itoa(n) + `"}`))
	}))
	t.Cleanup(srv.Close)
	api.URL = srv.URL
	return api
}

func (s *smsAPI) configure(c *app.Config) {
	c.Notify.SMSBaseURL, c.Notify.SMSAccount, c.Notify.SMSToken, c.Notify.SMSFrom = s.URL, "AC123", "token", "+15005550006"
}

func (s *smsAPI) setStatus(st int) { s.mu.Lock(); s.status = st; s.mu.Unlock() }

func (s *smsAPI) wait(t *testing.T, n int) []smsReceived {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		m := append([]smsReceived(nil), s.msgs...)
		s.mu.Unlock()
		if len(m) >= n {
			return m
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("sms api: want %d messages", n)
	return nil
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// codeIn extracts the 6-digit code from a message text.
func codeIn(t *testing.T, body string) string {
	t.Helper()
	m := codeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code in message %q", body)
	}
	return m[1]
}
