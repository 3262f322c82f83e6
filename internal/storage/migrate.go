package storage

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies every embedded forward-only migration not yet applied.
// On PostgreSQL a session advisory lock makes concurrent starts of several
// nodes safe.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	// Capabilities land as separately numbered migration files; a database
	// that already has a later one still gets an earlier one that is new.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if db.Engine == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db.w, fsys, opts...)
	if err != nil {
		return fmt.Errorf("storage: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("storage: migrate: %w", err)
	}
	return db.durable(false)
}

// SchemaVersion answers the highest applied migration version.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.QueryRow(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&v)
	return v, err
}

// MigrationsDigest identifies the embedded migration set (a hash of every
// file's name and content), so that a database migrated by one build can
// be recognised as a copy source by another (the test templates of
// storagetest).
func MigrationsDigest() string {
	h := sha256.New()
	names, _ := fs.Glob(migrations, "migrations/*.sql") // sorted
	for _, n := range names {
		b, _ := migrations.ReadFile(n)
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
