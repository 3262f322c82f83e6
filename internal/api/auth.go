package api

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/partner"
)

func (s *Server) authRoutes(mux *router) {
	mux.Handle("POST /authentication", s.public(s.authenticate))
}

// tokenResponse is the OAuth 2.0 client-credentials answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// authenticate implements POST /authentication: client credentials by
// HTTP Basic or in the body, grant_type=client_credentials as form or JSON.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) error {
	form, err := readAuthBody(r)
	if err != nil {
		return err
	}
	if gt := form.Get("grant_type"); gt != "client_credentials" {
		return &apperr.Error{Kind: apperr.Unauthorized, Reason: "unsupported_grant_type",
			Message: "grant_type must be client_credentials"}
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	} else if err := checkFormText(r, url.Values{"client_id": {id}, "client_secret": {secret}}); err != nil {
		return err
	}
	var tok partner.Token
	err = s.throttledClient(r, id, func() (err error) {
		tok, err = s.Partners.Authenticate(r.Context(), id, secret)
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: int(tok.ExpiresIn.Seconds()), Scope: tok.Scope,
	})
	return nil
}

// readAuthBody reads a form or JSON body into url.Values.
func readAuthBody(r *http.Request) (url.Values, error) {
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, apperr.E(apperr.TooLarge, "request body exceeds %d bytes", mbe.Limit)
			}
			return nil, apperr.E(apperr.Invalid, "malformed form body")
		}
		// RFC 6749 (section 3.2) forbids a parameter given twice: which one
		// counts would otherwise be up to each reader.
		for _, k := range slices.Sorted(maps.Keys(r.PostForm)) {
			if len(r.PostForm[k]) > 1 {
				return nil, apperr.Field(k, "%s is given more than once", k)
			}
		}
		return r.PostForm, checkFormText(r, r.PostForm)
	}
	var body map[string]any
	if err := decodeJSON(r, &body); err != nil {
		if apperr.KindOf(err) == apperr.UnsupportedMedia {
			return nil, apperr.E(apperr.UnsupportedMedia, "Content-Type must be application/x-www-form-urlencoded or application/json")
		}
		return nil, err
	}
	out := url.Values{}
	for k, v := range body {
		if s, ok := v.(string); ok {
			out.Set(k, s)
		} else if v != nil {
			b, _ := json.Marshal(v)
			out.Set(k, string(b))
		}
	}
	return out, nil
}
