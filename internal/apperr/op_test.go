package apperr_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/verdant-baas/verdant/internal/apperr"
)

var errNotThere = &apperr.Error{Kind: apperr.NotFound, Message: "Account not found."}

func TestOp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		err      error
		wantText string
		wantSame bool // the very error comes back (sentinels stay comparable)
		wantIs   error
	}{
		{name: "nil stays nil"},
		{name: "foreign error is named", err: sql.ErrConnDone,
			wantText: "storage.CardStore.Card(a1, c1): " + sql.ErrConnDone.Error(), wantIs: sql.ErrConnDone},
		{name: "context error still matches", err: context.DeadlineExceeded,
			wantText: "storage.CardStore.Card(a1, c1): context deadline exceeded", wantIs: context.DeadlineExceeded},
		{name: "domain error untouched", err: errNotThere, wantText: "Account not found.", wantSame: true, wantIs: errNotThere},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := func() (err error) {
				defer apperr.Op(&err, "storage.CardStore.Card(%s, %s)", "a1", "c1")
				return tt.err
			}()
			if tt.err == nil {
				if got != nil {
					t.Fatalf("got %v, want nil", got)
				}
				return
			}
			if got.Error() != tt.wantText {
				t.Errorf("text %q, want %q", got.Error(), tt.wantText)
			}
			if tt.wantSame && got != tt.err {
				t.Errorf("got %#v, want the same error back", got)
			}
			if !errors.Is(got, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", got, tt.wantIs)
			}
			if tt.wantSame && apperr.KindOf(got) != apperr.NotFound {
				t.Errorf("kind %v, want not-found", apperr.KindOf(got))
			}
		})
	}
}

// sqlStateError is a driver error carrying an SQLSTATE, as pgconn.PgError does.
type sqlStateError struct{ code string }

func (e sqlStateError) Error() string    { return "server said " + e.code }
func (e sqlStateError) SQLState() string { return e.code }

// A database that refuses or times out is answered 503 with Retry-After
// (issue 16: 500 before); anything else unexpected stays a 500.
func TestAnswerUnreachable(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	tests := []struct {
		name string
		err  error
		want apperr.Kind
	}{
		{"too many connections", fmt.Errorf("storage.X: %w", sqlStateError{"53300"}), apperr.Unavailable},
		{"cannot connect now", sqlStateError{"57P03"}, apperr.Unavailable},
		{"admin shutdown", sqlStateError{"57P01"}, apperr.Unavailable},
		{"connection failure", sqlStateError{"08006"}, apperr.Unavailable},
		{"statement timeout", sqlStateError{"57014"}, apperr.Unavailable},
		{"connection refused", fmt.Errorf("failed to connect: %w", refused), apperr.Unavailable},
		{"deadline waiting for a connection", fmt.Errorf("storage.Y: %w", context.DeadlineExceeded), apperr.Unavailable},
		{"bad connection", driver.ErrBadConn, apperr.Unavailable},
		{"wrapped in an internal error", apperr.Wrap(sqlStateError{"53300"}, "could not"), apperr.Unavailable},
		{"unique violation", sqlStateError{"23505"}, apperr.Internal},
		{"syntax error", sqlStateError{"42601"}, apperr.Internal},
		{"plain error", errors.New("boom"), apperr.Internal},
		{"domain error", errNotThere, apperr.NotFound},
	}
	for _, tt := range tests {
		e := apperr.Answer(tt.err)
		if e.Kind != tt.want {
			t.Errorf("%s: Answer kind %s, want %s", tt.name, e.Kind, tt.want)
		}
		if tt.want == apperr.Unavailable && (e.RetryAfter <= 0 || !errors.Is(e, e) || e.Err == nil) {
			t.Errorf("%s: %+v", tt.name, e)
		}
		if apperr.As(tt.err).Kind == apperr.Unavailable {
			t.Errorf("%s: As must keep reporting what the domain sees", tt.name)
		}
	}
}
