package console

import (
	"net/http"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
)

type operatorsData struct {
	Operators []operator.Operator
	Roles     []operator.Role
	Next      string
	// The create form, and what it made (the password is shown once).
	Email, Name string
	Picked      map[operator.Role]bool
	Created     *operator.Created
}

func (c *Console) operators(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.operatorsPage(w, r, v, &operatorsData{}, http.StatusOK)
}

func (c *Console) operatorsPage(w http.ResponseWriter, r *http.Request, v *view, d *operatorsData, status int) error {
	list, err := c.Operators.List(r.Context(), r.URL.Query().Get("after"), 100)
	if err != nil {
		return err
	}
	d.Operators, d.Roles = list, operator.Roles
	if len(list) == 100 {
		d.Next = list[len(list)-1].ID
	}
	v.Title, v.Data = "Operators", d
	return c.render(w, r, status, "operators", v)
}

// pickedRoles reads the role checkboxes of a form.
func pickedRoles(r *http.Request) ([]string, map[operator.Role]bool) {
	r.ParseForm()
	picked := map[operator.Role]bool{}
	for _, s := range r.PostForm["roles"] {
		picked[operator.Role(s)] = true
	}
	return r.PostForm["roles"], picked
}

// createOperator makes an operator with a generated password, shown once
// on the answer to this request (never in a URL or a cookie).
func (c *Console) createOperator(w http.ResponseWriter, r *http.Request, v *view) error {
	roles, picked := pickedRoles(r)
	d := &operatorsData{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")), Picked: picked}
	created, err := c.Operators.Create(r.Context(), operator.NewOperator{Email: d.Email, Name: d.Name, Roles: roles})
	if err != nil {
		v.Error = message(err)
		return c.operatorsPage(w, r, v, d, statusOf(err))
	}
	d = &operatorsData{Created: &created}
	return c.operatorsPage(w, r, v, d, http.StatusCreated)
}

type operatorData struct {
	Operator operator.Operator
	Tokens   []operator.Token
	Roles    []operator.Role
	Has      map[operator.Role]bool
	Self     bool
	Password string // after a reset: shown once
}

func (c *Console) operatorView(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.operatorPage(w, r, v, "", http.StatusOK)
}

func (c *Console) operatorPage(w http.ResponseWriter, r *http.Request, v *view, password string, status int) error {
	o, err := c.Operators.Get(r.Context(), r.PathValue("operatorId"))
	if err != nil {
		return err
	}
	toks, err := c.Operators.Tokens(r.Context(), o.ID)
	if err != nil {
		return err
	}
	d := operatorData{Operator: o, Tokens: toks, Roles: operator.Roles, Has: map[operator.Role]bool{},
		Self: o.ID == v.Principal.OperatorID, Password: password}
	for _, role := range o.Roles {
		d.Has[role] = true
	}
	v.Title, v.Data = o.Name, d
	return c.render(w, r, status, "operator", v)
}

// changeOperator sets roles, disables or enables, resets the password,
// or revokes a token, as the form's action says.
func (c *Console) changeOperator(w http.ResponseWriter, r *http.Request, v *view) error {
	id := r.PathValue("operatorId")
	var err error
	var done, password string
	switch r.PostFormValue("action") {
	case "roles":
		roles, _ := pickedRoles(r)
		_, err = c.Operators.Change(r.Context(), id, operator.Update{Roles: &roles})
		done = "Roles saved."
	case "disable", "enable":
		off := r.PostFormValue("action") == "disable"
		_, err = c.Operators.Change(r.Context(), id, operator.Update{Disabled: &off})
		done = map[bool]string{true: "Operator disabled: their sessions have ended.", false: "Operator enabled."}[off]
	case "reset":
		password, err = c.Operators.ResetPassword(r.Context(), id, "")
	case "revoke":
		_, err = c.Operators.RevokeToken(r.Context(), id, r.PostFormValue("token"))
		done = "Token revoked."
	default:
		err = apperr.Field("action", "Choose what to change.")
	}
	if err != nil {
		v.Error = message(err)
		if apperr.KindOf(err) == apperr.NotFound && r.PostFormValue("action") != "revoke" {
			return err
		}
		return c.operatorPage(w, r, v, "", statusOf(err))
	}
	if password != "" {
		v.Flash = "Password reset. Give the new password to the operator now: it is not shown again."
		return c.operatorPage(w, r, v, password, http.StatusOK)
	}
	return c.redirect(w, r, "/console/operators/"+id, done)
}

type tokensData struct {
	Tokens []operator.Token
	Name   string
	Issued string // the new token's secret, shown once
}

// tokens is the signed-in operator's own API tokens.
func (c *Console) tokens(w http.ResponseWriter, r *http.Request, v *view) error {
	return c.tokensPage(w, r, v, &tokensData{}, http.StatusOK)
}

func (c *Console) tokensPage(w http.ResponseWriter, r *http.Request, v *view, d *tokensData, status int) error {
	toks, err := c.Operators.Tokens(r.Context(), v.Principal.OperatorID)
	if err != nil {
		return err
	}
	d.Tokens = toks
	v.Title, v.Data = "API tokens", d
	return c.render(w, r, status, "tokens", v)
}

func (c *Console) issueToken(w http.ResponseWriter, r *http.Request, v *view) error {
	d := &tokensData{Name: strings.TrimSpace(r.PostFormValue("name"))}
	_, secret, err := c.Operators.IssueToken(r.Context(), v.Principal.OperatorID, d.Name)
	if err != nil {
		v.Error = message(err)
		return c.tokensPage(w, r, v, d, statusOf(err))
	}
	d.Issued, d.Name = secret, ""
	return c.tokensPage(w, r, v, d, http.StatusCreated)
}

func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, v *view) error {
	if _, err := c.Operators.RevokeToken(r.Context(), v.Principal.OperatorID, r.PathValue("tokenId")); err != nil {
		return err
	}
	return c.redirect(w, r, "/console/tokens", "Token revoked.")
}
