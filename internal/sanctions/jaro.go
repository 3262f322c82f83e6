package sanctions

// JaroWinkler answers the Jaro-Winkler similarity of a and b in [0, 1]
// (prefix scale 0.1, prefix up to 4 bytes). Inputs are normalised ASCII.
func JaroWinkler(a, b string) float64 {
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	l := 0
	for l < len(a) && l < len(b) && l < 4 && a[l] == b[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

func jaro(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	// Names are short: match flags live on the stack unless a name is
	// over 64 bytes (rare), which allocates.
	var sa, sb [64]bool
	ma, mb := sa[:], sb[:]
	if la > 64 || lb > 64 {
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	return jaroMatch(a, b, ma[:la], mb[:lb])
}

// jaroMatch is the Jaro similarity of a and b (neither empty), using ma
// and mb (zeroed, len(a) and len(b)) as match flags.
func jaroMatch(a, b string, ma, mb []bool) float64 {
	window := max(max(len(a), len(b))/2-1, 0)
	m := 0
	for i := 0; i < len(a); i++ {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if !mb[k] && a[i] == b[k] {
				ma[i], mb[k] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < len(a); i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	fm := float64(m)
	return (fm/float64(len(a)) + fm/float64(len(b)) + (fm-float64(t/2))/fm) / 3
}
