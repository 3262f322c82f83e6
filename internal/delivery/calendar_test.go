package delivery

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFederalHolidayObservedDates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		date string
		want bool
	}{
		{"2019-12-25", true},  // Christmas, Wednesday
		{"2021-12-31", true},  // New Year's Day 2022 is a Saturday: observed Friday before
		{"2022-01-01", false}, // the Saturday itself is a weekend, not the observed date
		{"2021-07-05", true},  // Independence Day 2021 is a Sunday: observed Monday
		{"2021-06-18", true},  // Juneteenth 2021 is a Saturday: observed Friday
		{"2020-06-19", false}, // before Juneteenth became a federal holiday
		{"2024-01-15", true},  // MLK: third Monday of January
		{"2024-02-19", true},  // Washington's Birthday: third Monday of February
		{"2024-05-27", true},  // Memorial Day: last Monday of May
		{"2024-09-02", true},  // Labor Day: first Monday of September
		{"2024-10-14", true},  // Columbus Day: second Monday of October
		{"2023-11-10", true},  // Veterans Day 2023 is a Saturday: observed Friday
		{"2024-11-28", true},  // Thanksgiving: fourth Thursday of November
		{"2024-11-29", false}, // the day after Thanksgiving is not federal
		{"2022-12-26", true},  // Christmas 2022 is a Sunday: observed Monday
		{"2024-03-12", false},
	} {
		if got := FederalHoliday(day(tc.date)); got != tc.want {
			t.Errorf("FederalHoliday(%s) = %v, want %v", tc.date, got, tc.want)
		}
	}
}

func TestAddBusinessDays(t *testing.T) {
	t.Parallel()
	on, off := Calendar{SkipHolidays: true}, Calendar{}
	for _, tc := range []struct {
		name string
		cal  Calendar
		from time.Time
		n    int
		want string
	}{
		{"page sample: Tue 3 Dec 2019 + 8", on, time.Date(2019, 12, 3, 11, 34, 53, 990e6, time.UTC), 8, "2019-12-13"},
		{"over a weekend", on, day("2024-03-15"), 1, "2024-03-18"},
		{"across Christmas", on, day("2019-12-23"), 3, "2019-12-27"},
		{"across Christmas, holidays not skipped", off, day("2019-12-23"), 3, "2019-12-26"},
		{"across Thanksgiving", on, day("2024-11-26"), 3, "2024-12-02"},
		{"observed New Year on Friday 31 Dec 2021", on, day("2021-12-30"), 1, "2022-01-03"},
		{"zero days", on, day("2024-03-16"), 0, "2024-03-16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.cal.AddBusinessDays(tc.from, tc.n)
			if !got.Equal(day(tc.want)) {
				t.Fatalf("got %s, want %s", got.Format(time.DateOnly), tc.want)
			}
		})
	}
}
