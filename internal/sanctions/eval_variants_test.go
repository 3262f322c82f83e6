package sanctions

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// The spelling-variant part of the screening evaluation: SDN individuals
// written the way the customer field rules (letters, hyphens, spaces)
// let a customer write them, with no typo, so that each kind of variant
// is measured on its own.

// variantKinds are the spelling variants measured, each on its own
// sample of SDN individuals.
var variantKinds = []string{"separator inside a name", "field without separators", "particle joined or split", "one surname of several"}

// evalParticles are the particles the evaluation joins or splits. It is
// the test's own list, kept apart from the matcher's, in a fixed order so
// the sample is deterministic.
var evalParticles = []string{"al", "el", "bin", "ben", "ibn", "de", "del", "da", "das", "do", "dos", "di", "du",
	"la", "y", "van", "von", "der"}

func isEvalParticle(t string) bool { return slices.Contains(evalParticles, t) }

// variantName is an SDN individual's "LAST, Given Middle" name as
// customer-form fields: folded to the letters a customer can type, one
// middle name dropped when there is one.
func variantName(rng *rand.Rand, e Entry) (given, surname []string, ok bool) {
	s, g, ok := strings.Cut(e.Name, ",")
	given, surname = strings.Fields(Normalize(g)), strings.Fields(Normalize(s))
	if !ok || len(given) == 0 || len(surname) == 0 {
		return nil, nil, false
	}
	if len(given) > 1 {
		i := 1 + rng.IntN(len(given)-1)
		given = append(given[:i:i], given[i+1:]...)
	}
	return given, surname, true
}

// spellingVariant writes e with one variant of the given kind, or
// answers false when the kind does not apply to the name. As in perturb,
// the fields may be swapped and are recased.
func spellingVariant(rng *rand.Rand, e Entry, kind string, vocab map[string]bool) (perturbed, bool) {
	given, surname, ok := variantName(rng, e)
	if !ok {
		return perturbed{}, false
	}
	fields := [][]string{given, surname}
	var first, last string
	switch kind {
	case variantKinds[0]: // "Ma-duro Mo-ros", "Nico las"
		f := rng.IntN(2)
		if !splitField(rng, fields[f]) && !splitField(rng, fields[1-f]) {
			return perturbed{}, false
		}
		first, last = strings.Join(fields[0], " "), strings.Join(fields[1], " ")
	case variantKinds[1]: // "MaduroMoros"
		f := rng.IntN(2)
		if len(fields[f]) < 2 {
			f = 1 - f
		}
		if len(fields[f]) < 2 {
			return perturbed{}, false
		}
		fields[f] = []string{strings.Join(fields[f], "")}
		first, last = strings.Join(fields[0], " "), strings.Join(fields[1], " ")
	case variantKinds[2]: // "Alzawahiri", "Al Hamdani"
		if !particleVariant(rng, fields, vocab) {
			return perturbed{}, false
		}
		first, last = strings.Join(fields[0], " "), strings.Join(fields[1], " ")
	case variantKinds[3]: // "Nicolas Maduro" for "MADURO MOROS, Nicolas"
		groups := surnameGroups(surname)
		if len(groups) < 2 {
			return perturbed{}, false
		}
		first, last = strings.Join(given, " "), groups[rng.IntN(len(groups))]
	default:
		panic(kind)
	}
	if rng.IntN(2) == 0 {
		first, last = last, first
	}
	return perturbed{e.ID, recase(rng, first), recase(rng, last)}, true
}

// splitField writes a hyphen or a space inside every token of 4 or more
// letters, at least two letters from either end.
func splitField(rng *rand.Rand, toks []string) bool {
	split := false
	for i, t := range toks {
		if len(t) < 4 {
			continue
		}
		at := 2 + rng.IntN(len(t)-3)
		toks[i] = t[:at] + []string{"-", " "}[rng.IntN(2)] + t[at:]
		split = true
	}
	return split
}

// particleVariant joins a particle to the token after it ("al zawahiri"
// -> "alzawahiri") or splits one off a token that carries it ("alhamdani"
// -> "al hamdani", when "hamdani" is a listed token), in either field.
func particleVariant(rng *rand.Rand, fields [][]string, vocab map[string]bool) bool {
	type edit struct{ f, i int }
	var joins, splits []edit
	for f, toks := range fields {
		for i, t := range toks {
			if isEvalParticle(t) && i+1 < len(toks) {
				joins = append(joins, edit{f, i})
			}
			for _, p := range evalParticles {
				if strings.HasPrefix(t, p) && len(t) >= len(p)+4 && vocab[t[len(p):]] {
					splits = append(splits, edit{f, i})
					break
				}
			}
		}
	}
	if len(joins)+len(splits) == 0 {
		return false
	}
	if n := rng.IntN(len(joins) + len(splits)); n < len(joins) {
		j := joins[n]
		toks := fields[j.f]
		fields[j.f] = append(append(toks[:j.i:j.i], toks[j.i]+toks[j.i+1]), toks[j.i+2:]...)
	} else {
		s := splits[n-len(joins)]
		t := fields[s.f][s.i]
		for _, p := range evalParticles {
			if strings.HasPrefix(t, p) && len(t) >= len(p)+4 && vocab[t[len(p):]] {
				fields[s.f][s.i] = p + " " + t[len(p):]
				break
			}
		}
	}
	return true
}

// surnameGroups splits surname tokens into surnames, each particle kept
// with the surname after it ("flores de maduro" -> "flores", "de maduro").
func surnameGroups(toks []string) []string {
	var out []string
	cur := ""
	for i, t := range toks {
		cur = strings.TrimSpace(cur + " " + t)
		if !isEvalParticle(t) || i == len(toks)-1 {
			out = append(out, cur)
			cur = ""
		}
	}
	return out
}

// variantSample is the SDN individuals written with each spelling
// variant: per kind, the first n (of people, in order) the kind applies to.
func variantSample(rng *rand.Rand, people []Entry, n int, vocab map[string]bool) map[string][]perturbed {
	out := map[string][]perturbed{}
	for _, kind := range variantKinds {
		for _, e := range people {
			if len(out[kind]) == n {
				break
			}
			if p, ok := spellingVariant(rng, e, kind, vocab); ok {
				out[kind] = append(out[kind], p)
			}
		}
	}
	return out
}

// compoundName is an ordinary name of the shapes the variant rules act
// on: a double surname (with a space, a hyphen or nothing between) and
// sometimes a double given name.
func compoundName(rng *rand.Rand, firsts, lasts []string) (string, string) {
	first := firsts[rng.IntN(len(firsts))]
	if rng.IntN(4) == 0 {
		first += []string{" ", "-"}[rng.IntN(2)] + firsts[rng.IntN(len(firsts))]
	}
	last := lasts[rng.IntN(len(lasts))] + []string{" ", "-", ""}[rng.IntN(3)] + lasts[rng.IntN(len(lasts))]
	return first, last
}

// listVocab is every normalised token of the list's individual names.
func listVocab(l *List) map[string]bool {
	v := map[string]bool{}
	for _, e := range l.Entries {
		if e.Individual() {
			for _, t := range strings.Fields(Normalize(e.Name)) {
				v[t] = true
			}
		}
	}
	return v
}

func percent(hits, n int) string {
	return fmt.Sprintf("%d/%d (%.1f%%)", hits, n, 100*float64(hits)/float64(n))
}
