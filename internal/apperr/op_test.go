package apperr_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/verdant-baas/verdant/internal/apperr"
)

var errNotThere = &apperr.Error{Kind: apperr.NotFound, Message: "Account not found."}

func TestOp(t *testing.T) {
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
