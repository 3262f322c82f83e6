package notify

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/verdant-baas/verdant/internal/outbox"
)

func TestSMSClassifiesFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status    int
		ok, final bool
	}{
		{201, true, false}, {400, false, true}, {401, false, true}, {404, false, true},
		{429, false, false}, {500, false, false}, {503, false, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Idempotency-Key") != "m1" || r.FormValue("Body") != "hi" {
				w.WriteHeader(http.StatusTeapot)
				return
			}
			w.WriteHeader(c.status)
		}))
		err := SMS{BaseURL: srv.URL, AccountSID: "AC1", AuthToken: "t", From: "+15005550006"}.
			Send(context.Background(), Message{ID: "m1", Channel: "sms", To: "+12133734253", Body: "hi"})
		srv.Close()
		if (err == nil) != c.ok || outbox.IsPermanent(err) != c.final {
			t.Errorf("status %d: err %v (permanent %v)", c.status, err, outbox.IsPermanent(err))
		}
	}
	// An unreachable provider is retried.
	err := SMS{BaseURL: "http://127.0.0.1:1", AccountSID: "AC1"}.Send(context.Background(), Message{ID: "m", To: "+12133734253"})
	if err == nil || outbox.IsPermanent(err) {
		t.Errorf("unreachable provider: %v", err)
	}
}

// rejecting is an SMTP server that refuses every recipient with code.
type rejecting struct{ code int }

func (b rejecting) NewSession(*smtp.Conn) (smtp.Session, error) { return b, nil }
func (b rejecting) Mail(string, *smtp.MailOptions) error        { return nil }
func (b rejecting) Rcpt(string, *smtp.RcptOptions) error {
	return &smtp.SMTPError{Code: b.code, Message: "no such user"}
}
func (b rejecting) Data(r io.Reader) error { _, err := io.Copy(io.Discard, r); return err }
func (b rejecting) Reset()                 {}
func (b rejecting) Logout() error          { return nil }

func TestSMTPClassifiesFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		code  int
		final bool
	}{{550, true}, {451, false}} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s := smtp.NewServer(rejecting{c.code})
		s.Domain = "localhost"
		go s.Serve(ln)
		err = SMTP{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, TLS: "none", From: "a@example.com"}.
			Send(context.Background(), Message{ID: "m1", To: "b@example.com", Subject: "s", Body: "b"})
		s.Close()
		if err == nil || outbox.IsPermanent(err) != c.final {
			t.Errorf("reply %d: err %v, permanent %v", c.code, err, outbox.IsPermanent(err))
		}
	}
	// Nothing listening: retried.
	err := SMTP{Host: "127.0.0.1", Port: 1, TLS: "none", From: "a@example.com"}.
		Send(context.Background(), Message{ID: "m", To: "b@example.com"})
	if err == nil || outbox.IsPermanent(err) {
		t.Errorf("no server: %v", err)
	}
	if err := (SMTP{From: "not an address"}).Send(context.Background(), Message{To: "b@example.com"}); !outbox.IsPermanent(err) {
		t.Errorf("bad sender: %v", err)
	}
}

func TestTwimlSpellsDigits(t *testing.T) {
	t.Parallel()
	got := twiml("Code 123 <x>")
	if !strings.Contains(got, "<Say>Code 1, 2, 3 &lt;x&gt;</Say>") {
		t.Fatalf("twiml = %s", got)
	}
}
