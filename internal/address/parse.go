package address

import (
	"strings"
)

// normalize upper-cases s, drops periods and apostrophes, turns other
// punctuation into spaces (keeping "#", "-" and "/", which Pub 28 keeps in
// house numbers and units) and collapses white space.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '/':
		case r == '#':
			if !space {
				b.WriteByte(' ')
			}
			b.WriteString("# ")
			space = true
			continue
		case r == '.' || r == '\'':
			continue
		default:
			r = ' '
		}
		if r == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// Kind is the delivery type of a standardised line.
type Kind string

// The delivery types, answered as the address's type.
const (
	KindStreet          Kind = "street"
	KindHighRise        Kind = "highRise" // a street address with a secondary unit
	KindPOBox           Kind = "poBox"
	KindRuralRoute      Kind = "ruralRoute"
	KindHighwayContract Kind = "highwayContract"
	KindGeneralDelivery Kind = "generalDelivery"
	KindMilitary        Kind = "military"
	KindUnknown         Kind = ""
)

// deliveryLine is a parsed and standardised address line 1.
type deliveryLine struct {
	Line string // standardised, without the unit
	Unit string // standardised secondary unit ("APT 4B"), if line 1 had one
	Kind Kind
}

// parseLine1 standardises the delivery line to Pub 28. Kind is
// KindUnknown when the line is not a plausible delivery line.
func parseLine1(s string) deliveryLine {
	t := strings.Fields(normalize(s))
	if len(t) == 0 {
		return deliveryLine{}
	}
	if d, ok := boxLine(t); ok {
		return d
	}
	if !houseNumber(t[0]) {
		return deliveryLine{}
	}
	rest, unit := splitUnit(t[1:])
	if len(rest) == 0 {
		return deliveryLine{}
	}
	var pre, post, suf string
	name := rest
	if len(name) >= 2 {
		if d, ok := directionals[name[len(name)-1]]; ok {
			post, name = d, name[:len(name)-1]
		}
	}
	if len(name) >= 2 {
		if a, ok := suffixOf(name[len(name)-1]); ok {
			suf, name = a, name[:len(name)-1]
		}
	}
	if len(name) >= 2 {
		if d, ok := directionals[name[0]]; ok {
			pre, name = d, name[1:]
		}
	}
	parts := make([]string, 0, len(name)+4)
	parts = append(parts, t[0])
	if pre != "" {
		parts = append(parts, pre)
	}
	parts = append(parts, name...)
	if suf != "" {
		parts = append(parts, suf)
	}
	if post != "" {
		parts = append(parts, post)
	}
	kind := KindStreet
	if unit != "" {
		kind = KindHighRise
	}
	return deliveryLine{Line: strings.Join(parts, " "), Unit: unit, Kind: kind}
}

// houseNumber reports whether s can be a primary number: starts with a
// digit and holds only digits, letters, "-" and "/" (123, 123A, 12-34, 1/2).
func houseNumber(s string) bool {
	if len(s) == 0 || len(s) > 12 || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '-' || c == '/') {
			return false
		}
	}
	return true
}

// splitUnit finds a secondary unit after at least one street word and
// answers the street words and the standardised unit.
func splitUnit(t []string) ([]string, string) {
	for i := 1; i < len(t); i++ {
		u, ok := parseUnit(t[i:])
		if ok {
			return t[:i], u
		}
	}
	return t, ""
}

// parseUnit standardises a secondary unit ("SUITE 200" -> "STE 200",
// "# 5" -> "# 5", "REAR"). The whole of t must be the unit.
func parseUnit(t []string) (string, bool) {
	if len(t) == 0 {
		return "", false
	}
	if t[0] == "#" {
		if len(t) == 2 {
			return "# " + t[1], true
		}
		return "", false
	}
	d, ok := units[t[0]]
	if !ok {
		return "", false
	}
	if unitNoRange[d] {
		if len(t) == 1 {
			return d, true
		}
		if len(t) == 2 && d == "FL" {
			return d + " " + t[1], true
		}
		return "", false
	}
	if len(t) == 3 && t[1] == "#" {
		t = []string{t[0], t[2]}
	}
	if len(t) != 2 {
		return "", false
	}
	return d + " " + t[1], true
}

// standardLine2 standardises an address line 2 (usually a unit).
func standardLine2(s string) string {
	n := normalize(s)
	if u, ok := parseUnit(strings.Fields(n)); ok {
		return u
	}
	return n
}

// boxLine recognises PO boxes, rural routes, highway contracts, general
// delivery and military (PSC/UNIT/CMR) lines.
func boxLine(t []string) (deliveryLine, bool) {
	j := strings.Join(t, " ")
	for _, p := range []string{"POST OFFICE BOX ", "P O BOX ", "PO BOX ", "POBOX ", "POB ", "BOX "} {
		if n, ok := strings.CutPrefix(j, p); ok && boxNumber(n) {
			return deliveryLine{Line: "PO BOX " + n, Kind: KindPOBox}, true
		}
	}
	if j == "GENERAL DELIVERY" {
		return deliveryLine{Line: j, Kind: KindGeneralDelivery}, true
	}
	for _, p := range []struct{ from, to string }{
		{"RURAL ROUTE ", "RR"}, {"RURAL RTE ", "RR"}, {"RR ", "RR"}, {"RFD ", "RR"}, {"RT ", "RR"}, {"RTE ", "RR"},
		{"HIGHWAY CONTRACT ", "HC"}, {"HC ", "HC"},
	} {
		rest, ok := strings.CutPrefix(j, p.from)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 3 && boxNumber(f[0]) && (f[1] == "BOX" || f[1] == "BX") && boxNumber(f[2]) {
			kind := KindRuralRoute
			if p.to == "HC" {
				kind = KindHighwayContract
			}
			return deliveryLine{Line: p.to + " " + f[0] + " BOX " + f[2], Kind: kind}, true
		}
	}
	for _, p := range []string{"PSC ", "UNIT ", "CMR "} {
		rest, ok := strings.CutPrefix(j, p)
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 3 && boxNumber(f[0]) && f[1] == "BOX" && boxNumber(f[2]) {
			return deliveryLine{Line: strings.TrimSpace(p) + " " + f[0] + " BOX " + f[2], Kind: KindMilitary}, true
		}
	}
	return deliveryLine{}, false
}

func boxNumber(s string) bool {
	if s == "" || len(s) > 10 || strings.Contains(s, " ") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return s[0] >= '0' && s[0] <= '9'
}

// suffixOf answers the Pub 28 abbreviation of a street suffix, also for a
// misspelt full word one or two edits away ("STRET", "AVNEUE", "BOULVARD").
func suffixOf(w string) (string, bool) {
	if a, ok := suffixes[w]; ok {
		return a, true
	}
	if len(w) < 4 || !isAlpha(w) {
		return "", false
	}
	maxDist := 1
	if len(w) >= 7 {
		maxDist = 2
	}
	best, bestD, ties := "", maxDist+1, 0
	for _, full := range suffixWords {
		if d := abs(len(full) - len(w)); d > maxDist {
			continue
		}
		d := editDistance(w, full, maxDist)
		switch {
		case d < bestD:
			best, bestD, ties = full, d, 1
		case d == bestD:
			ties++
		}
	}
	if best == "" || ties > 1 {
		return "", false
	}
	return suffixAbbr[best], true
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the optimal-string-alignment distance (Levenshtein plus
// adjacent transpositions) between two short ASCII words; anything above
// limit is answered as limit+1.
func editDistance(a, b string, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	var rows [3][32]int
	if len(b) >= 32 || len(a) >= 32 {
		return limit + 1
	}
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}
