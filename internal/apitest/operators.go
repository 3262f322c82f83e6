package apitest

import (
	"net/http"
	"strconv"
	"strings"
)

// Operator creates a named operator with roles through the operator API
// and issues it an API token; it answers the operator's id, email and
// token.
func (e *Env) Operator(roles ...string) (id, email, token string) {
	e.T.Helper()
	e.operators++
	email = strings.Join(roles, "-") + "-" + strconv.Itoa(e.operators) + "@example.com"
	var o struct{ OperatorID string }
	e.Admin("POST", "/admin/v1/operators", map[string]any{"email": email, "name": "Test " + email, "roles": roles}).
		Want(e.T, http.StatusCreated).Decode(e.T, &o)
	var t struct{ Token string }
	e.Admin("POST", "/admin/v1/operators/"+o.OperatorID+"/tokens", map[string]any{"name": "test"}).
		Want(e.T, http.StatusCreated).Decode(e.T, &t)
	return o.OperatorID, email, t.Token
}

// As calls the operator API with an operator's token.
func (e *Env) As(token, method, path string, body any) *Response {
	e.T.Helper()
	return e.Do(method, path, body, Header{"Authorization", "Bearer " + token})
}
