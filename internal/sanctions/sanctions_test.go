package sanctions

import (
	"math"
	"testing"
	"time"
)

func TestJaroWinkler(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611}, {"dwayne", "duane", 0.84}, {"dixon", "dicksonx", 0.8133},
		{"abc", "abc", 1}, {"abc", "xyz", 0}, {"", "abc", 0},
	} {
		if got := JaroWinkler(c.a, c.b); math.Abs(got-c.want) > 0.0005 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", c.a, c.b, got, c.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"AL-ZAWAHIRI, Ayman": "al zawahiri ayman", "José  Müller": "jose muller", "O'Brien": "obrien",
		"Łukasz Øster Straße": "lukasz oster strasse", "  ": "", "Æsir (a.k.a.)": "aesir a k a",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestListNameOrderAndMiddleNames(t *testing.T) {
	t.Parallel()
	n := listName("BIN LADEN, Usama bin Muhammad")
	want := []string{"usama", "bin", "muhammad", "bin", "laden"}
	req := []bool{true, false, false, true, true}
	for i := range want {
		if n.tokens[i] != want[i] || n.required[i] != req[i] {
			t.Fatalf("listName = %v %v", n.tokens, n.required)
		}
	}
	p := plainName("ivan petrov sidorov")
	if !p.required[0] || p.required[1] || !p.required[2] {
		t.Fatalf("plainName = %v", p.required)
	}
}

func TestOneEdit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"paul", "xaul", true}, {"paul", "pual", true}, {"paul", "pul", true}, {"paul", "paull", true},
		{"paul", "paul", false}, {"paul", "pxux", false}, {"ok", "ko", true}, {"ab", "abcd", false},
	} {
		if got := oneEdit(c.a, c.b); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestParseDOBs(t *testing.T) {
	t.Parallel()
	got := parseDOBs("DOB 07 Aug 1967; alt. DOB Aug 1968; DOB circa 1970; DOB 1980 to 1982; POB Kabul")
	want := []DOB{{1967, 8, 7, false}, {1968, 8, 0, false}, {1970, 0, 0, true}, {1980, 0, 0, true}, {1981, 0, 0, true}, {1982, 0, 0, true}}
	if len(got) != len(want) {
		t.Fatalf("parseDOBs = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("parseDOBs = %+v", got)
		}
	}
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		dob  time.Time
		want int
	}{{day("1967-08-07"), 1}, {day("1968-08-20"), 1}, {day("1971-05-01"), 1}, {day("1990-01-01"), -1}, {time.Time{}, 0}} {
		if s := dobSignal(c.dob, got); s != c.want {
			t.Errorf("dobSignal(%v) = %d, want %d", c.dob, s, c.want)
		}
	}
}

func TestParseRejectsBadFiles(t *testing.T) {
	t.Parallel()
	for _, f := range []Files{{}, {SDN: []byte("1,2,3")}, {SDN: []byte(`x,"A, B","individual",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-`)}} {
		if _, err := Parse(f, ""); err == nil {
			t.Errorf("Parse(%q) accepted", f.SDN)
		}
	}
}

func TestSnapshotScreening(t *testing.T) {
	t.Parallel()
	ix := loadIndex(t)
	l := ix.List
	if l.SDNRows != 18494 || l.AltRows < 20000 || l.AddRows < 24000 {
		t.Fatalf("snapshot rows: %d %d %d", l.SDNRows, l.AltRows, l.AddRows)
	}
	dob := time.Date(1967, 8, 7, 0, 0, 0, 0, time.UTC)
	for _, q := range [][2]string{{"Erdenebalsuren", "Damdin"}, {"DAMDIN", "erdenebalsuren"}, {"Erdenebalsuren", "Damdn"}} {
		m := ix.Screen(q[0], q[1], dob, DefaultThreshold, 5)
		if len(m) == 0 || m[0].EntryID != 56682 || m[0].DOBSignal != 1 || m[0].Score < m[0].NameScore {
			t.Errorf("Screen(%v) = %+v", q, m)
		}
	}
	// The date of birth corroborates: a contradicting one lowers the score.
	far := ix.Screen("Erdenebalsuren", "Damdn", time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), 0.5, 1)
	near := ix.Screen("Erdenebalsuren", "Damdn", dob, 0.5, 1)
	if len(far) == 0 || far[0].DOBSignal != -1 || far[0].Score >= near[0].Score {
		t.Errorf("dob signal: %+v vs %+v", far, near)
	}
	if m := ix.Screen("Jennifer", "Smith", time.Time{}, DefaultThreshold, 5); len(m) != 0 {
		t.Errorf("ordinary name flagged: %+v", m)
	}
}

// The recorded snapshot description is the one the embedded files give.
func TestSnapshotInfoMatchesFiles(t *testing.T) {
	t.Parallel()
	l := loadIndex(t).List
	want := ListInfo{Version: l.Version, Published: l.Published, SDNRows: l.SDNRows, AltRows: l.AltRows,
		AddRows: l.AddRows, Source: "embedded", LoadedBy: "verdant"}
	if got, err := SnapshotInfo(); err != nil || got != want {
		t.Fatalf("SnapshotInfo() = %+v, %v; the embedded files give %+v (update snapshotInfo)", got, err, want)
	}
}

func BenchmarkScreen(b *testing.B) {
	ix := loadIndex(b)
	names := [][2]string{{"Erdenebalsuren", "Damdin"}, {"Jennifer", "Smith"}, {"Mohammed", "Ali"}, {"Ayman", "al-Zawahiri"}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n := names[i%len(names)]
		ix.Screen(n[0], n[1], time.Time{}, DefaultThreshold, 5)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"AL-ZAWAHIRI, Ayman", "José Müller", "\xff\xfe", "ǅ", "Ma-duro Mo-ros", "Nico las de la", "al al al al"} {
		f.Add(s)
	}
	ix, err := snapshotIndex()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		for i := 0; i < len(n); i++ {
			c := n[i]
			if !(c == ' ' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				t.Fatalf("Normalize(%q) = %q", s, n)
			}
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize not idempotent on %q", s)
		}
		for _, m := range ix.Screen(s, s, time.Time{}, 0.8, 3) {
			if m.Score < 0 || m.Score > 1 {
				t.Fatalf("score %v", m.Score)
			}
		}
	})
}
