package sanctions

import (
	"sort"
	"sync"
	"time"
)

// Index is a screening index over the individuals of one list. Every
// normalised name token (and, for tokens of 4 or more letters, each of
// its one-letter deletions) points at the names that contain it, so a
// screening scores only names sharing tokens with the query, typos
// included, instead of the whole list.
type Index struct {
	List     *List
	names    []indexed
	postings [][]int32          // token id -> name ids
	keys     map[string][]int32 // token or one-deletion -> token ids
	vocab    map[string]int32   // token or run -> token id
	scratch  sync.Pool
}

type indexed struct {
	entry int // index into List.Entries
	text  string
	alt   bool
	name  name
}

// minDeleteLen is the shortest token indexed by its one-letter deletions:
// shorter tokens would make keys like "al" that point at half the list.
const minDeleteLen = 3

// NewIndex indexes the individuals of l (primary and alternate names).
// Runs of a name (spelling.go) are indexed as spelt, without deletions:
// a joined name found through its run is rarely also misspelt, and runs'
// deletions would triple the index.
func NewIndex(l *List) *Index {
	ix := &Index{List: l, keys: map[string][]int32{}, vocab: map[string]int32{}}
	var token []bool // by token id: a token of some name, not only a run
	for ei, e := range l.Entries {
		if !e.Individual() {
			continue
		}
		token = ix.addName(token, ei, e.Name, false)
		for _, a := range e.Alts {
			token = ix.addName(token, ei, a, true)
		}
	}
	for tok, id := range ix.vocab {
		ix.keys[tok] = appendUnique(ix.keys[tok], id)
		if len(tok) >= minDeleteLen && token[id] {
			for _, d := range deletions(tok) {
				ix.keys[d] = appendUnique(ix.keys[d], id)
			}
		}
	}
	n := len(ix.names)
	ix.scratch.New = func() any { return &scratch{hits: make([]uint8, n), covered: make([]uint32, n)} }
	return ix
}

// addName indexes one listed name by its tokens and runs, marking in
// token (by token id) which are tokens.
func (ix *Index) addName(token []bool, entry int, text string, alt bool) []bool {
	nm := listName(text)
	if len(nm.tokens) == 0 {
		return token
	}
	id := int32(len(ix.names))
	ix.names = append(ix.names, indexed{entry: entry, text: text, alt: alt, name: nm})
	for i, t := range nm.keys() {
		tid, ok := ix.vocab[t]
		if !ok {
			tid = int32(len(ix.postings))
			ix.vocab[t] = tid
			ix.postings = append(ix.postings, nil)
			token = append(token, false)
		}
		token[tid] = token[tid] || i < len(nm.tokens)
		p := ix.postings[tid]
		if len(p) == 0 || p[len(p)-1] != id {
			ix.postings[tid] = append(p, id)
		}
	}
	return token
}

