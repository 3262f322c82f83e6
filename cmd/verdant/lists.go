package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/verdant-baas/verdant/internal/app"
)

// listing is what a list command prints: the operator API's JSON view of
// one page, or the same page as a table (Header, then Rows) followed by
// how to ask for the next page.
type listing struct {
	JSON   any
	Header []string
	Rows   [][]string
	Next   string
}

// runList is runJSON for the list commands: it adds --after, --limit
// (1 to max, default def) and --format (json, the API's view, or table)
// to fs, and prints the page f answers for them.
func runList(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer,
	def, max int, f func(a *app.App, after string, limit int) (listing, error)) error {
	after := fs.String("after", "", "the next of the previous page")
	limit := fs.Int("limit", def, fmt.Sprintf("at most this many (1 to %d)", max))
	format := fs.String("format", "json", "output format: json or table")
	cfg, err := load(fs, args, getenv, stdout)
	if err != nil {
		return err
	}
	switch {
	case *limit < 1 || *limit > max:
		return fmt.Errorf("%s: --limit must be an integer from 1 to %d", fs.Name(), max)
	case *format != "json" && *format != "table":
		return fmt.Errorf("%s: --format must be json or table, not %q", fs.Name(), *format)
	}
	return withApp(ctx, cfg, getenv, func(a *app.App) error {
		l, err := f(a, *after, *limit)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printJSON(stdout, l.JSON)
		}
		return l.table(stdout)
	})
}

// table prints the listing's rows under its header, in aligned columns,
// and the flag that fetches the next page when there is one.
func (l listing) table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(l.Header, "\t"))
	for _, r := range l.Rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if l.Next != "" {
		_, err := fmt.Fprintf(w, "more: --after %s\n", l.Next)
		return err
	}
	return nil
}
