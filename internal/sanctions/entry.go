package sanctions

import (
	"context"
	"strings"
)

// Entry answers the entry with an OFAC id (ent_num) from the list in
// force, for a reviewer to compare with the customer it matched; false
// when that list has no such entry (it was delisted since).
func (s *Service) Entry(ctx context.Context, id int) (Entry, bool, error) {
	ix, err := s.index(ctx)
	if err != nil {
		return Entry{}, false, err
	}
	for _, e := range ix.List.Entries {
		if e.ID == id {
			return e, true, nil
		}
	}
	return Entry{}, false, nil
}

// joinNonEmpty joins the non-empty parts with ", ".
func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}
