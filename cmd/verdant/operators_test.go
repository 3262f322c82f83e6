package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The operator commands: create prints the password once, the printed
// token opens the operator API with the operator's roles, disable stops
// it, reset-password prints a new password.
func TestCLIOperatorIdentityCommands(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	var created struct {
		OperatorID, Email, Password string
		Roles                       []string
	}
	c.json(&created, "operator", "create", "--email", "Ann@Example.com", "--name", "Ann Lee", "--roles", "risk,viewer")
	if created.Email != "ann@example.com" || created.Password == "" || len(created.Roles) != 2 {
		t.Fatalf("create = %+v", created)
	}
	var list []struct {
		Email    string
		Password string
		Disabled bool
	}
	c.json(&list, "operator", "list")
	if len(list) != 1 || list[0].Password != "" {
		t.Fatalf("list = %+v", list)
	}
	var tok struct{ Token string }
	c.json(&tok, "operator", "token", "--email", "ann@example.com", "--name", "laptop")

	a := c.open()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	call := func(path string) int {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := call("/admin/v1/sanctions/reviews"); s != http.StatusOK {
		t.Fatalf("risk reads reviews: %d", s)
	}
	if s := call("/admin/v1/operators"); s != http.StatusForbidden {
		t.Fatalf("risk lists operators: %d", s)
	}

	var disabled struct{ Disabled bool }
	if c.json(&disabled, "operator", "disable", "--email", "ann@example.com"); !disabled.Disabled {
		t.Fatal("not disabled")
	}
	if s := call("/admin/v1/sanctions/reviews"); s != http.StatusUnauthorized {
		t.Fatalf("disabled operator's token: %d", s)
	}
	var reset struct{ Password string }
	c.json(&reset, "operator", "reset-password", "--email", "ann@example.com")
	if reset.Password == "" || reset.Password == created.Password {
		t.Fatalf("reset = %+v", reset)
	}
	if err := run(c.ctx, []string{"operator", "create", "--email", "x@example.com", "--name", "X", "--roles", "root",
		"--data-dir", c.dir}, c.env, &bytes.Buffer{}); err == nil {
		t.Fatal("unknown role accepted")
	}
	if err := run(c.ctx, []string{"operator", "disable", "--email", "nobody@example.com", "--data-dir", c.dir}, c.env, &bytes.Buffer{}); err == nil {
		t.Fatal("unknown operator accepted")
	}
}
