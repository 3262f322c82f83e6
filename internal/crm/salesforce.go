// Package crm delivers customer-care cases to the agents' CRM. Salesforce
// is the CRM the contract names; the client speaks its REST API: an OAuth
// 2.0 token from {loginURL}/services/oauth2/token, then an upsert by
// external id, PATCH /services/data/vXX.X/sobjects/Case/{field}/{value},
// which creates the case the first time and updates the same case on any
// retry, so a lost response can never make a second CRM case.
package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Case is what the platform sends to the CRM for one case.
type Case struct {
	Number        string // the platform's case number: the external id
	Subject       string
	Description   string
	SuppliedName  string
	SuppliedEmail string
	SuppliedPhone string
	Origin        string
}

// Config configures the Salesforce client.
type Config struct {
	LoginURL        string // e.g. https://login.salesforce.com or https://MyDomain.my.salesforce.com
	InstanceURL     string // API base; empty: the instance_url of the token answer
	ClientID        string
	ClientSecret    string
	Username        string // with Password: the password grant; else client_credentials
	Password        string
	APIVersion      string        // default 59.0
	ExternalIDField string        // default Verdant_Case_Number__c
	Timeout         time.Duration // per HTTP call; default 10s
}

// Configured reports whether a CRM is configured at all.
func (c Config) Configured() bool { return c.LoginURL != "" && c.ClientID != "" }

// Salesforce is a Salesforce REST client for cases. The access token is
// cached in memory (one per node) and fetched again on a 401.
type Salesforce struct {
	cfg  Config
	http *http.Client

	mu       sync.Mutex
	token    string
	instance string
}

// New builds a client.
func New(cfg Config) *Salesforce {
	if cfg.APIVersion == "" {
		cfg.APIVersion = "59.0"
	}
	cfg.APIVersion = strings.TrimPrefix(cfg.APIVersion, "v")
	if cfg.ExternalIDField == "" {
		cfg.ExternalIDField = "Verdant_Case_Number__c"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	cfg.LoginURL = strings.TrimRight(cfg.LoginURL, "/")
	cfg.InstanceURL = strings.TrimRight(cfg.InstanceURL, "/")
	return &Salesforce{cfg: cfg, http: &http.Client{Timeout: cfg.Timeout}}
}

// Error is a failed CRM call. Its text carries the HTTP status and
// Salesforce's error codes only: Salesforce error messages may echo field
// values (an email address), and this text is logged and stored.
type Error struct {
	Op     string
	Status int
	Codes  []string
}

func (e *Error) Error() string {
	s := fmt.Sprintf("crm: %s: HTTP %d", e.Op, e.Status)
	if len(e.Codes) > 0 {
		s += " " + strings.Join(e.Codes, ",")
	}
	return s
}

// UpsertCase creates the case in Salesforce, or updates the case already
// created under the same number, and answers Salesforce's case id.
func (s *Salesforce) UpsertCase(ctx context.Context, c Case) (string, error) {
	body, _ := json.Marshal(map[string]string{
		"Subject": c.Subject, "Description": c.Description, "SuppliedName": c.SuppliedName,
		"SuppliedEmail": c.SuppliedEmail, "SuppliedPhone": c.SuppliedPhone, "Origin": c.Origin,
	})
	path := "/services/data/v" + s.cfg.APIVersion + "/sobjects/Case/" + url.PathEscape(s.cfg.ExternalIDField) +
		"/" + url.PathEscape(c.Number)
	status, resp, err := s.call(ctx, "upsert case", http.MethodPatch, path, body)
	if err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	if status != http.StatusNoContent {
		if json.Unmarshal(resp, &out) == nil && out.ID != "" {
			return out.ID, nil
		}
	}
	// 204 (API versions before 46.0 answer an update without a body): read
	// the id back by external id.
	_, resp, err = s.call(ctx, "read case id", http.MethodGet, path+"?fields=Id", nil)
	if err != nil {
		return "", err
	}
	var rec struct {
		ID string `json:"Id"`
	}
	if json.Unmarshal(resp, &rec) != nil || rec.ID == "" {
		return "", &Error{Op: "read case id", Status: http.StatusOK, Codes: []string{"NO_ID"}}
	}
	return rec.ID, nil
}

// call makes an authenticated API call, fetching a token first when none
// is cached and once more after a 401.
func (s *Salesforce) call(ctx context.Context, op, method, path string, body []byte) (int, []byte, error) {
	for attempt := 0; ; attempt++ {
		token, instance, err := s.auth(ctx)
		if err != nil {
			return 0, nil, err
		}
		var rdr io.Reader
		if body != nil {
			rdr = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, instance+path, rdr)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		status, resp, err := s.do(req)
		if err != nil {
			return 0, nil, fmt.Errorf("crm: %s: %w", op, err)
		}
		if status == http.StatusUnauthorized && attempt == 0 {
			s.dropToken(token)
			continue
		}
		if status < 200 || status > 299 {
			return status, nil, &Error{Op: op, Status: status, Codes: errorCodes(resp)}
		}
		return status, resp, nil
	}
}

func (s *Salesforce) do(req *http.Request) (int, []byte, error) {
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, scrub(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, scrub(err)
	}
	return resp.StatusCode, b, nil
}

// scrub drops the URL from a transport error: the path holds only the
// case number, but a query string could one day hold more.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// errorCodes keeps only errorCode (and the field names) of a Salesforce
// error list, never its messages.
func errorCodes(b []byte) []string {
	var list []struct {
		ErrorCode string   `json:"errorCode"`
		Fields    []string `json:"fields"`
	}
	if json.Unmarshal(b, &list) != nil {
		return nil
	}
	var out []string
	for _, e := range list {
		c := e.ErrorCode
		if len(e.Fields) > 0 {
			c += "(" + strings.Join(e.Fields, ",") + ")"
		}
		out = append(out, c)
	}
	return out
}

func (s *Salesforce) dropToken(token string) {
	s.mu.Lock()
	if s.token == token {
		s.token = ""
	}
	s.mu.Unlock()
}

// auth answers a cached token or fetches one.
func (s *Salesforce) auth(ctx context.Context) (token, instance string, err error) {
	s.mu.Lock()
	token, instance = s.token, s.instance
	s.mu.Unlock()
	if token != "" {
		return token, instance, nil
	}
	form := url.Values{"client_id": {s.cfg.ClientID}, "client_secret": {s.cfg.ClientSecret}}
	if s.cfg.Username != "" {
		form.Set("grant_type", "password")
		form.Set("username", s.cfg.Username)
		form.Set("password", s.cfg.Password)
	} else {
		form.Set("grant_type", "client_credentials")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.LoginURL+"/services/oauth2/token",
		strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	status, b, err := s.do(req)
	if err != nil {
		return "", "", fmt.Errorf("crm: token: %w", err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
		Error       string `json:"error"`
	}
	json.Unmarshal(b, &out)
	if status != http.StatusOK || out.AccessToken == "" {
		e := &Error{Op: "token", Status: status}
		if out.Error != "" {
			e.Codes = []string{out.Error}
		}
		return "", "", e
	}
	instance = s.cfg.InstanceURL
	if instance == "" {
		instance = strings.TrimRight(out.InstanceURL, "/")
	}
	if instance == "" {
		return "", "", &Error{Op: "token", Status: status, Codes: []string{"NO_INSTANCE_URL"}}
	}
	s.mu.Lock()
	s.token, s.instance = out.AccessToken, instance
	s.mu.Unlock()
	return out.AccessToken, instance, nil
}
