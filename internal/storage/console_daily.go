package storage

import (
	"context"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/backoffice"
	"github.com/verdant-baas/verdant/internal/money"
)

const microsPerDay = int64(24 * time.Hour / time.Microsecond)

// Daily answers the figures of each UTC day since since (keyed by the
// day's start). Each query reads the window through an index (adjustments
// per program and time; cases, their history and reviews by time): its
// cost follows the window's volume, not the tables' size.
func (s *ConsoleStore) Daily(ctx context.Context, since time.Time) (_ map[time.Time]*backoffice.Day, err error) {
	defer apperr.Op(&err, "storage.ConsoleStore.Daily")
	out := map[time.Time]*backoffice.Day{}
	day := func(d int64) *backoffice.Day {
		t := time.UnixMicro(d * microsPerDay).UTC()
		if out[t] == nil {
			out[t] = &backoffice.Day{}
		}
		return out[t]
	}
	from := Micros(since)
	queries := []struct {
		q    string
		scan func(d int64, n int, sum money.Sum)
	}{
		{`SELECT created_at / 86400000000, COUNT(*), ` + sumParts("amount") + ` FROM adjustments
			WHERE program_code IN (SELECT code FROM programs) AND created_at >= ? AND status = 'completed' GROUP BY created_at / 86400000000`,
			func(d int64, n int, sum money.Sum) { day(d).Adjustments, day(d).Amount = n, sum }},
		{`SELECT created_at / 86400000000, COUNT(*), 0, 0 FROM care_cases WHERE created_at >= ? GROUP BY created_at / 86400000000`,
			func(d int64, n int, _ money.Sum) { day(d).Opened = n }},
		{`SELECT at / 86400000000, COUNT(*), 0, 0 FROM care_case_history WHERE at >= ? AND to_status IN ('resolved', 'closed')
			AND from_status <> to_status GROUP BY at / 86400000000`,
			func(d int64, n int, _ money.Sum) { day(d).Closed = n }},
		{`SELECT created_at / 86400000000, COUNT(*), 0, 0 FROM sanctions_reviews WHERE created_at >= ? GROUP BY created_at / 86400000000`,
			func(d int64, n int, _ money.Sum) { day(d).Hits = n }},
	}
	for _, q := range queries {
		rows, err := s.db.Query(ctx, q.q, from)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var d, hi, lo int64
			var n int
			if err := rows.Scan(&d, &n, &hi, &lo); err != nil {
				rows.Close()
				return nil, err
			}
			q.scan(d, n, money.FromParts(hi, lo))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
