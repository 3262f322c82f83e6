package console

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// loginData is the sign-in form.
type loginData struct {
	Email, Next string
	Expired     bool
	SignedOut   bool
}

// safeNext keeps a post-sign-in redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console/"
	}
	return next
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request, v *view) error {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if _, _, err := c.Operators.Resume(r.Context(), ck.Value); err == nil {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return nil
		}
	}
	q := r.URL.Query()
	v.Title = "Sign in"
	v.Data = loginData{Next: safeNext(q.Get("next")), Expired: q.Get("expired") == "1", SignedOut: q.Get("signedout") == "1"}
	return c.loginForm(w, r, v, http.StatusOK)
}

// loginForm renders the sign-in form with a fresh double-submit token.
func (c *Console) loginForm(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	tok := randomToken()
	http.SetCookie(w, c.cookie(r, loginCookie, tok, 3600))
	v.CSRF = tok
	if _, ok := v.Data.(loginData); !ok {
		// After signing in again, a refused form's page (not its action).
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = "/console/"
		}
		v.Data = loginData{Next: safeNext(next)}
	}
	return c.render(w, r, status, "login", v)
}

// login checks the sign-in form: its token, then the throttle and the
// password (operator.Service.Login); success starts a session.
func (c *Console) login(w http.ResponseWriter, r *http.Request, v *view) error {
	v.Title = "Sign in"
	email, next := strings.TrimSpace(r.PostFormValue("email")), safeNext(r.PostFormValue("next"))
	v.Data = loginData{Email: email, Next: next}
	ck, err := r.Cookie(loginCookie)
	got := r.PostFormValue("csrf")
	if err != nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(ck.Value)) != 1 {
		if err := c.Operators.Refuse(r.Context(), v.Principal, v.client, "console POST /console/login", "missing or wrong CSRF token"); err != nil {
			return err
		}
		v.Error = "The sign-in form had expired. Enter your email and password again."
		return c.loginForm(w, r, v, http.StatusForbidden)
	}
	o, err := c.Operators.Login(r.Context(), email, r.PostFormValue("password"), v.client)
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Unauthorized && k != apperr.RateLimited {
			return err
		}
		v.Error = message(err)
		return c.loginForm(w, r, v, statusOf(err))
	}
	secret, _, err := c.Operators.StartSession(r.Context(), o, v.client)
	if err != nil {
		return err
	}
	http.SetCookie(w, c.cookie(r, sessionCookie, secret, 0))
	http.SetCookie(w, c.cookie(r, loginCookie, "", -1))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, v *view) error {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if err := c.Operators.EndSession(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, c.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/console/login?signedout=1", http.StatusSeeOther)
	return nil
}
