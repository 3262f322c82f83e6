package sanctions

// The words a screening searches the index by (candidates).

// queryKey is a word the index is searched by, and the query tokens it
// covers.
type queryKey struct {
	text  string
	mask  uint32
	exact bool // looked up as spelt, not also one edit away
}

// queryKeys are what the index is searched by: the query's tokens (and
// their typos), its runs ("nico las" -> "nicolas") and the pieces of a
// token or run that is no indexed token but a few joined ("musasalim" ->
// "musa", "salim"), those as spelt. It also trims q to save the matcher
// work: runs that are no key of the index (nothing listed is spelt so, or
// one letter longer or shorter) are dropped, and only words that are
// listed or split into listed tokens are kept as joins.
func (ix *Index) queryKeys(q *name) []queryKey {
	keys := make([]queryKey, 0, len(q.tokens)+len(q.runs))
	for i, t := range q.tokens {
		keys = append(keys, queryKey{text: t, mask: 1 << min(i, 31)})
	}
	runs := q.runs[:0:0]
	for _, r := range q.runs {
		if _, ok := ix.keys[r.text]; ok {
			runs = append(runs, r)
		}
		if _, ok := ix.vocab[r.text]; ok {
			keys = append(keys, queryKey{text: r.text, mask: r.mask, exact: true})
		}
	}
	joins := q.joins[:0:0]
	for _, j := range q.joins {
		pieces := ix.segment(j.text)
		if _, ok := ix.vocab[j.text]; ok || len(pieces) > 0 {
			joins = append(joins, j)
		}
		for _, p := range pieces {
			if !hasKey(keys, p) {
				keys = append(keys, queryKey{text: p, mask: j.mask, exact: true})
			}
		}
	}
	q.runs, q.joins = runs, joins
	return keys
}

func hasKey(keys []queryKey, t string) bool {
	for _, k := range keys {
		if k.text == t {
			return true
		}
	}
	return false
}

// segment splits t, when it is no key of the index, into the fewest
// listed tokens (of 2 letters or more) that joined spell it; none when it
// cannot.
func (ix *Index) segment(t string) []string {
	if len(t) < 2*minSegment+1 || len(t) > 64 {
		return nil
	}
	if _, ok := ix.keys[t]; ok {
		return nil
	}
	// pieces[i]: fewest keys spelling t[i:] (0: none), next[i]: end of the first.
	var pieces, next [65]int
	for i := len(t) - minSegment; i >= 0; i-- {
		for j := i + minSegment; j <= len(t); j++ {
			if j < len(t) && pieces[j] == 0 {
				continue
			}
			if _, ok := ix.vocab[t[i:j]]; !ok {
				continue
			}
			if p := pieces[j] + 1; pieces[i] == 0 || p < pieces[i] {
				pieces[i], next[i] = p, j
			}
		}
	}
	if pieces[0] < 2 {
		return nil
	}
	out := make([]string, 0, pieces[0])
	for i := 0; i < len(t); i = next[i] {
		out = append(out, t[i:next[i]])
	}
	return out
}

// minSegment is the shortest piece segment splits off: "al" of
// "alzawahiri".
const minSegment = 2

// leads answers which keys may make a name a candidate on their own: a
// rare (size: postings) token of minDeleteLen letters or more that is no
// particle, and a run or piece of minDeleteLen letters or more rarer
// still (commonRun): runs of common tokens ("abd al" -> "abdal") are
// common too, though less so than each token.
func leads(q *name, keys []queryKey, size func(int) int) []bool {
	lead := make([]bool, len(keys))
	for qi, k := range keys {
		switch {
		case len(k.text) < minDeleteLen:
		case qi < len(q.tokens):
			lead[qi] = size(qi) <= commonPostings && !q.particle[qi]
		default:
			lead[qi] = size(qi) <= commonRun
		}
	}
	return lead
}
