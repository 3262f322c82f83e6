// Package sanctions screens people against the OFAC Specially Designated
// Nationals (SDN) list: it parses OFAC's published CSV files, normalises
// names, keeps a token index of the individuals on the list, and scores
// candidates with Jaro-Winkler at the token and whole-name level.
package sanctions

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Entry is one SDN entry with its alternate names.
type Entry struct {
	ID       int    // OFAC ent_num
	Name     string // primary name as published ("LAST, First Middle" for individuals)
	Type     string // "individual", "vessel", "aircraft" or "" (entities)
	Programs string // sanctions programs, e.g. "SDGT] [IRGC"
	Remarks  string
	Alts     []string
	DOBs     []DOB // dates of birth found in the remarks
	// Addresses are the entry's add.csv rows, one line each (shown to the
	// reviewer; not used in scoring).
	Addresses []string
}

// Individual reports whether the entry is a person.
func (e Entry) Individual() bool { return e.Type == "individual" }

// Files are the raw OFAC CSV files of one list: sdn.csv, alt.csv, add.csv.
type Files struct {
	SDN, Alt, Add []byte
}

// Version is the content hash of the files: the same files always get the
// same version, so nodes agree on which list is in force.
func (f Files) Version() string {
	h := sha256.New()
	for _, b := range [][]byte{f.SDN, f.Alt, f.Add} {
		fmt.Fprintf(h, "%d:", len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// List is a parsed SDN list.
type List struct {
	Version   string
	Published string // the list's publish date as recorded at load (YYYY-MM-DD or free text)
	Entries   []Entry
	SDNRows   int
	AltRows   int
	AddRows   int
}

//go:embed data/*.csv.gz
var snapshot embed.FS

// SnapshotPublished is the publish date recorded for the embedded snapshot:
// the files that ship in github.com/moov-io/watchman v0.63.3 carry no
// publish line, so the module version's release date (an upper bound on
// the data's date) is used.
const SnapshotPublished = "2026-06-05"

// Snapshot answers the embedded OFAC snapshot's files.
func Snapshot() (Files, error) {
	var f Files
	for name, dst := range map[string]*[]byte{"sdn": &f.SDN, "alt": &f.Alt, "add": &f.Add} {
		gz, err := snapshot.ReadFile("data/" + name + ".csv.gz")
		if err != nil {
			return f, err
		}
		if *dst, err = Gunzip(gz, MaxFileBytes); err != nil {
			return f, err
		}
	}
	return f, nil
}

// Parse parses OFAC's CSV files. sdn.csv is required; alt.csv and add.csv
// may be empty.
func Parse(f Files, published string) (*List, error) {
	sdn, err := readCSV(f.SDN, 12)
	if err != nil {
		return nil, fmt.Errorf("sdn.csv: %w", err)
	}
	if len(sdn) == 0 {
		return nil, errors.New("sdn.csv: no entries")
	}
	l := &List{Version: f.Version(), Published: published, SDNRows: len(sdn)}
	byID := make(map[int]int, len(sdn))
	for i, r := range sdn {
		id, err := strconv.Atoi(r[0])
		if err != nil {
			return nil, fmt.Errorf("sdn.csv row %d: ent_num %q is not a number", i+1, r[0])
		}
		e := Entry{ID: id, Name: r[1], Type: strings.ToLower(r[2]), Programs: r[3], Remarks: r[11]}
		e.DOBs = parseDOBs(e.Remarks)
		byID[id] = len(l.Entries)
		l.Entries = append(l.Entries, e)
	}
	alt, err := readCSV(f.Alt, 5)
	if err != nil {
		return nil, fmt.Errorf("alt.csv: %w", err)
	}
	l.AltRows = len(alt)
	for _, r := range alt {
		id, _ := strconv.Atoi(r[0])
		if i, ok := byID[id]; ok && r[3] != "" {
			l.Entries[i].Alts = append(l.Entries[i].Alts, r[3])
		}
	}
	add, err := readCSV(f.Add, 6)
	if err != nil {
		return nil, fmt.Errorf("add.csv: %w", err)
	}
	l.AddRows = len(add)
	for _, r := range add {
		id, _ := strconv.Atoi(r[0])
		if i, ok := byID[id]; ok {
			if line := joinNonEmpty(r[2], r[3], r[4]); line != "" {
				l.Entries[i].Addresses = append(l.Entries[i].Addresses, line)
			}
		}
	}
	return l, nil
}

// readCSV reads an OFAC CSV file: no header, "-0-" for null, a trailing
// SUB (0x1A) byte, and at least want columns per row.
func readCSV(b []byte, want int) ([][]string, error) {
	b = bytes.TrimRight(b, "\x1a\r\n ")
	if len(b) == 0 {
		return nil, nil
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < want {
			return nil, fmt.Errorf("row %d has %d columns, want %d", len(out)+1, len(rec), want)
		}
		for i, v := range rec {
			v = strings.TrimSpace(v)
			if v == "-0-" {
				v = ""
			}
			rec[i] = v
		}
		out = append(out, rec)
	}
}
