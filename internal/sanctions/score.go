package sanctions

// tokenFloor is the least Jaro-Winkler similarity for two tokens to pair.
const tokenFloor = 0.8

// optionalPenalty is the weight (in letters) an unmatched optional
// (middle) name token counts against a match, whatever its length: long
// patronymics must not sink a match on first and last name.
const optionalPenalty = 0.25

// nameScore compares a query name with a listed name, 0..1: the better of
// a token alignment (each query token paired with its most similar listed
// token, greedily, best pairs first, so order does not matter) and the
// Jaro-Winkler similarity of the names written without spaces.
func nameScore(q, c name) float64 {
	s := tokenScore(q, c)
	if s == 1 {
		return 1
	}
	if len(q.tokens) != len(c.tokens) {
		return s
	}
	if j := JaroWinkler(q.joined(), c.joined()); j > s {
		s = j
	}
	return s
}

// tokenScore aligns tokens: matched pairs weigh their similarity by their
// length; an unmatched query token or required listed token counts fully
// against the score, an unmatched optional (middle) name only a little.
// A pair is two tokens, or a run of one name and a token or run of the
// other spelt the same (spelling.go).
func tokenScore(q, c name) float64 {
	nq, nc := len(q.tokens), len(c.tokens)
	if nq == 0 || nc == 0 || nq > 16 || nc > 16 {
		return 0
	}
	var buf [48]pair
	pairs := buf[:0]
	for i, a := range q.tokens {
		for k, b := range c.tokens {
			if !canPair(a, b) {
				continue
			}
			if s, r := tokenSim(a, b); s >= tokenFloor {
				pairs = append(pairs, pair{q: 1 << i, c: 1 << k, sim: s, raw: r, w: float64(len(a)+len(b)) / 2})
			}
		}
	}
	pairs = runPairs(pairs, q, c)
	var usedQ, usedC, exactC uint32
	var num, den float64
	typos := 0 // pairs matched only as one-edit typos: one is a typo, two is another name
	for {
		best := -1
		for i, p := range pairs {
			if p.q&usedQ == 0 && p.c&usedC == 0 && (best < 0 || p.sim >= pairs[best].sim) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		p := pairs[best]
		usedQ, usedC = usedQ|p.q, usedC|p.c
		if p.raw == 1 {
			exactC |= p.c
		}
		s := p.sim
		if p.raw < s {
			if typos++; typos > 1 {
				s = p.raw
			}
		}
		num += s * p.w
		den += p.w
	}
	if num == 0 {
		return 0
	}
	for i, t := range q.tokens {
		switch {
		case usedQ&(1<<i) != 0:
		case q.particle[i]:
			den += optionalPenalty
		default:
			den += float64(len(t))
		}
	}
	for k := range c.tokens {
		if usedC&(1<<k) == 0 {
			den += c.unmatchedCost(k, usedC, exactC)
		}
	}
	return num / den
}

// pair is a candidate pairing of query tokens (bit mask) with listed
// tokens, its similarity (raised for a one-edit typo) and plain
// Jaro-Winkler, and its weight (mean length).
type pair struct {
	q, c     uint32
	sim, raw float64
	w        float64
}

// runPairs adds the pairs of a run of either name with a token or run of
// the other spelt the same or one edit away: "nico las" and "nicolas",
// "maduromoros" and "maduro moros", "ma duro mo ros" and "maduro moros";
// and of a query token or run with listed tokens that spell it with a
// middle name left out ("musasalim" and "Musa Muhammad Salim").
func runPairs(pairs []pair, q, c name) []pair {
	add := func(a string, qm uint32, b string, cm uint32) {
		if d := len(a) - len(b); d < -1 || d > 1 {
			return
		}
		if a != b && !oneEdit(a, b) {
			return
		}
		s, r := tokenSim(a, b)
		pairs = append(pairs, pair{q: qm, c: cm, sim: s, raw: r, w: float64(len(a)+len(b)) / 2})
	}
	for _, qr := range q.runs {
		for k, b := range c.tokens {
			add(qr.text, qr.mask, b, 1<<k)
		}
		for _, cr := range c.runs {
			add(qr.text, qr.mask, cr.text, cr.mask)
		}
	}
	for i, a := range q.tokens {
		for _, cr := range c.runs {
			add(a, 1<<i, cr.text, cr.mask)
		}
	}
	for _, j := range q.joins {
		if cm, ok := c.spells(j.text); ok {
			pairs = append(pairs, pair{q: j.mask, c: cm, sim: 1, raw: 1, w: float64(len(j.text))})
		}
	}
	return pairs
}

// canPair reports whether a and b may reach tokenFloor, from their
// lengths and common prefix alone: Jaro cannot exceed (2 + shorter/longer)
// / 3, so tokens of very different lengths need no Jaro-Winkler.
func canPair(a, b string) bool {
	la, lb := len(a), len(b)
	if la > lb {
		la, lb = lb, la
	}
	if lb == 0 {
		return false
	}
	j := (2 + float64(la)/float64(lb)) / 3
	if j > 0.7 {
		l := 0
		for l < la && l < 4 && a[l] == b[l] {
			l++
		}
		j += float64(l) * 0.1 * (1 - j)
	}
	return j >= tokenFloor
}

// typoSim is the similarity of two tokens one edit apart (one letter
// substituted, dropped, added, or two neighbours swapped). Jaro-Winkler
// alone punishes a typo in a short token ("paul"/"xaul" 0.83) or in a
// first letter far more than a reader would.
const typoSim = 0.92

// tokenSim answers Jaro-Winkler raised to typoSim for tokens one edit
// apart, and Jaro-Winkler alone. Only one raised pair counts per name.
func tokenSim(a, b string) (float64, float64) {
	j := JaroWinkler(a, b)
	if j < typoSim && len(a)+len(b) >= 3 && oneEdit(a, b) {
		return typoSim, j
	}
	return j, j
}

// oneEdit reports whether a and b differ by exactly one substitution,
// insertion, deletion or transposition of neighbours.
func oneEdit(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return false
		}
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return a[i+1:] == b[i:]
	}
	return false
}
