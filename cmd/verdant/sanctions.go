package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/sanctions"
)

// sanctionsLoad puts fresh OFAC CSV files (DIR/sdn.csv, and alt.csv and
// add.csv when present) in force for every node sharing the database.
func sanctionsLoad(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("sanctions load")
	published := fs.String("published", "", "the list's publish date (default: sdn.csv's modification date)")
	operator := fs.String("operator", cmp.Or(getenv("USER"), "operator"), "who loads the list (audit trail)")
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") { // flags may follow DIR
		dir, args = args[0], args[1:]
	}
	cfg, err := load(fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	if rest := fs.Args(); dir == "" && len(rest) > 0 {
		dir = rest[0]
	}
	if dir == "" {
		return errors.New("usage: verdant sanctions load DIR [--published YYYY-MM-DD]")
	}
	var f sanctions.Files
	for _, x := range []struct {
		name     string
		dst      *[]byte
		required bool
	}{{"sdn.csv", &f.SDN, true}, {"alt.csv", &f.Alt, false}, {"add.csv", &f.Add, false}} {
		b, err := os.ReadFile(filepath.Join(dir, x.name))
		if err != nil && (x.required || !errors.Is(err, os.ErrNotExist)) {
			return err
		}
		*x.dst = b
	}
	if *published == "" {
		st, err := os.Stat(filepath.Join(dir, "sdn.csv"))
		if err != nil {
			return err
		}
		*published = st.ModTime().UTC().Format("2006-01-02")
	}
	return withApp(ctx, cfg, getenv, func(a *app.App) error {
		info, err := a.Sanctions.Load(ctx, f, *published, *operator)
		if err != nil {
			return err
		}
		return printJSON(stdout, info)
	})
}

// sanctionsShow prints the list in force.
func sanctionsShow(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlags("sanctions show")
	return runJSON(ctx, fs, args, getenv, stdout, func(a *app.App) (any, error) {
		info, err := a.Sanctions.Current(ctx)
		if err != nil {
			return nil, fmt.Errorf("no sanctions list: %w", err)
		}
		return info, nil
	})
}
