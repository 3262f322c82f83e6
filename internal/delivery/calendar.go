package delivery

import "time"

// Calendar counts business days: Monday to Friday, skipping US federal
// holidays (on their observed dates) unless SkipHolidays is false.
type Calendar struct {
	SkipHolidays bool
}

// date truncates t to its UTC calendar day.
func date(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// BusinessDay reports whether the UTC day of t is a business day.
func (c Calendar) BusinessDay(t time.Time) bool {
	d := date(t)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.SkipHolidays || !FederalHoliday(d)
}

// AddBusinessDays answers midnight UTC of the n-th business day after the
// UTC day of t (n <= 0 answers that day itself).
func (c Calendar) AddBusinessDays(t time.Time, n int) time.Time {
	d := date(t)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.BusinessDay(d) {
			n--
		}
	}
	return d
}

// FederalHoliday reports whether the UTC day of t is a US federal holiday
// as observed by federal offices (5 U.S.C. 6103): a holiday on a Saturday
// is observed the Friday before, one on a Sunday the Monday after. So New
// Year's Day 2022 (a Saturday) is observed on Friday 31 December 2021.
func FederalHoliday(t time.Time) bool {
	d := date(t)
	for _, y := range []int{d.Year(), d.Year() + 1} {
		for _, h := range holidays(y) {
			if observed(h).Equal(d) {
				return true
			}
		}
	}
	return false
}

// holidays answers the actual (not observed) federal holidays of year y.
func holidays(y int) []time.Time {
	day := func(m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	out := []time.Time{
		day(time.January, 1),
		nthWeekday(y, time.January, time.Monday, 3),  // Birthday of Martin Luther King, Jr.
		nthWeekday(y, time.February, time.Monday, 3), // Washington's Birthday
		lastWeekday(y, time.May, time.Monday),        // Memorial Day
		day(time.July, 4),
		nthWeekday(y, time.September, time.Monday, 1), // Labor Day
		nthWeekday(y, time.October, time.Monday, 2),   // Columbus Day
		day(time.November, 11),
		nthWeekday(y, time.November, time.Thursday, 4), // Thanksgiving Day
		day(time.December, 25),
	}
	if y >= 2021 {
		out = append(out, day(time.June, 19)) // Juneteenth National Independence Day
	}
	return out
}

// observed moves a fixed-date holiday off the weekend; weekday-based ones
// never fall on one.
func observed(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, -1)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}

func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	d := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return d.AddDate(0, 0, 7*(n-1))
}

func lastWeekday(y int, m time.Month, wd time.Weekday) time.Time {
	d := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC) // last day of m
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, -1)
	}
	return d
}
