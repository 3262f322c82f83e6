package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/verdant-baas/verdant/internal/storage"
)

// sqliteTemplate answers the bytes of a migrated SQLite database, migrated
// once per test process; each test writes its own copy.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "verdant-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "verdant.db")
	ctx := context.Background()
	db, err := storage.Open(ctx, "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	err = db.Migrate(ctx)
	if err == nil {
		// Everything into the main file, so that the file alone is the
		// database (it stays in WAL mode: that is recorded in the file).
		_, err = db.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// templateLockID is the advisory lock under which one test process builds
// the PostgreSQL template while the others wait for it.
const templateLockID = 0x76657264616e7474 // "verdantt"

// pgAdmin is a pool on the test URL's own database for creating and
// dropping test databases; it lives as long as the test process.
var pgAdmin = sync.OnceValues(func() (*sql.DB, error) {
	db, err := sql.Open("pgx", os.Getenv(PostgresURLEnv))
	if err != nil {
		return nil, err
	}
	return db, db.Ping()
})

// pgTemplate answers the name of the migrated template database, building
// it if no process has yet for this migration set; "" means the role may
// not create databases, and each test gets a schema it migrates instead.
// The template is kept for later runs: its name carries the migration
// digest, so a changed migration set builds a new one.
var pgTemplate = sync.OnceValues(func() (string, error) {
	ctx := context.Background()
	admin, err := pgAdmin()
	if err != nil {
		return "", err
	}
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", templateLockID)
	name := "verdant_template_" + storage.MigrationsDigest()[:16]
	var exists bool
	err = conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists)
	if err != nil || exists {
		return name, err
	}
	// Built under another name and renamed when complete, so that a
	// process dying mid-build never leaves a half-migrated template.
	build := name + "_build"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+build); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42501" { // insufficient privilege
			return "", nil
		}
		return "", err
	}
	dsn, err := withDatabase(os.Getenv(PostgresURLEnv), build)
	if err == nil {
		err = migrate(ctx, dsn)
	}
	if err != nil {
		conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+build+" WITH (FORCE)")
		return "", err
	}
	_, err = conn.ExecContext(ctx, "ALTER DATABASE "+build+" RENAME TO "+name)
	return name, err
})

func migrate(ctx context.Context, dsn string) error {
	db, err := storage.Open(ctx, dsn)
	if err != nil {
		return err
	}
	err = db.Migrate(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

// postgresCopy creates a database copied from the template and answers
// its URL and a func that drops it.
func postgresCopy(base string) (dsn string, drop func(), err error) {
	ctx := context.Background()
	admin, err := pgAdmin()
	if err != nil {
		return "", nil, err
	}
	tmpl, err := pgTemplate()
	if err != nil {
		return "", nil, err
	}
	if tmpl == "" {
		return postgresSchema(ctx, admin, base)
	}
	name := "verdant_test_" + randomHex()
	if dsn, err = withDatabase(base, name); err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		return "", nil, err
	}
	drop = func() { admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }
	return dsn, drop, nil
}

// postgresSchema creates an empty schema and answers a URL whose
// search_path points at it (for a role that may not create databases).
func postgresSchema(ctx context.Context, admin *sql.DB, base string) (dsn string, drop func(), err error) {
	schema := "verdant_test_" + randomHex()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop = func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") }
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// withDatabase answers base with its database name replaced.
func withDatabase(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomHex() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
