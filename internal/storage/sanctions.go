package storage

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"github.com/verdant-baas/verdant/internal/apperr"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/sanctions"
)

// SanctionsStore implements sanctions.Store: the sanctions lists in force.
type SanctionsStore struct {
	db *DB
}

// NewSanctionsStore returns the sanctions store over db.
func NewSanctionsStore(db *DB) *SanctionsStore { return &SanctionsStore{db: db} }

var _ sanctions.Store = (*SanctionsStore)(nil)

// CurrentList implements sanctions.Store.
func (s *SanctionsStore) CurrentList(ctx context.Context) (_ sanctions.ListInfo, err error) {
	defer apperr.Op(&err, "storage.SanctionsStore.CurrentList()")
	var i sanctions.ListInfo
	var at int64
	err = s.db.QueryRow(ctx, `SELECT version, published, sdn_rows, alt_rows, add_rows, source, loaded_by, loaded_at
		FROM sanctions_lists ORDER BY loaded_at DESC, version DESC LIMIT 1`).
		Scan(&i.Version, &i.Published, &i.SDNRows, &i.AltRows, &i.AddRows, &i.Source, &i.LoadedBy, &at)
	i.LoadedAt = Time(at)
	return i, notFound(err, "no sanctions list loaded")
}

// ListFiles implements sanctions.Store.
func (s *SanctionsStore) ListFiles(ctx context.Context, version string) (_ sanctions.Files, err error) {
	defer apperr.Op(&err, "storage.SanctionsStore.ListFiles(%s)", version)
	var a, b, c string
	if err := s.db.QueryRow(ctx, `SELECT sdn_gz, alt_gz, add_gz FROM sanctions_lists WHERE version = ?`, version).Scan(&a, &b, &c); err != nil {
		return sanctions.Files{}, notFound(err, "sanctions list not found")
	}
	var f sanctions.Files
	for _, x := range []struct {
		src string
		dst *[]byte
	}{{a, &f.SDN}, {b, &f.Alt}, {c, &f.Add}} {
		if *x.dst, err = sanctions.GunzipBase64(x.src, sanctions.MaxFileBytes); err != nil {
			return f, err
		}
	}
	return f, nil
}

// SaveList implements sanctions.Store: loading a version again
// makes it the one in force again (loaded_at moves).
func (s *SanctionsStore) SaveList(ctx context.Context, i sanctions.ListInfo, f sanctions.Files) (err error) {
	defer apperr.Op(&err, "storage.SanctionsStore.SaveList(%s)", i.Version)
	return s.db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sanctions_lists (version, published, sdn_rows, alt_rows, add_rows, source,
			loaded_by, loaded_at, sdn_gz, alt_gz, add_gz) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (version) DO UPDATE SET published = excluded.published, loaded_by = excluded.loaded_by,
			loaded_at = excluded.loaded_at`,
			i.Version, i.Published, i.SDNRows, i.AltRows, i.AddRows, i.Source, i.LoadedBy, Micros(i.LoadedAt),
			gzip64(f.SDN), gzip64(f.Alt), gzip64(f.Add))
		if err != nil {
			return err
		}
		return tx.Audit(ctx, uuid.NewString(), Micros(i.LoadedAt), i.LoadedBy, "sanctions.list.load", "sanctions:"+i.Version, i)
	})
}

func gzip64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}
