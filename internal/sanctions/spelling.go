package sanctions

import "strings"

// Spelling variants. The customer field rules allow letters, hyphens and
// spaces, so one name can be written many ways: "Ma-duro Mo-ros",
// "MaduroMoros", "Nico las", "Alzawahiri" for "AL ZAWAHIRI", or a
// two-surname name with one surname only. The matcher treats them as the
// same name:
//
//   - runs: two or more consecutive tokens of one part, joined, pair with
//     a token or run of the other name spelt the same (or one edit away),
//     so separators added, removed or moved inside a part do not matter;
//   - particles (al, de, van...) are part of the surname after them: left
//     out, they count like a middle name, and joined or split they are a
//     run like any other;
//   - a listed name with several surnames matches its given name with any
//     one of them: the other surnames then count like middle names.

// particles are the name particles: words that join the name after them
// rather than being a name of their own. A particle last in its part is
// a name ("LE, Van" is a surname Le).
var particles = map[string]bool{
	"al": true, "el": true, "ul": true, "ad": true, "ar": true, "as": true, "ash": true, "at": true, "az": true,
	"bin": true, "ibn": true, "bint": true, "ben": true, "ould": true,
	"da": true, "das": true, "de": true, "del": true, "della": true, "der": true, "di": true, "do": true,
	"dos": true, "du": true, "la": true, "las": true, "le": true, "los": true, "y": true,
	"van": true, "von": true, "den": true, "ter": true, "ten": true,
}

// maxRun is the most tokens a run joins, besides the whole of a part:
// "ma du ro" is "maduro", and a part written in any number of pieces is
// still its whole joined.
const maxRun = 4

// run is consecutive tokens of one part, joined ("maduro moros" ->
// "maduromoros"), and which tokens it covers.
type run struct {
	text string
	mask uint32 // bit i: token i (names of over 32 tokens get no runs past it)
}

// finish marks particles and builds runs once every token is added.
func (n *name) finish() {
	k := len(n.tokens)
	n.particle = make([]bool, k)
	n.group = make([]int, k)
	for i, t := range n.tokens {
		n.group[i] = -1
		n.particle[i] = particles[t] && i+1 < k && n.part[i+1] == n.part[i]
	}
	n.runs = nil
	for lo := 0; lo < k && lo < 32; {
		hi := lo
		for hi < k && hi < 32 && n.part[hi] == n.part[lo] {
			hi++
		}
		n.addRuns(lo, hi)
		lo = hi
	}
}

// addRuns adds the runs of the part made of tokens lo..hi-1.
func (n *name) addRuns(lo, hi int) {
	for i := lo; i < hi; i++ {
		for j := i + 2; j <= hi; j++ {
			if j-i > maxRun && (i != lo || j != hi) {
				continue
			}
			var mask uint32
			for b := i; b < j; b++ {
				mask |= 1 << b
			}
			n.runs = append(n.runs, run{text: strings.Join(n.tokens[i:j], ""), mask: mask})
		}
	}
}

// spells finds tokens of one part of n, at least two, in order, with
// only optional (middle) names skipped between them, that joined spell u:
// "musasalim" is "musa" and "salim" of "Musa Muhammad Salim". It answers
// them as a mask of token positions.
func (n *name) spells(u string) (uint32, bool) {
	for s := range n.tokens {
		if s >= 32 {
			break
		}
		if m, ok := n.spellFrom(u, s, 0, 0); ok {
			return m, true
		}
	}
	return 0, false
}

// spellFrom continues spells: u must start with token k, then go on with
// a later token of k's part.
func (n *name) spellFrom(u string, k int, mask uint32, count int) (uint32, bool) {
	t := n.tokens[k]
	if !strings.HasPrefix(u, t) {
		return 0, false
	}
	u, mask, count = u[len(t):], mask|1<<k, count+1
	if u == "" {
		return mask, count >= 2
	}
	for j := k + 1; j < len(n.tokens) && j < 32 && n.part[j] == n.part[k]; j++ {
		if m, ok := n.spellFrom(u, j, mask, count); ok {
			return m, true
		}
		if n.required[j] {
			break // only optional names may be skipped
		}
	}
	return 0, false
}

// keys are what the index finds a listed name by: its tokens, then its
// runs, so "maduromoros" finds "MADURO MOROS".
func (n *name) keys() []string {
	out := make([]string, 0, len(n.tokens)+len(n.runs))
	out = append(out, n.tokens...)
	for _, r := range n.runs {
		out = append(out, r.text)
	}
	return out
}

// groupSurnames splits a listed name's surname into surnames, each
// particle with the token after it: "flores de maduro" is "flores" and
// "de maduro", "al zawahiri" one surname. Listed names have particles in
// the surname only.
func (n *name) groupSurnames() {
	g := 0
	for i := range n.tokens {
		if n.part[i] != partSurname {
			n.particle[i] = false // "Van" of "LE, Van Thanh" is a given name
			continue
		}
		n.group[i] = g
		if !n.particle[i] {
			g++
		}
	}
	n.groups = g
}

// unmatchedCost is what a listed token left unpaired counts against a
// match (in letters): a required token its length, except a particle of
// a surname that matched (usedC: paired tokens), or a whole surname when
// the given name and another surname matched exactly (exactC), not as a
// typo: one departure from the listed name at a time. Those count little,
// like middle names.
func (n *name) unmatchedCost(k int, usedC, exactC uint32) float64 {
	if !n.required[k] {
		return optionalPenalty
	}
	g := n.group[k]
	if g < 0 {
		return float64(len(n.tokens[k]))
	}
	if n.particle[k] && n.surnameMatched(g, usedC) {
		return optionalPenalty
	}
	if n.groups > 1 && n.givenMatched(exactC) {
		for o := 0; o < n.groups; o++ {
			if o != g && n.surnameMatched(o, exactC) {
				return optionalPenalty
			}
		}
	}
	return float64(len(n.tokens[k]))
}

// surnameMatched reports whether a token of surname g other than a
// particle is in mask (paired tokens).
func (n *name) surnameMatched(g int, mask uint32) bool {
	for k, kg := range n.group {
		if kg == g && !n.particle[k] && mask&(1<<k) != 0 {
			return true
		}
	}
	return false
}

// givenMatched reports whether every required given-name token is in
// mask (paired tokens).
func (n *name) givenMatched(mask uint32) bool {
	found := false
	for k, p := range n.part {
		if p == partGiven && n.required[k] {
			if mask&(1<<k) == 0 {
				return false
			}
			found = true
		}
	}
	return found
}
