package verification

import "time"

// Window is the span Limits.PerHour counts codes over.
const Window = time.Hour

// Limits are the rate limits of codes to one mailbox or phone number
// (every alias of a mailbox counts as one: LimitHandle).
//
// The short gap is global: whoever asks, a phone rings or an inbox fills
// at most once per MinGap. The hourly cap is per partner: one partner
// sending its five codes an hour to a number must not stop every other
// partner's customer who has the same number (issue 16).
type Limits struct {
	PerHour int           // codes per partner and handle in any Window (default 5)
	MinGap  time.Duration // least time between two codes to a handle, from any partner (default 30s)
}

// Sends are the facts the rate limit decides on, read by the store under
// the handle's lock in the transaction that will store the new code.
type Sends struct {
	// Last is when the last code went to the handle, from any partner
	// (zero: never).
	Last time.Time
	// Recent are the creation times of the codes the same partner sent to
	// the handle in the Window before the new one, in any order.
	Recent []time.Time
}

// Allow is the rate limit of a new code to a handle at now: ErrTooSoon
// when the last code (any partner's) went less than MinGap ago (checked
// first), ErrTooMany when this partner sent PerHour codes in the Window
// before now. It is pure, so the store may run it again when it retries
// its transaction.
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
