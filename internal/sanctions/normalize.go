package sanctions

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds a name for comparison: lower case, diacritics removed,
// apostrophes dropped (O'Brien -> obrien), every other non-letter or digit
// a separator, single spaces.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r), r == '\'', r == '’', r == '`':
			continue
		case r == 'ß':
			b.WriteString("ss")
			space = false
		case r == 'ø' || r == 'Ø':
			b.WriteByte('o')
			space = false
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			space = false
		case r == 'ł' || r == 'Ł':
			b.WriteByte('l')
			space = false
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			space = false
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// name is a normalised name as tokens, each marked required or optional.
// A middle name is optional: a customer who leaves it out still matches.
// Tokens belong to parts (a listed name's given names and surname, a
// query's first and last field): spelling variants join tokens only
// within a part (spelling.go).
type name struct {
	tokens   []string
	required []bool
	part     []uint8
	particle []bool  // al, de, van... before another token of its part
	group    []int   // listed surname tokens: which surname (particles go with the one after), else -1
	groups   int     // surnames in a listed name
	runs     []run   // two or more consecutive tokens of one part, joined
	joins    []run   // a query's tokens and runs that may be listed tokens joined (spells)
	weight   float64 // sum of token lengths
}

// listName splits a listed name. OFAC writes individuals as
// "LAST, First Middle": every surname token and the first given name are
// required, further given names are optional. A name without a comma has
// its first and last tokens required.
func listName(s string) name {
	surname, given, ok := strings.Cut(s, ",")
	if !ok {
		return plainName(Normalize(s))
	}
	var n name
	for i, t := range strings.Fields(Normalize(given)) {
		n.add(t, i == 0, partGiven)
	}
	for _, t := range strings.Fields(Normalize(surname)) {
		n.add(t, true, partSurname)
	}
	if len(n.tokens) == 0 {
		return plainName(Normalize(s))
	}
	n.finish()
	n.groupSurnames()
	return n
}

// plainName is a name in reading order: first and last tokens required.
func plainName(s string) name {
	var n name
	toks := strings.Fields(s)
	for i, t := range toks {
		n.add(t, i == 0 || i == len(toks)-1, partGiven)
	}
	n.finish()
	return n
}

// queryName is a customer's name: the first and last fields, each its
// own part, in any order against the list.
func queryName(first, last string) name {
	var n name
	f, l := strings.Fields(Normalize(first)), strings.Fields(Normalize(last))
	for i, t := range f {
		n.add(t, i == 0, partGiven)
	}
	for i, t := range l {
		n.add(t, i == len(l)-1, partSurname)
	}
	n.finish()
	for i, t := range n.tokens {
		if i < 32 && len(t) > 2*minSegment {
			n.joins = append(n.joins, run{text: t, mask: 1 << i})
		}
	}
	for _, r := range n.runs {
		if len(r.text) > 2*minSegment {
			n.joins = append(n.joins, r)
		}
	}
	return n
}

// Parts of a name.
const (
	partGiven   uint8 = 0 // given names; a query's first field; the whole of a plain name
	partSurname uint8 = 1 // a listed surname; a query's last field
)

func (n *name) add(t string, required bool, part uint8) {
	n.tokens = append(n.tokens, t)
	n.required = append(n.required, required)
	n.part = append(n.part, part)
	n.weight += float64(len(t))
}

// joined is the name's tokens concatenated without separators, so
// "abdul rahman" and "abdulrahman" compare equal.
func (n name) joined() string { return strings.Join(n.tokens, "") }
