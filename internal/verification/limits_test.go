package verification

import (
	"errors"
	"testing"
	"time"
)

func TestLimitsAllow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lim := Limits{PerHour: 3, MinGap: 30 * time.Second}
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	cases := []struct {
		name string
		sent Sends
		want error
	}{
		{name: "never sent", sent: Sends{}, want: nil},
		{name: "last long ago", sent: Sends{Last: ago(time.Minute), Recent: []time.Time{ago(time.Minute)}}, want: nil},
		{name: "last just inside the gap", sent: Sends{Last: ago(30*time.Second - time.Microsecond)}, want: ErrTooSoon},
		{name: "last exactly the gap ago", sent: Sends{Last: ago(30 * time.Second)}, want: nil},
		{name: "under the hourly limit", sent: Sends{Last: ago(time.Minute),
			Recent: []time.Time{ago(time.Minute), ago(10 * time.Minute)}}, want: nil},
		{name: "at the hourly limit", sent: Sends{Last: ago(time.Minute),
			Recent: []time.Time{ago(time.Minute), ago(10 * time.Minute), ago(59 * time.Minute)}}, want: ErrTooMany},
		{name: "oldest exactly an hour ago does not count", sent: Sends{Last: ago(time.Minute),
			Recent: []time.Time{ago(time.Minute), ago(10 * time.Minute), ago(time.Hour)}}, want: nil},
		{name: "too soon is answered before too many", sent: Sends{Last: ago(time.Second),
			Recent: []time.Time{ago(time.Second), ago(10 * time.Minute), ago(20 * time.Minute)}}, want: ErrTooSoon},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := lim.Allow(c.sent, now); !errors.Is(got, c.want) {
				t.Fatalf("Allow = %v, want %v", got, c.want)
			}
		})
	}
}

func TestLimitHandle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ct     ContactType
		handle string
		want   string
	}{
		{Email, "ann@example.com", "ann@example.com"},
		{Email, "ann+promo@example.com", "ann@example.com"},
		{Email, "ann+a+b@example.com", "ann@example.com"},
		{Email, "+ann@example.com", "+ann@example.com"}, // nothing before the tag: left as it is
		{Email, "a.n.n@gmail.com", "ann@gmail.com"},
		{Email, "a.n.n+x@googlemail.com", "ann@gmail.com"},
		{Email, "a.n.n@example.com", "a.n.n@example.com"}, // dots matter elsewhere
		{Email, "...@gmail.com", "...@gmail.com"},
		{Phone, "+12133734253", "+12133734253"},
	}
	for _, tt := range tests {
		if got := LimitHandle(tt.ct, tt.handle); got != tt.want {
			t.Errorf("LimitHandle(%s, %q) = %q, want %q", tt.ct, tt.handle, got, tt.want)
		}
	}
}
