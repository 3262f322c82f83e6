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
func NewIndex(l *List) *Index {
	ix := &Index{List: l, keys: map[string][]int32{}}
	vocab := map[string]int32{}
	for ei, e := range l.Entries {
		if !e.Individual() {
			continue
		}
		ix.addName(vocab, ei, e.Name, false)
		for _, a := range e.Alts {
			ix.addName(vocab, ei, a, true)
		}
	}
	for tok, id := range vocab {
		ix.keys[tok] = appendUnique(ix.keys[tok], id)
		if len(tok) >= minDeleteLen {
			for _, d := range deletions(tok) {
				ix.keys[d] = appendUnique(ix.keys[d], id)
			}
		}
	}
	n := len(ix.names)
	ix.scratch.New = func() any { return &scratch{hits: make([]uint8, n), seen: make([]int32, n)} }
	return ix
}

func (ix *Index) addName(vocab map[string]int32, entry int, text string, alt bool) {
	nm := listName(text)
	if len(nm.tokens) == 0 {
		return
	}
	id := int32(len(ix.names))
	ix.names = append(ix.names, indexed{entry: entry, text: text, alt: alt, name: nm})
	for _, t := range nm.tokens {
		tid, ok := vocab[t]
		if !ok {
			tid = int32(len(ix.postings))
			vocab[t] = tid
			ix.postings = append(ix.postings, nil)
		}
		p := ix.postings[tid]
		if len(p) == 0 || p[len(p)-1] != id {
			ix.postings[tid] = append(p, id)
		}
	}
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
	seen    []int32 // last query token (1-based) that counted a hit
	touched []int32
}

// Screen scores the person against the index and answers the matches
// scoring at least threshold, best first (at most limit).
func (ix *Index) Screen(first, last string, dob time.Time, threshold float64, limit int) []Match {
	q := plainName(Normalize(first + " " + last))
	if len(q.tokens) == 0 {
		return nil
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	cands := ix.candidates(q, sc)
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

// candidates answers the names sharing enough (possibly misspelt) tokens
// with q: at least two distinct query tokens, or every token of a shorter
// query or name. Tokens under minDeleteLen letters are not required to
// hit, since their typos cannot be found through the index.
func (ix *Index) candidates(q name, sc *scratch) []int32 {
	sc.touched = sc.touched[:0]
	type qtok struct {
		ids  []int32
		size int
	}
	toks := make([]qtok, len(q.tokens))
	rare := 0
	for qi, t := range q.tokens {
		ids := append([]int32(nil), ix.keys[t]...)
		if len(t) >= minDeleteLen {
			for i := range len(t) {
				ids = append(ids, ix.keys[t[:i]+t[i+1:]]...)
			}
		}
		for _, tid := range ids {
			toks[qi].size += len(ix.postings[tid])
		}
		toks[qi].ids = ids
		if toks[qi].size <= commonPostings {
			rare++
		}
	}
	// Rare tokens first: they alone may make a name a candidate. Common
	// tokens ("al", "abd", "mohammed") only add hits to names a rare token
	// found; a query of common tokens only is seeded by its least common.
	seed := -1
	if rare == 0 {
		for qi, qt := range toks {
			if seed < 0 || qt.size < toks[seed].size {
				seed = qi
			}
		}
	}
	for pass := 0; pass < 2; pass++ {
		for qi, qt := range toks {
			generator := qt.size <= commonPostings || qi == seed
			if (pass == 0) != generator {
				continue
			}
			marker := int32(qi + 1)
			onlyTouched := !generator
			for _, tid := range qt.ids {
				for _, nid := range ix.postings[tid] {
					if sc.seen[nid] == marker || (onlyTouched && sc.hits[nid] == 0) {
						continue
					}
					if sc.hits[nid] == 0 {
						sc.touched = append(sc.touched, nid)
					}
					sc.seen[nid] = marker
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
		sc.hits[nid], sc.seen[nid] = 0, 0
	}
	return out
}

// commonPostings is the posting count above which a query token is
// common: it cannot make a name a candidate on its own.
const commonPostings = 300

// DefaultThreshold is the score at or above which a person is held for
// review (VERDANT_SANCTIONS_THRESHOLD overrides it).
const DefaultThreshold = 0.90
