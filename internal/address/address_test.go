package address

import (
	"bufio"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

type tableCase struct {
	name string
	in   Input
	want Result
}

// loadCases reads testdata/cases.txt (format described in its header).
func loadCases(t testing.TB) []tableCase {
	f, err := os.Open("testdata/cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []tableCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		in, want, ok := strings.Cut(line, "||")
		if !ok {
			t.Fatalf("cases.txt:%d: no ||", n)
		}
		fi := fields(in)
		fw := fields(want)
		if len(fi) != 6 {
			t.Fatalf("cases.txt:%d: want 6 input fields, got %d", n, len(fi))
		}
		c := tableCase{name: fi[0], in: Input{fi[1], fi[2], fi[3], fi[4], fi[5]}}
		switch {
		case len(fw) == 1 && fw[0] == "invalid":
			c.want = Result{Addresses: []Address{}, MatchLevel: Invalid}
		case len(fw) == 7:
			lvl := MatchLevel(fw[6])
			c.want = Result{
				Addresses:  []Address{{fw[0], fw[1], fw[2], fw[3], fw[4], "USA", Kind(fw[5])}},
				Valid:      lvl == Verified || lvl == Corrected,
				MatchLevel: lvl,
			}
		default:
			t.Fatalf("cases.txt:%d: want 7 expected fields or \"invalid\", got %d", n, len(fw))
		}
		out = append(out, c)
	}
	return out
}

func fields(s string) []string {
	f := strings.Split(s, "|")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

func TestCaseTable(t *testing.T) {
	t.Parallel()
	cases := loadCases(t)
	if len(cases) < 50 {
		t.Fatalf("the table must hold at least 50 addresses, has %d", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Engine{}.Verify(context.Background(), c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.MatchLevel != c.want.MatchLevel || got.Valid != c.want.Valid || len(got.Addresses) != len(c.want.Addresses) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
			for i := range got.Addresses {
				if got.Addresses[i] != c.want.Addresses[i] {
					t.Errorf("address %d:\n got %+v\nwant %+v", i, got.Addresses[i], c.want.Addresses[i])
				}
			}
		})
	}
}

func TestSuffixTypoDoesNotEatNames(t *testing.T) {
	t.Parallel()
	for _, w := range []string{"MAIN", "ELM", "OAK", "BROADWAY", "MARKET", "SUNSET", "JACKSON", "WASHINGTON"} {
		if a, ok := suffixOf(w); ok {
			t.Errorf("suffixOf(%q) = %q, want no suffix", w, a)
		}
	}
}

func TestZipTableLoaded(t *testing.T) {
	t.Parallel()
	if n := Zips(); n < 40000 {
		t.Fatalf("ZIP table holds %d codes, want > 40000", n)
	}
	if p := loadZips().byZip["91107"]; p != (place{"PASADENA", "CA"}) {
		t.Fatalf("91107 = %+v", p)
	}
}

func FuzzVerify(f *testing.F) {
	for _, s := range []string{"123 Main St Apt 4", "PO Box 1", "RR 2 Box 3", "#", "1 # #", "12-34 N Oak Ave W Ste 5"} {
		f.Add(s, "Suite 2", "Pasadena", "CA", "91107")
	}
	f.Fuzz(func(t *testing.T, l1, l2, city, state, zip string) {
		r := Verify(Input{l1, l2, city, state, zip})
		if (r.MatchLevel == Invalid) != (len(r.Addresses) == 0) {
			t.Fatalf("invalid iff no suggestion: %+v", r)
		}
		for _, a := range r.Addresses {
			if a.Line1 != normalize(a.Line1) || a.CountryCode != "USA" {
				t.Fatalf("suggestion not standard: %+v", a)
			}
		}
		// Standardising is idempotent: a suggestion verifies as given.
		if r.Valid {
			a := r.Addresses[0]
			again := Verify(Input{a.Line1, a.Line2, a.City, a.State, a.ZipCode})
			if again.MatchLevel != Verified {
				t.Fatalf("suggestion %+v re-verifies as %s", a, again.MatchLevel)
			}
		}
	})
}

// BenchmarkVerify runs the whole case table round robin and reports the
// p50 and p99 latency of one verification besides the mean.
func BenchmarkVerify(b *testing.B) {
	cases := loadCases(b)
	loadZips()
	lat := make([]time.Duration, 0, 1<<20)
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		start := time.Now()
		Verify(c.in)
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	}
}
