package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// versionString is the module version the binary was built as (go build
// and go install stamp it from the VCS tag or commit), or the one given
// with -ldflags "-X main.version=...".
func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// revision is the VCS revision and commit time from the build info, with
// "modified" when the work tree had changes; "" when not built from a
// checkout (go test, go run without VCS stamping).
func revision() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, at, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return rev + at + modified
}

// printVersion is 'verdant version': the version, the revision when
// known, and the Go toolchain.
func printVersion(_ context.Context, args []string, _ func(string) string, w io.Writer) error {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
		return fmt.Errorf("version takes no arguments")
	}
	fmt.Fprintln(w, "verdant", versionString())
	if rev := revision(); rev != "" {
		fmt.Fprintln(w, "revision", rev)
	}
	_, err := fmt.Fprintln(w, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
	return err
}
