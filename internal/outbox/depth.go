package outbox

import "time"

// Depth is how far delivery is behind: the operator's signal that a
// destination is down or a worker is stuck, read at metrics scrape time.
type Depth struct {
	// Pending counts messages not yet delivered that are still retried.
	Pending int64
	// Dead counts messages whose retries stopped (MaxAttempts reached or a
	// permanent failure); they wait for an operator.
	Dead int64
	// OldestPending is when the oldest pending message was written; zero
	// when none is pending.
	OldestPending time.Time
}
