package console

import (
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/verdant-baas/verdant/internal/money"
	"github.com/verdant-baas/verdant/internal/operator"
)

// parse sets the console's page templates. They depend only on the
// embedded files and funcs, so they are parsed once per process and
// shared (executing a template is safe from many goroutines): tests build
// hundreds of platforms in one process.
func (c *Console) parse() error {
	pages, err := parsedPages()
	c.pages = pages
	return err
}

// parsedPages builds one template per page: the layout with the page's
// "content" (each page file defines it).
var parsedPages = sync.OnceValues(func() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
})

var funcs = template.FuncMap{
	"when":  when,
	"day":   func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"money": money.Format,
	"age":   age,
	"join":  strings.Join,
	"pct":   func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"str":   func(b []byte) string { return string(b) },
	"under": func(path, prefix string) bool { return path == prefix || strings.HasPrefix(path, prefix+"/") },
	"list":  func(s ...string) []string { return s },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"deref": func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	},
	"roles": func(rs []operator.Role) string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = string(r)
		}
		return strings.Join(out, ", ")
	},
	"dobSignal": func(n int) string {
		return map[int]string{1: "agrees", -1: "disagrees", 0: "unknown"}[n]
	},
}

// when formats a time for a page: UTC to the minute (zero: a dash).
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// age says how long ago t was, in the largest whole unit.
func age(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		return plural(int(d.Hours()), "hour")
	}
	return plural(int(d.Hours()/24), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
