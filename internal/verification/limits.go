package verification

import "time"

// Window is the span Limits.PerHour counts codes over.
const Window = time.Hour

// Limits are the rate limits per contact handle.
type Limits struct {
	PerHour int           // codes per handle in any Window (default 5)
	MinGap  time.Duration // least time between two codes (default 30s)
}

// Sends are the facts the rate limit decides on, read by the store under
// the handle's lock in the transaction that will store the new code.
type Sends struct {
	// Last is when the last code went to the handle (zero: never).
	Last time.Time
	// Recent are the creation times of the handle's codes created in the
	// Window before the new one, in any order.
	Recent []time.Time
}

// Allow is the rate limit of a new code to a handle at now: ErrTooSoon
// when the last code went less than MinGap ago (checked first),
// ErrTooMany when PerHour codes went in the Window before now. It is
// pure, so the store may run it again when it retries its transaction.
func (l Limits) Allow(s Sends, now time.Time) error {
	if !s.Last.IsZero() && now.Sub(s.Last) < l.MinGap {
		return ErrTooSoon
	}
	since, n := now.Add(-Window), 0
	for _, t := range s.Recent {
		if t.After(since) {
			n++
		}
	}
	if n >= l.PerHour {
		return ErrTooMany
	}
	return nil
}
