package app

import (
	"fmt"
	"io"
	"strings"
)

// SettingsHelp is how every setting is given, for --help.
const SettingsHelp = `Settings: each is a flag or the VERDANT_ variable of the same name (flag
--foo-bar, variable VERDANT_FOO_BAR; the flag wins). Secrets have no flag:
set NAME, or NAME_FILE to a file holding the value. A bad value stops the
command with a message naming it.
`

// WriteSettings writes every setting with its default and meaning, as
// --help shows them.
func WriteSettings(w io.Writer) {
	fmt.Fprint(w, SettingsHelp)
	for _, s := range Settings {
		fmt.Fprintf(w, "\n  %s  (default %s)\n    \t%s\n", s.Names(), s.ShownDefault(), s.Usage)
	}
}

// SettingsTable is the README's table of every setting, generated from
// Settings (the README test keeps the two the same).
func SettingsTable() string {
	var b strings.Builder
	b.WriteString("| flag / variable | default | meaning |\n|---|---|---|\n")
	for _, s := range Settings {
		names := "`" + s.Env + "`"
		switch {
		case s.Flag != "":
			names = "`--" + s.Flag + "` / " + names
		case s.file:
			names += " / `_FILE`"
		}
		def := s.ShownDefault()
		if def != "none" && !strings.Contains(def, " ") { // a value, not a description
			def = "`" + def + "`"
		}
		usage := s.Usage
		if s.Page != "" {
			usage += fmt.Sprintf(" ([%s](docs/%s.md))", strings.ReplaceAll(s.Page, "-", " "), s.Page)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", names, def, usage)
	}
	return b.String()
}
