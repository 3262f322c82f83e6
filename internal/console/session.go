package console

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

// Cookie names. Every cookie is HttpOnly, SameSite=Strict, scoped to
// /console, and Secure behind TLS.
const (
	sessionCookie = "verdant_console"
	loginCookie   = "verdant_login" // the sign-in form's CSRF token (double submit)
	flashCookie   = "verdant_flash"
)

// view is what every page is rendered with.
type view struct {
	Principal operator.Principal
	CSRF      string
	Path      string
	Title     string
	Flash     string // a message carried over a redirect
	Error     string // why the request failed
	Data      any
	Version   string
	pattern   string
	client    string
}

// Can reports whether the signed-in operator holds a permission (by name).
func (v *view) Can(perm string) bool { return v.Principal.Can(operator.Permission(perm)) }

func (c *Console) newView(r *http.Request) *view {
	return &view{Path: r.URL.Path, Version: c.Version, pattern: r.Pattern, client: clientAddr(r)}
}

// clientAddr is the caller's address (the throttle's client key).
func clientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func (c *Console) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.SecureCookies || r.TLS != nil}
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// public adapts a page that needs no session (sign-in, not found).
func (c *Console) public(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := c.newView(r)
		if err := h(w, r, v); err != nil {
			c.fail(w, r, v, err)
		}
	})
}

// signedIn adapts a page or action for a signed-in operator holding perm.
// In order: the session (else sign in again: a GET is sent to the sign-in
// page, a POST is refused and audited), the CSRF token of a POST
// (refused and audited), the permission (403, audited). A refused
// request changes nothing.
func (c *Console) signedIn(perm operator.Permission, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := c.newView(r)
		ck, _ := r.Cookie(sessionCookie)
		var secret string
		if ck != nil {
			secret = ck.Value
		}
		p, ss, err := c.Operators.Resume(r.Context(), secret)
		if err != nil {
			c.noSession(w, r, v, ck != nil, err)
			return
		}
		v.Principal, v.CSRF = p, ss.CSRF
		r = r.WithContext(operator.NewContext(r.Context(), p))
		if r.Method == http.MethodPost && !c.csrfOK(r, ss.CSRF) {
			c.refuse(w, r, v, "missing or wrong CSRF token", apperr.E(apperr.Forbidden,
				"This form could not be accepted: it did not carry the console's security token. Reload the page and try again."))
			return
		}
		if !p.Can(perm) {
			if err := c.Operators.Deny(r.Context(), p, "console "+r.Pattern, perm); err != nil {
				c.fail(w, r, v, err)
				return
			}
			c.fail(w, r, v, forbidden(p, perm))
			return
		}
		v.Flash = c.takeFlash(w, r)
		if err := h(w, r, v); err != nil {
			c.fail(w, r, v, err)
		}
	})
}

// noSession answers a request without a live session.
func (c *Console) noSession(w http.ResponseWriter, r *http.Request, v *view, hadCookie bool, err error) {
	if apperr.KindOf(err) != apperr.Unauthorized {
		c.fail(w, r, v, err)
		return
	}
	if hadCookie {
		http.SetCookie(w, c.cookie(r, sessionCookie, "", -1))
	}
	if r.Method != http.MethodPost {
		q := url.Values{"next": {r.URL.RequestURI()}}
		if hadCookie {
			q.Set("expired", "1")
		}
		http.Redirect(w, r, "/console/login?"+q.Encode(), http.StatusSeeOther)
		return
	}
	c.refuse(w, r, v, "no live session", operator.ErrSessionExpired)
}

// refuse audits a refused request and renders why.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, v *view, reason string, err error) {
	if aerr := c.Operators.Refuse(r.Context(), v.Principal, v.client, "console "+r.Pattern, reason); aerr != nil {
		err = aerr
	}
	c.fail(w, r, v, err)
}

func (c *Console) csrfOK(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// forbidden is the refusal of an action the operator's roles do not allow.
func forbidden(p operator.Principal, perm operator.Permission) error {
	var roles, holders []string
	for _, r := range p.Roles {
		roles = append(roles, string(r))
	}
	for _, r := range operator.Grants[perm] {
		holders = append(holders, string(r))
	}
	return apperr.E(apperr.Forbidden, "Your roles (%s) do not allow this. It needs the %s permission, held by: %s.",
		strings.Join(roles, ", "), perm, strings.Join(holders, ", "))
}

// fail renders the error page (or, signed out, the sign-in page).
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		c.Log.Error("console", "route", r.Pattern, "error", err.Error())
	}
	v.Error, v.Title = message(err), "Request refused"
	if status == http.StatusUnauthorized && v.Principal.OperatorID == "" {
		v.Title = "Sign in"
		c.loginForm(w, r, v, status)
		return
	}
	if status == http.StatusNotFound {
		v.Title = "Not found"
	}
	c.render(w, r, status, "error", v)
}

// redirect ends a successful action: 303 to the page that shows its
// result, with a one-time message.
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		http.SetCookie(w, c.cookie(r, flashCookie, base64.RawURLEncoding.EncodeToString([]byte(flash)), 60))
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (c *Console) takeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(flashCookie)
	if err != nil || r.Method != http.MethodGet {
		return ""
	}
	http.SetCookie(w, c.cookie(r, flashCookie, "", -1))
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 300 {
		return ""
	}
	return string(b)
}

// render writes a page: the layout around the named page template.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) error {
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.Log.Error("console template", "page", name, "error", err.Error())
		http.Error(w, "page failed to render", http.StatusInternalServerError)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}
