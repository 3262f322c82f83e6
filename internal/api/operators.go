package api

import (
	"net/http"
	"time"

	"github.com/verdant-baas/verdant/internal/operator"
)

// operatorRoutes registers the management of named operators and their
// API tokens (admin role), and the caller's own view.
func (s *Server) operatorRoutes(mux *router) {
	if s.Operators == nil {
		return
	}
	const op = "/admin/v1/operators/{operatorId}"
	mux.Handle("GET /admin/v1/operators/me", s.admin(s.adminGetCurrentOperator))
	mux.Handle("GET /admin/v1/operators", s.admin(s.adminListOperators))
	mux.Handle("POST /admin/v1/operators", s.admin(s.adminCreateOperator))
	mux.Handle("GET "+op, s.admin(s.adminGetOperator))
	mux.Handle("PATCH "+op, s.admin(s.adminPatchOperator))
	mux.Handle("POST "+op+"/password", s.admin(s.adminResetOperatorPassword))
	mux.Handle("GET "+op+"/tokens", s.admin(s.adminListOperatorTokens))
	mux.Handle("POST "+op+"/tokens", s.admin(s.adminIssueOperatorToken))
	mux.Handle("DELETE "+op+"/tokens/{tokenId}", s.admin(s.adminRevokeOperatorToken))
}

// OperatorJSON is the operator API's view of an operator: never the
// password hash.
type OperatorJSON struct {
	OperatorID string    `json:"operatorId"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Roles      []string  `json:"roles"`
	Disabled   bool      `json:"disabled"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	// Password is set only when it was generated (create, reset): shown once.
	Password string `json:"password,omitempty"`
}

// OperatorView is the operator view of an operator (API and CLI alike).
func OperatorView(o operator.Operator) OperatorJSON {
	roles := []string{}
	for _, r := range o.Roles {
		roles = append(roles, string(r))
	}
	return OperatorJSON{OperatorID: o.ID, Email: o.Email, Name: o.Name, Roles: roles, Disabled: o.Disabled,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// TokenJSON is an operator API token; Token (the secret) only when issued.
type TokenJSON struct {
	TokenID   string     `json:"tokenId"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"createdAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
	Token     string     `json:"token,omitempty"`
}

// TokenView is the operator view of a token (API and CLI alike).
func TokenView(t operator.Token, secret string) TokenJSON {
	out := TokenJSON{TokenID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Token: secret}
	if !t.RevokedAt.IsZero() {
		out.RevokedAt = &t.RevokedAt
	}
	return out
}

func (s *Server) adminGetCurrentOperator(w http.ResponseWriter, r *http.Request) error {
	p, _ := operator.FromContext(r.Context())
	out := struct {
		OperatorID string   `json:"operatorId,omitempty"`
		Email      string   `json:"email,omitempty"`
		Roles      []string `json:"roles"`
		Superuser  bool     `json:"superuser"`
		Actor      string   `json:"actor"`
	}{OperatorID: p.OperatorID, Email: p.Email, Roles: []string{}, Superuser: p.Superuser, Actor: p.Actor()}
	for _, role := range operator.Roles {
		if p.Has(role) {
			out.Roles = append(out.Roles, string(role))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) adminListOperators(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r, 100)
	if err != nil {
		return err
	}
	ops, err := s.Operators.List(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	out := struct {
		Operators []OperatorJSON `json:"operators"`
		Next      string         `json:"next,omitempty"`
	}{Operators: []OperatorJSON{}}
	for _, o := range ops {
		out.Operators = append(out.Operators, OperatorView(o))
	}
	if len(ops) == limit {
		out.Next = ops[len(ops)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) adminCreateOperator(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string   `json:"email"`
		Name     string   `json:"name"`
		Roles    []string `json:"roles"`
		Password string   `json:"password"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	c, err := s.Operators.Create(r.Context(), operator.NewOperator{Email: in.Email, Name: in.Name, Roles: in.Roles, Password: in.Password})
	if err != nil {
		return err
	}
	out := OperatorView(c.Operator)
	if in.Password == "" {
		out.Password = c.Password
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) adminGetOperator(w http.ResponseWriter, r *http.Request) error {
	o, err := s.Operators.Get(r.Context(), r.PathValue("operatorId"))
	return answer(w, http.StatusOK, OperatorView, o, err)
}

func (s *Server) adminPatchOperator(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Roles    *[]string `json:"roles"`
		Disabled *bool     `json:"disabled"`
		Name     *string   `json:"name"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	o, err := s.Operators.Change(r.Context(), r.PathValue("operatorId"), operator.Update{Roles: in.Roles, Disabled: in.Disabled, Name: in.Name})
	return answer(w, http.StatusOK, OperatorView, o, err)
}

// adminResetOperatorPassword sets a generated password (answered once), ends the
// operator's sessions and lifts a sign-in lockout.
func (s *Server) adminResetOperatorPassword(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("operatorId")
	pw, err := s.Operators.ResetPassword(r.Context(), id, "")
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, struct {
		OperatorID string `json:"operatorId"`
		Password   string `json:"password"`
	}{id, pw})
	return nil
}

func (s *Server) adminListOperatorTokens(w http.ResponseWriter, r *http.Request) error {
	toks, err := s.Operators.Tokens(r.Context(), r.PathValue("operatorId"))
	if err != nil {
		return err
	}
	out := struct {
		Tokens []TokenJSON `json:"tokens"`
	}{Tokens: []TokenJSON{}}
	for _, t := range toks {
		out.Tokens = append(out.Tokens, TokenView(t, ""))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) adminIssueOperatorToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	t, secret, err := s.Operators.IssueToken(r.Context(), r.PathValue("operatorId"), in.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, TokenView(t, secret))
	return nil
}

func (s *Server) adminRevokeOperatorToken(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Operators.RevokeToken(r.Context(), r.PathValue("operatorId"), r.PathValue("tokenId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, TokenView(t, ""))
	return nil
}
