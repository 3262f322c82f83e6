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
	if j := JaroWinkler(q.joined(), c.joined()); j > s && len(q.tokens) == len(c.tokens) {
		s = j
	}
	return s
}

// tokenScore aligns tokens: matched pairs weigh their similarity by their
// length; an unmatched query token or required listed token counts fully
// against the score, an unmatched optional (middle) name only a little.
func tokenScore(q, c name) float64 {
	nq, nc := len(q.tokens), len(c.tokens)
	if nq == 0 || nc == 0 || nq > 16 || nc > 16 {
		return 0
	}
	var sim, raw [16][16]float64
	for i, a := range q.tokens {
		for k, b := range c.tokens {
			sim[i][k], raw[i][k] = tokenSim(a, b)
		}
	}
	var usedQ, usedC [16]bool
	var num, den float64
	typos := 0 // pairs matched only as one-edit typos: one is a typo, two is another name
	for {
		bi, bk, bs := -1, -1, tokenFloor
		for i := 0; i < nq; i++ {
			if usedQ[i] {
				continue
			}
			for k := 0; k < nc; k++ {
				if !usedC[k] && sim[i][k] >= bs {
					bi, bk, bs = i, k, sim[i][k]
				}
			}
		}
		if bi < 0 {
			break
		}
		usedQ[bi], usedC[bk] = true, true
		if raw[bi][bk] < bs {
			if typos++; typos > 1 {
				bs = raw[bi][bk]
			}
		}
		w := float64(len(q.tokens[bi])+len(c.tokens[bk])) / 2
		num += bs * w
		den += w
	}
	if num == 0 {
		return 0
	}
	for i := 0; i < nq; i++ {
		if !usedQ[i] {
			den += float64(len(q.tokens[i]))
		}
	}
	for k := 0; k < nc; k++ {
		if usedC[k] {
			continue
		}
		if c.required[k] {
			den += float64(len(c.tokens[k]))
		} else {
			den += optionalPenalty
		}
	}
	return num / den
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
