package throttle

import (
	"testing"
	"time"
)

func TestBlocked(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := Limit{Max: 3, Window: 10 * time.Minute}
	tests := []struct {
		name  string
		c     Count
		at    time.Time
		block bool
		wait  time.Duration
	}{
		{"no failures", Count{}, t0, false, 0},
		{"under the budget", Count{Failures: 2, WindowStart: t0}, t0.Add(time.Minute), false, 0},
		{"at the budget", Count{Failures: 3, WindowStart: t0}, t0.Add(time.Minute), true, 9 * time.Minute},
		{"over, last second", Count{Failures: 7, WindowStart: t0}, t0.Add(10*time.Minute - time.Second), true, time.Second},
		{"window over", Count{Failures: 7, WindowStart: t0}, t0.Add(10 * time.Minute), false, 0},
	}
	for _, tt := range tests {
		wait, blocked := l.Blocked(tt.c, tt.at)
		if blocked != tt.block || wait != tt.wait {
			t.Errorf("%s: Blocked = %s, %v; want %s, %v", tt.name, wait, blocked, tt.wait, tt.block)
		}
	}
}
