package sanctions

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// Issue 16: spellings the customer field rules allow (letters, hyphens,
// spaces) must not evade screening. Each is screened against the
// embedded snapshot: "MADURO MOROS, Nicolas" is entry 22790, "AL
// ZAWAHIRI, Dr. Ayman" (a.k.a. "AL-ZAWAHIRI, Ayman") entry 2676, "FLORES
// DE MADURO, Cilia Adela" entry 25079.
func TestScreenSpellingVariants(t *testing.T) {
	t.Parallel()
	ix := loadIndex(t)
	for _, c := range []struct {
		first, last string
		entry       int
	}{
		{"Nicolas", "Maduro Moros", 22790}, // as listed, for reference
		{"Nicolas", "Ma-duro Mo-ros", 22790},
		{"Nicolas", "MaduroMoros", 22790},
		{"Nico las", "Maduro Moros", 22790},
		{"Nico-las", "Ma duro Moros", 22790},
		{"Nicolas", "M-a-d-u-r-o-M-o-r-o-s", 22790}, // any number of pieces
		{"MaduroMoros", "Nicolas", 22790},           // fields swapped
		{"Nicolas", "Maduro", 22790},                // first surname only
		{"Nicolas", "Moros", 22790},                 // second surname only
		{"Ayman", "Alzawahiri", 2676},
		{"Ayman", "Al Zawahiri", 2676},
		{"Ayman", "Zawahiri", 2676}, // particle left out
		{"Cilia", "Maduro", 25079},  // "de maduro", its particle left out
		{"Cilia", "De Maduro", 25079},
		{"Cilia", "Flores", 25079},
		{"Cilia Adela", "FloresDeMaduro", 25079},
	} {
		if !flags(ix.Screen(c.first, c.last, time.Time{}, DefaultThreshold, 5), c.entry) {
			t.Errorf("%q %q: not held against entry %d", c.first, c.last, c.entry)
		}
	}
	// One departure from the listed name at a time: a dropped surname with
	// a misspelt given name, or a particle alone, is another name.
	for _, c := range [][2]string{{"Nicola", "Maduro"}, {"Nicolas", "Madura"}, {"Ayman", "Al"}, {"Nicolas", "Smith"}} {
		if flags(ix.Screen(c[0], c[1], time.Time{}, DefaultThreshold, 5), 22790) || flags(ix.Screen(c[0], c[1], time.Time{}, DefaultThreshold, 5), 2676) {
			t.Errorf("%q %q held", c[0], c[1])
		}
	}
}

func flags(ms []Match, entry int) bool {
	return slices.ContainsFunc(ms, func(m Match) bool { return m.EntryID == entry })
}

func TestNameParts(t *testing.T) {
	t.Parallel()
	n := listName("FLORES DE MADURO, Cilia Adela")
	if !slices.Equal(n.tokens, []string{"cilia", "adela", "flores", "de", "maduro"}) ||
		!slices.Equal(n.particle, []bool{false, false, false, true, false}) ||
		!slices.Equal(n.group, []int{-1, -1, 0, 1, 1}) || n.groups != 2 {
		t.Fatalf("listName = %v %v %v %d", n.tokens, n.particle, n.group, n.groups)
	}
	var runs []string
	for _, r := range n.runs {
		runs = append(runs, r.text)
	}
	// Runs stay inside a part: no "adelaflores".
	if !slices.Equal(runs, []string{"ciliaadela", "floresde", "floresdemaduro", "demaduro"}) {
		t.Fatalf("runs = %q", runs)
	}
	// A particle last in its part is a name: Le is a surname here.
	if n := listName("LE, Van Thanh"); slices.Contains(n.particle, true) || n.groups != 1 {
		t.Fatalf("LE, Van Thanh: particle %v groups %d", n.particle, n.groups)
	}
	q := queryName("Ma-duro", "Mo ros")
	if !slices.Equal(q.part, []uint8{partGiven, partGiven, partSurname, partSurname}) || len(q.runs) != 2 ||
		q.runs[0].text != "maduro" || q.runs[0].mask != 0b0011 || q.runs[1].text != "moros" || q.runs[1].mask != 0b1100 {
		t.Fatalf("queryName runs = %+v", q.runs)
	}
	// Parts of many tokens get runs of up to maxRun tokens and the whole part.
	q = queryName("a b c d e f", "x")
	if len(q.runs) != 5+4+3+1 || !hasRun(q.runs, "abcdef") || hasRun(q.runs, "abcde") {
		t.Fatalf("runs of 6 tokens: %+v", q.runs)
	}
}

func hasRun(rs []run, text string) bool {
	return slices.ContainsFunc(rs, func(r run) bool { return r.text == text })
}

