package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/audit"
)

type fixedStore []audit.Event

func (s fixedStore) Events(_ context.Context, f audit.Filter) ([]audit.Event, error) {
	return s[:min(len(s), f.Limit)], nil
}

func TestListNextOnFullPage(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	evs := fixedStore{{ID: "e3", At: at}, {ID: "e2", At: at}, {ID: "e1", At: at.Add(-time.Second)}}
	tests := []struct {
		name   string
		limit  int
		wantN  int
		wantAt *audit.Position
	}{
		{name: "full page continues after its last event", limit: 2, wantN: 2, wantAt: &audit.Position{At: at, ID: "e2"}},
		{name: "short page is the last", limit: 5, wantN: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := (&audit.Service{Store: evs}).List(context.Background(), audit.Filter{Limit: tt.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Events) != tt.wantN {
				t.Fatalf("%d events, want %d", len(p.Events), tt.wantN)
			}
			switch {
			case tt.wantAt == nil && p.Next != nil:
				t.Fatalf("next %+v, want none", *p.Next)
			case tt.wantAt != nil && (p.Next == nil || *p.Next != *tt.wantAt):
				t.Fatalf("next %+v, want %+v", p.Next, *tt.wantAt)
			}
		})
	}
}
