package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// verdant behaves like a Unix tool: help and version exit 0 on stdout,
// an unknown command or no command exits non-zero.
func TestBinaryHelpAndVersion(t *testing.T) {
	t.Parallel()
	bin := verdantBin(t)
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}, {"version"}, {"--version"},
		{"serve", "-h"}, {"partner", "create", "-h"}, {"case", "list", "--help"}, {"migrate", "-h"}} {
		cmd := exec.Command(bin, args...)
		cmd.Dir = t.TempDir()
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("verdant %v: %v\n%s", args, err, stderr.String())
			continue
		}
		if stdout.Len() == 0 || stderr.Len() != 0 {
			t.Errorf("verdant %v: stdout %q, stderr %q", args, stdout.String(), stderr.String())
		}
		if entries, _ := os.ReadDir(cmd.Dir); len(entries) != 0 {
			t.Errorf("verdant %v wrote files: %v", args, entries)
		}
	}
	out, _ := exec.Command(bin, "version").Output()
	if !strings.HasPrefix(string(out), "verdant ") || !strings.Contains(string(out), "go1.") {
		t.Errorf("version: %q", out)
	}
	for _, args := range [][]string{{}, {"nonsense"}, {"version", "extra"}} {
		if err := exec.Command(bin, args...).Run(); err == nil {
			t.Errorf("verdant %v exited 0", args)
		}
	}
}

// A command that reads refuses a database that does not exist, and
// creates nothing (no database, no key).
func TestReadCommandsRefuseMissingDatabase(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"case", "list"}, {"sanctions", "show"}, {"ledger", "verify"},
		{"feature", "history", "--program", "P", "--account", "x"}, {"recon", "--program", "P", "--date", "2024-01-02"}, {"rekey"},
		{"feature", "holders", "--program", "P", "--feature", "NB100"}, {"retail", "throttles", "list"},
		{"retail", "throttles", "lift", "--partner", "x"}} {
		dir := t.TempDir()
		err := run(context.Background(), append(args, "--data-dir", dir), func(string) string { return "" }, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "no database at "+filepath.Join(dir, "verdant.db")) {
			t.Errorf("verdant %v: %v", args, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("verdant %v wrote %v", args, entries)
		}
	}
}

// Commands that send nothing do not warn about email or SMS delivery;
// --log-format text writes key=value lines.
func TestBinaryQuietOperatorCommands(t *testing.T) {
	t.Parallel()
	bin := verdantBin(t)
	dir := t.TempDir()
	for _, args := range [][]string{{"migrate"}, {"partner", "create", "--name", "Quiet"}, {"case", "list"}} {
		cmd := exec.Command(bin, append(args, "--data-dir", dir, "--log-format", "text")...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("verdant %v: %v\n%s", args, err, stderr.String())
		}
		if strings.Contains(stderr.String(), "SMTP") || strings.Contains(stderr.String(), "SMS") {
			t.Errorf("verdant %v warned about delivery:\n%s", args, stderr.String())
		}
		if strings.Contains(stderr.String(), `{"time"`) {
			t.Errorf("verdant %v: JSON logs with --log-format text:\n%s", args, stderr.String())
		}
	}
}
