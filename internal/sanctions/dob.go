package sanctions

import (
	"regexp"
	"strconv"
	"time"
)

// DOB is a date of birth from the list; Month and Day are 0 when the list
// gives only a year (or "circa" a year).
type DOB struct {
	Year, Month, Day int
	Circa            bool
}

var dobRe = regexp.MustCompile(`DOB (circa )?((\d{1,2}) )?(([A-Z][a-z]{2}) )?(\d{4})( to (\d{4}))?`)

var months = map[string]int{"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
	"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}

// parseDOBs finds every "DOB ..." in an entry's remarks: "DOB 07 Aug 1967",
// "DOB Aug 1967", "DOB 1967", "DOB circa 1967", "DOB 1965 to 1968".
func parseDOBs(remarks string) []DOB {
	var out []DOB
	for _, m := range dobRe.FindAllStringSubmatch(remarks, -1) {
		y, _ := strconv.Atoi(m[6])
		d := DOB{Year: y, Circa: m[1] != ""}
		d.Day, _ = strconv.Atoi(m[3])
		d.Month = months[m[5]]
		if m[8] != "" {
			to, _ := strconv.Atoi(m[8])
			for yy := y; yy <= to && yy-y < 20; yy++ {
				out = append(out, DOB{Year: yy, Circa: true})
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

// dobSignal compares a customer's date of birth with the entry's: +1 when
// a listed date agrees (to the day when the list has a day, else the
// year, ±1 for circa), -1 when the list has dates and none agree, 0 when
// either side is unknown.
func dobSignal(dob time.Time, list []DOB) int {
	if dob.IsZero() || len(list) == 0 {
		return 0
	}
	for _, d := range list {
		switch {
		case d.Day != 0 && d.Month != 0:
			if dob.Year() == d.Year && int(dob.Month()) == d.Month && dob.Day() == d.Day {
				return 1
			}
		case d.Month != 0:
			if dob.Year() == d.Year && int(dob.Month()) == d.Month {
				return 1
			}
		case d.Circa:
			if abs(dob.Year()-d.Year) <= 1 {
				return 1
			}
		default:
			if dob.Year() == d.Year {
				return 1
			}
		}
	}
	return -1
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
