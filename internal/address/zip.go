package address

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

// zipsGz is the US ZIP table converted from the npm package "zipcodes"
// 8.0.0 (BSD licence; see data/LICENSE.zipcodes and docs/address.md):
// one "zip,city,state" line per ZIP, the city being the USPS preferred
// place name.
//
//go:embed data/zips.csv.gz
var zipsGz []byte

type place struct{ City, State string }

type zipTable struct {
	byZip   map[string]place
	byPlace map[string][]string // cityKey(city)+"|"+state -> zips
}

var loadZips = sync.OnceValue(func() *zipTable {
	t := &zipTable{byZip: make(map[string]place, 43000), byPlace: make(map[string][]string, 30000)}
	zr, err := gzip.NewReader(bytes.NewReader(zipsGz))
	if err != nil {
		panic("address: embedded ZIP table: " + err.Error())
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) != 3 {
			continue
		}
		p := place{City: f[1], State: f[2]}
		t.byZip[f[0]] = p
		k := cityKey(p.City) + "|" + p.State
		t.byPlace[k] = append(t.byPlace[k], f[0])
	}
	if err := sc.Err(); err != nil {
		panic("address: embedded ZIP table: " + err.Error())
	}
	return t
})

// Zips answers how many ZIP codes the embedded table holds.
func Zips() int { return len(loadZips().byZip) }

// cityKey canonicalises a normalised city name for comparison: SAINT/ST,
// FORT/FT, MOUNT/MT and spaces do not matter.
func cityKey(c string) string {
	f := strings.Fields(c)
	for i, w := range f {
		switch w {
		case "SAINT":
			f[i] = "ST"
		case "FORT":
			f[i] = "FT"
		case "MOUNT":
			f[i] = "MT"
		}
	}
	return strings.Join(f, "")
}

// sameCity reports whether two normalised city names are the same place
// name, allowing one typo in names of five letters or more.
func sameCity(a, b string) (same, exact bool) {
	ka, kb := cityKey(a), cityKey(b)
	if ka == kb {
		return true, a == b
	}
	if len(ka) >= 5 && editDistance(ka, kb, 1) <= 1 {
		return true, false
	}
	return false, false
}