func TestSpells(t *testing.T) {
	t.Parallel()
	n := listName("AL-HADI, Ali Muhammad Muhsin Salih")
	for _, c := range []struct {
		u    string
		mask uint32
		ok   bool
	}{
		{"alimuhammad", 0b00011, true},
		{"alisalih", 0b01001, true},         // middle names skipped
		{"alimuhammadsalih", 0b01011, true}, // one of two skipped
		{"alhadi", 0b110000, true},
		{"ali", 0, false},          // one token is no join
		{"hadial", 0, false},       // out of order
		{"salihal", 0, false},      // across parts
		{"alimuhammadx", 0, false}, // must spell it all
	} {
		m, ok := n.spells(c.u)
		if ok != c.ok || m != c.mask {
			t.Errorf("spells(%q) = %b %v, want %b %v", c.u, m, ok, c.mask, c.ok)
		}
	}
	// Only optional names may be skipped: a surname may not.
	if n := listName("GARCIA LOPEZ PEREZ, Juan"); func() bool { _, ok := n.spells("garciaperez"); return ok }() {
		t.Error("skipped a required surname")
	}
}

func TestTokenScoreVariants(t *testing.T) {
	t.Parallel()
	listed := listName("MADURO MOROS, Nicolas")
	for _, c := range []struct {
		first, last string
		min, max    float64
	}{
		{"Nicolas", "Maduro Moros", 1, 1},
		{"Nicolas", "Ma-duro Mo-ros", 1, 1},
		{"Nicolas", "MaduroMoros", 1, 1},
		{"Nicolas", "MadurMoros", 0.95, 0.99}, // one typo in a run
		{"Nicolas", "Maduro", 0.98, 0.99},     // the other surname counts like a middle name
		{"Nicolas", "Madura", 0.6, 0.8},       // not with a typo in the one surname given
		{"Nicola", "Maduro", 0.6, 0.8},        // nor in the given name
		{"Nicolas", "Smith", 0, 0.6},
	} {
		if s := tokenScore(queryName(c.first, c.last), listed); s < c.min || s > c.max {
			t.Errorf("tokenScore(%q %q) = %.4f, want %.2f..%.2f", c.first, c.last, s, c.min, c.max)
		}
	}
	// A particle the customer adds or leaves out counts little.
	if s := tokenScore(queryName("Ayman", "Al Zawahiri"), listName("ZAWAHIRI, Ayman")); s < 0.98 {
		t.Errorf("added particle: %.4f", s)
	}
}

func TestSegment(t *testing.T) {
	t.Parallel()
	ix := loadIndex(t)
	for in, want := range map[string]string{
		"musasalim":     "musa salim",
		"alzawahiri":    "",               // a listed run: found as it is
		"zawahiri":      "",               // a listed token
		"qqqqqqqqqqq":   "",               // nothing listed
		"ab":            "",               // too short to split
		"aymanzawahiri": "ayman zawahiri", // given and surname: no listed run
	} {
		if got := strings.Join(ix.segment(in), " "); got != want {
			t.Errorf("segment(%q) = %q, want %q", in, got, want)
		}
	}
}

// canPair only skips pairs Jaro-Winkler keeps below tokenFloor: checked
// on random pairs of listed tokens.
func TestCanPairIsABound(t *testing.T) {
	t.Parallel()
	ix := loadIndex(t)
	var toks []string
	for tok := range ix.vocab {
		if len(tok) <= 16 {
			toks = append(toks, tok)
		}
	}
	slices.Sort(toks)
	rng := rand.New(rand.NewPCG(1, 2))
	skipped := 0
	for range 200000 {
		a, b := toks[rng.IntN(len(toks))], toks[rng.IntN(len(toks))]
		if !canPair(a, b) {
			skipped++
			if j := JaroWinkler(a, b); j >= tokenFloor {
				t.Fatalf("canPair(%q, %q) = false, Jaro-Winkler %.4f", a, b, j)
			}
		}
	}
	if skipped == 0 {
		t.Fatal("canPair never skipped a pair")
	}
}

// Many tokens, long tokens and particles only: no panic, scores in 0..1.
func TestScreenOddShapes(t *testing.T) {
	t.Parallel()
	ix := loadIndex(t)
	for _, q := range [][2]string{
		{strings.Repeat("a ", 40), strings.Repeat("b-", 40)},
		{strings.Repeat("al ", 20), "de la"},
		{strings.Repeat("abdulrahman", 6), strings.Repeat("x", 70)},
		{"al", "al"},
	} {
		for _, m := range ix.Screen(q[0], q[1], time.Time{}, 0.5, 5) {
			if m.Score < 0 || m.Score > 1 {
				t.Fatalf("%q: score %v", q, m.Score)
			}
		}
	}
}

// BenchmarkScreenVariants screens the spellings of issue 16.
func BenchmarkScreenVariants(b *testing.B) {
	ix := loadIndex(b)
	names := [][2]string{{"Nicolas", "Ma-duro Mo-ros"}, {"Nicolas", "MaduroMoros"}, {"Nico las", "Maduro Moros"},
		{"Ayman", "Alzawahiri"}, {"Nicolas", "Maduro"}, {"Jennifer", "Smith-Garcia"}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := names[i%len(names)]
		ix.Screen(n[0], n[1], time.Time{}, DefaultThreshold, 5)
	}
}
