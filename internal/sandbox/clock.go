package sandbox

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// MaxOffset bounds a program's test clock: ten years ahead.
const MaxOffset = 10 * 365 * 24 * time.Hour

// ClockStore persists each program's test-clock offset.
type ClockStore interface {
	// ClockOffset answers the program's offset (zero when none is set).
	ClockOffset(ctx context.Context, programCode string) (time.Duration, error)
	// AdvanceClock adds by to the program's offset in one transaction,
	// refusing (Invalid) a total beyond max, and brings the program's
	// pending webhook deliveries by earlier so their retries fall due as
	// if the time had passed; it answers the new offset.
	AdvanceClock(ctx context.Context, programCode string, by, max time.Duration, now time.Time) (time.Duration, error)
	// ResetClock sets the program's offset back to zero.
	ResetClock(ctx context.Context, programCode string) error
}

// Clock is the per-program test clock. Its offset is read from the
// database on every use, so every node sees an advance at once.
type Clock struct {
	Store ClockStore
	Now   func() time.Time
	// Wake, if set, is called after an advance (the webhook worker, so
	// the retries it made due go out now).
	Wake func()
}

// ClockState is a program's test clock as answered to the partner.
type ClockState struct {
	Now    time.Time     // the program's time
	Real   time.Time     // the real time
	Offset time.Duration // Now - Real
}

// At answers the program's time: the real time plus its offset. Should
// the offset not be readable, the real time is answered (a timer then
// runs on the real clock rather than failing the call).
func (c *Clock) At(ctx context.Context, programCode string) time.Time {
	now := c.Now().UTC()
	off, err := c.Store.ClockOffset(ctx, programCode)
	if err != nil {
		return now
	}
	return now.Add(off)
}

// State answers the program's clock.
func (c *Clock) State(ctx context.Context, programCode string) (ClockState, error) {
	now := c.Now().UTC()
	off, err := c.Store.ClockOffset(ctx, programCode)
	return ClockState{Now: now.Add(off), Real: now, Offset: off}, err
}

// Advance moves the program's clock forward by spec (a Go duration such
// as "90m" or "48h", or whole days such as "3d").
func (c *Clock) Advance(ctx context.Context, programCode, spec string) (ClockState, error) {
	by, err := ParseAdvance(spec)
	if err != nil {
		return ClockState{}, err
	}
	now := c.Now().UTC()
	off, err := c.Store.AdvanceClock(ctx, programCode, by, MaxOffset, now)
	if err == nil && c.Wake != nil {
		c.Wake()
	}
	return ClockState{Now: now.Add(off), Real: now, Offset: off}, err
}

// Reset sets the program's clock back to the real time.
func (c *Clock) Reset(ctx context.Context, programCode string) (ClockState, error) {
	now := c.Now().UTC()
	return ClockState{Now: now, Real: now}, c.Store.ResetClock(ctx, programCode)
}

// ParseAdvance reads how far to move a clock: a Go duration or whole days
// ("3d"), positive (a clock never moves backwards: DELETE resets it) and
// at most MaxOffset.
func ParseAdvance(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, apperr.Field("advance", `advance is required: a duration such as "48h" or "3d"`)
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int64
		if n, err = strconv.ParseInt(days, 10, 64); err == nil && n <= int64(MaxOffset/(24*time.Hour)) {
			d = time.Duration(n) * 24 * time.Hour
		} else if err == nil {
			d = MaxOffset + 1
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	switch {
	case err != nil:
		return 0, apperr.Field("advance", `advance %q is not a duration such as "48h" or "3d"`, s)
	case d <= 0:
		return 0, apperr.Field("advance", "advance %q would move the clock backwards or not at all: it must be positive (DELETE /clock resets it)", s)
	case d > MaxOffset:
		return 0, apperr.Field("advance", "advance %q is beyond the test clock's limit of 3650 days", s)
	}
	return d, nil
}

// ProgramNow answers a function giving a program's time, for the services
// whose timers honour the test clock; without a clock (not a sandbox)
// every program runs on now.
func ProgramNow(c *Clock, now func() time.Time) func(ctx context.Context, programCode string) time.Time {
	if c == nil {
		return func(context.Context, string) time.Time { return now().UTC() }
	}
	return c.At
}