func appendUnique(s []int32, v int32) []int32 {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// deletions answers tok with each one of its letters removed.
func deletions(tok string) []string {
	out := make([]string, 0, len(tok))
	for i := range len(tok) {
		out = append(out, tok[:i]+tok[i+1:])
	}
	return out
}

// Names answers how many names (primary and alternate) are indexed.
func (ix *Index) Names() int { return len(ix.names) }

// Match is a listed name a person resembles.
type Match struct {
	EntryID     int     `json:"entryId"`
	Name        string  `json:"name"`        // the listed name that matched (primary or alternate)
	PrimaryName string  `json:"primaryName"` // the entry's primary name
	Alternate   bool    `json:"alternate"`
	Programs    string  `json:"programs"`
	NameScore   float64 `json:"nameScore"` // name similarity alone, 0..1
	DOBSignal   int     `json:"dobSignal"` // +1 date of birth agrees, -1 disagrees, 0 unknown
	Score       float64 `json:"score"`     // name score adjusted by the date of birth
	ListVersion string  `json:"listVersion"`
}

// dobWeight is how far a date of birth moves a name score: corroborating,
// never decisive on its own.
const dobWeight = 0.04

type scratch struct {
	hits    []uint8
	covered []uint32 // query tokens whose words have counted a hit
	touched []int32
}

// Screen scores the person against the index and answers the matches
// scoring at least threshold, best first (at most limit).
func (ix *Index) Screen(first, last string, dob time.Time, threshold float64, limit int) []Match {
	q := queryName(first, last)
	if len(q.tokens) == 0 {
		return nil
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	cands := ix.candidates(&q, sc)
	best := map[int]Match{} // best match per entry
	for _, c := range cands {
		nm := &ix.names[c]
		s := nameScore(q, nm.name)
		if s+dobWeight < threshold {
			continue
		}
		e := &ix.List.Entries[nm.entry]
		sig := dobSignal(dob, e.DOBs)
		total := min(1, max(0, s+dobWeight*float64(sig)))
		if total < threshold {
			continue
		}
		if b, ok := best[nm.entry]; ok && b.Score >= total {
			continue
		}
		best[nm.entry] = Match{EntryID: e.ID, Name: nm.text, PrimaryName: e.Name, Alternate: nm.alt,
			Programs: e.Programs, NameScore: round4(s), DOBSignal: sig, Score: round4(total), ListVersion: ix.List.Version}
	}
	out := make([]Match, 0, len(best))
	for _, m := range best {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].EntryID < out[j].EntryID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func round4(f float64) float64 { return float64(int(f*10000+0.5)) / 10000 }

// candidates answers the names sharing enough (possibly misspelt) words
// with q: at least two, or every word of a shorter query or name. A word
// is a query token, a run of query tokens, or a piece of one (queryKeys);
// words covering the same query token count once. Tokens under
// minDeleteLen letters are not required to hit, since their typos cannot
// be found through the index.
func (ix *Index) candidates(q *name, sc *scratch) []int32 {
	sc.touched = sc.touched[:0]
	type qtok struct {
		mask uint32
		ids  []int32
		size int
	}
	keys := ix.queryKeys(q)
	toks := make([]qtok, len(keys))
	for qi, k := range keys {
		var ids []int32
		if k.exact {
			if tid, ok := ix.vocab[k.text]; ok {
				ids = []int32{tid}
			}
		} else {
			t := k.text
			ids = append(ids, ix.keys[t]...)
			if len(t) >= minDeleteLen {
				for i := range len(t) {
					ids = append(ids, ix.keys[t[:i]+t[i+1:]]...)
				}
			}
		}
		for _, tid := range ids {
			toks[qi].size += len(ix.postings[tid])
		}
		toks[qi].ids, toks[qi].mask = ids, k.mask
	}
	lead := leads(q, keys, func(qi int) int { return toks[qi].size })
	rare := 0
	for qi, l := range lead {
		if l && toks[qi].size > 0 {
			rare++
		}
	}
	// Rare words first: they alone may make a name a candidate. Common
	// tokens ("al", "abd", "mohammed"), particles, tokens under
	// minDeleteLen letters and runs of those only add hits to names a rare
	// word found; a query of those only is seeded by its least common.
	seed := -1
	if rare == 0 {
		for qi, qt := range toks {
			if qt.size > 0 && (seed < 0 || qt.size < toks[seed].size) {
				seed = qi
			}
		}
	}
	for pass := 0; pass < 2; pass++ {
		for qi, qt := range toks {
			generator := lead[qi] || qi == seed
			if (pass == 0) != generator {
				continue
			}
			onlyTouched := !generator
			for _, tid := range qt.ids {
				for _, nid := range ix.postings[tid] {
					if sc.covered[nid]&qt.mask != 0 || (onlyTouched && sc.hits[nid] == 0) {
						continue
					}
					if sc.hits[nid] == 0 {
						sc.touched = append(sc.touched, nid)
					}
					sc.covered[nid] |= qt.mask
					if sc.hits[nid] < 255 {
						sc.hits[nid]++
					}
				}
			}
		}
	}
	long := 0 // query tokens long enough to be found misspelt
	for _, t := range q.tokens {
		if len(t) >= minDeleteLen {
			long++
		}
	}
	out := make([]int32, 0, 16)
	for _, nid := range sc.touched {
		need := max(1, min(2, long, len(ix.names[nid].name.tokens)))
		if int(sc.hits[nid]) >= need {
			out = append(out, nid)
		}
		sc.hits[nid], sc.covered[nid] = 0, 0
	}
	return out
}

// commonPostings is the posting count above which a query token is
// common: it cannot make a name a candidate on its own.
const commonPostings = 300

// commonRun is the posting count above which a run or piece is common.
const commonRun = 100

// DefaultThreshold is the score at or above which a person is held for
// review (VERDANT_SANCTIONS_THRESHOLD overrides it).
const DefaultThreshold = 0.90
