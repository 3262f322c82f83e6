package sanctions

import (
	"context"
	"sync"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// ListInfo describes a loaded list: its version (content hash), publish
// date and row counts, and who loaded it when.
type ListInfo struct {
	Version   string    `json:"version"`
	Published string    `json:"published"`
	SDNRows   int       `json:"sdnRows"`
	AltRows   int       `json:"altRows"`
	AddRows   int       `json:"addRows"`
	Source    string    `json:"source"` // "embedded" or "loaded"
	LoadedBy  string    `json:"loadedBy"`
	LoadedAt  time.Time `json:"loadedAt"`
}

// Store keeps the list in force in the database, so every node screens
// against the same list.
type Store interface {
	// CurrentList answers the most recently loaded list, NotFound if none.
	CurrentList(ctx context.Context) (ListInfo, error)
	// ListFiles answers a loaded list's files (empty for the embedded snapshot).
	ListFiles(ctx context.Context, version string) (Files, error)
	// SaveList records a list as the one in force (files empty for
	// the embedded snapshot) and audits it.
	SaveList(ctx context.Context, info ListInfo, f Files) error
}

// Service screens people against the list in force. It keeps an index of
// that list in memory and rebuilds it when another node loads a new one
// (the stored version changes).
type Service struct {
	Store     Store
	Threshold float64
	Now       func() time.Time

	mu sync.Mutex
	ix *Index
}

// snapshotList is the parsed embedded snapshot, shared by every Service
// in the process.
var snapshotList = sync.OnceValues(func() (*Index, error) {
	f, err := Snapshot()
	if err != nil {
		return nil, err
	}
	l, err := Parse(f, SnapshotPublished)
	if err != nil {
		return nil, err
	}
	return NewIndex(l), nil
})

// snapshotInfo is what SnapshotInfo answers, recorded here because
// computing it means unpacking and parsing the files: a few hundred
// milliseconds of CPU that every start on a new database (and so every
// test process) would pay before serving. TestSnapshotInfoMatchesFiles
// recomputes it from the embedded files, so a new snapshot fails the test
// until the values here follow it.
var snapshotInfo = ListInfo{Version: "bdc1d955badece30", Published: SnapshotPublished,
	SDNRows: 18494, AltRows: 20107, AddRows: 24244, Source: "embedded", LoadedBy: "verdant"}

// SnapshotInfo describes the embedded snapshot.
func SnapshotInfo() (ListInfo, error) { return snapshotInfo, nil }

// Ensure seeds the embedded snapshot as the list in force when the
// database has none (first start).
func (s *Service) Ensure(ctx context.Context) error {
	if _, err := s.Store.CurrentList(ctx); err == nil || apperr.KindOf(err) != apperr.NotFound {
		return err
	}
	info, err := SnapshotInfo()
	if err != nil {
		return err
	}
	info.LoadedAt = s.Now().UTC()
	return s.Store.SaveList(ctx, info, Files{})
}

// Current answers the list in force.
func (s *Service) Current(ctx context.Context) (ListInfo, error) {
	return s.Store.CurrentList(ctx)
}

// index answers the index of the list in force, rebuilding it when the
// stored version differs from the one in memory.
func (s *Service) index(ctx context.Context) (*Index, error) {
	info, err := s.Store.CurrentList(ctx)
	if apperr.KindOf(err) == apperr.NotFound {
		if err = s.Ensure(ctx); err == nil {
			info, err = s.Store.CurrentList(ctx)
		}
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ix != nil && s.ix.List.Version == info.Version {
		return s.ix, nil
	}
	snap, err := snapshotList()
	if err != nil {
		return nil, err
	}
	if snap.List.Version == info.Version {
		s.ix = snap
		return s.ix, nil
	}
	f, err := s.Store.ListFiles(ctx, info.Version)
	if err != nil {
		return nil, err
	}
	l, err := Parse(f, info.Published)
	if err != nil {
		return nil, apperr.Wrap(err, "stored sanctions list does not parse")
	}
	s.ix = NewIndex(l)
	return s.ix, nil
}

// Screen answers the matches of a person at or above the threshold, best
// first (at most 5).
func (s *Service) Screen(ctx context.Context, first, last string, dob time.Time) ([]Match, error) {
	ix, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	th := s.Threshold
	if th <= 0 {
		th = DefaultThreshold
	}
	return ix.Screen(first, last, dob, th, 5), nil
}

// Load parses fresh OFAC files and makes them the list in force for every
// node. The files must parse and hold at least one individual.
func (s *Service) Load(ctx context.Context, f Files, published, actor string) (ListInfo, error) {
	if len(published) > 40 {
		return ListInfo{}, apperr.Field("published", "published must be at most 40 characters")
	}
	l, err := Parse(f, published)
	if err != nil {
		return ListInfo{}, apperr.E(apperr.Invalid, "sanctions list does not parse: %v", err)
	}
	ix := NewIndex(l)
	if ix.Names() == 0 {
		return ListInfo{}, apperr.E(apperr.Invalid, "sanctions list has no individuals")
	}
	info := ListInfo{Version: l.Version, Published: published, SDNRows: l.SDNRows, AltRows: l.AltRows,
		AddRows: l.AddRows, Source: "loaded", LoadedBy: actor, LoadedAt: s.Now().UTC()}
	if snap, err := snapshotList(); err == nil && snap.List.Version == l.Version {
		info.Source, f = "embedded", Files{}
	}
	if err := s.Store.SaveList(ctx, info, f); err != nil {
		return ListInfo{}, err
	}
	s.mu.Lock()
	s.ix = ix
	s.mu.Unlock()
	return info, nil
}
