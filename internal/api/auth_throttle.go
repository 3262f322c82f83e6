package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/operator"
	"github.com/verdant-baas/verdant/internal/throttle"
)

// clientAddr is the address failures are counted against: the TCP peer.
// Behind a reverse proxy every client shares the proxy's address, so the
// operator API belongs on an internal listener (docs/security.md).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// throttledOperator authenticates an operator call (the admin token or
// an operator's API token) under the operator throttle: a client address
// over its failure budget is answered 429 without the token being looked
// at, a failure is counted and logged as a warning, a success clears the
// address's failures.
func (s *Server) throttledOperator(r *http.Request) (operator.Principal, error) {
	addr := clientAddr(r)
	var p operator.Principal
	err := throttled(r.Context(), s.OperatorThrottle, addr, func() (err error) {
		p, err = s.operatorPrincipal(r)
		return err
	})
	s.logAuthFailure(r, err, "operator authentication failed", slog.String("client_addr", addr))
	return p, err
}

// throttledClient runs a partner's client-credentials check (auth) under
// the client throttle, counting failures per client id.
func (s *Server) throttledClient(r *http.Request, clientID string, auth func() error) error {
	if clientID == "" {
		return auth()
	}
	err := throttled(r.Context(), s.ClientThrottle, clientID, auth)
	s.logAuthFailure(r, err, "client authentication failed", slog.String("client_id", clientID),
		slog.String("client_addr", clientAddr(r)))
	return err
}

// throttled runs check for client under g: refused while the client is
// over its budget, a failure (Unauthorized) counted, a success after
// failures clearing them. A nil g throttles nothing.
func throttled(ctx context.Context, g *throttle.Guard, client string, check func() error) error {
	if g == nil {
		return check()
	}
	count, err := g.Check(ctx, client)
	if err != nil {
		return err
	}
	err = check()
	switch {
	case apperr.KindOf(err) == apperr.Unauthorized:
		if _, ferr := g.Fail(context.WithoutCancel(ctx), client); ferr != nil {
			return ferr
		}
	case err == nil:
		if cerr := g.Succeeded(ctx, client, count); cerr != nil {
			return cerr
		}
	}
	return err
}

// logAuthFailure writes a failed or refused authentication as a warning
// (the access log has it at info, with every other 4xx).
func (s *Server) logAuthFailure(r *http.Request, err error, msg string, attrs ...slog.Attr) {
	k := apperr.KindOf(err)
	if err == nil || k != apperr.Unauthorized && k != apperr.RateLimited {
		return
	}
	if k == apperr.RateLimited {
		msg = "authentication refused: too many failures"
	}
	route := r.Pattern // never the raw path: it may hold identifiers
	if route == "" || route == "/" {
		route = "unmatched"
	}
	attrs = append(attrs, slog.String("route", route), slog.String("reason", apperr.As(err).Message))
	if info := infoFrom(r.Context()); info != nil {
		attrs = append(attrs, slog.String("request_id", info.requestID))
	}
	s.Log.LogAttrs(r.Context(), slog.LevelWarn, msg, attrs...)
}
