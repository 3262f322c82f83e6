package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

func TestServeHelpListsEverySetting(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"serve", "--help"}, func(string) string { return "" }, &out); err != nil {
		t.Fatal(err)
	}
	for _, s := range app.Settings {
		if !strings.Contains(out.String(), "  "+s.Names()+"  (default "+s.ShownDefault()+")\n") {
			t.Errorf("serve --help lacks %s with its default %s", s.Names(), s.ShownDefault())
		}
	}
}

// A bad value of a setting stops every command that loads the settings,
// naming the variable, before anything is opened.
func TestBadSettingStopsCommands(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ env, value, want string }{
		{"VERDANT_TOKEN_TTL", "1hour", `VERDANT_TOKEN_TTL: "1hour" is not a duration`},
		{"VERDANT_TOKEN_TTL", "-1h", `VERDANT_TOKEN_TTL: "-1h" is under the minimum`},
		{"VERDANT_SANCTIONS_THRESHOLD", "high", `VERDANT_SANCTIONS_THRESHOLD: "high" is not a number`},
		{"VERDANT_MAX_BODY_BYTES", "-5", `VERDANT_MAX_BODY_BYTES: "-5" is not between`},
		{"VERDANT_SMTP_PORT", "smtp", `VERDANT_SMTP_PORT: "smtp" is not a whole number`},
		{"VERDANT_ADMIN_TOKEN", "a", `VERDANT_ADMIN_TOKEN: too weak`},
		{"VERDANT_DATA_KEY", "short", `VERDANT_DATA_KEY: `},
	} {
		dir := t.TempDir()
		env := func(k string) string { return map[string]string{tc.env: tc.value}[k] }
		for _, cmd := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate"}, {"partner", "create", "--name", "x"}} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := run(ctx, append(cmd, "--data-dir", dir), env, io.Discard)
			cancel()
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("%s=%s verdant %v: %v, want %s", tc.env, tc.value, cmd, err, tc.want)
			}
		}
	}
}

// The real binary exits non-zero with the message on stderr.
func TestBinaryRefusesBadSetting(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"VERDANT_TOKEN_TTL=1hour":   `verdant: VERDANT_TOKEN_TTL: "1hour" is not a duration`,
		"VERDANT_ADMIN_TOKEN=a":     `verdant: VERDANT_ADMIN_TOKEN: too weak`,
		"VERDANT_DB_MAX_CONNS=0":    `verdant: VERDANT_DB_MAX_CONNS: "0" is not between 1 and 1000`,
		"VERDANT_METRICS_ADDR=9090": `verdant: VERDANT_METRICS_ADDR: "9090" is not a host:port address`,
	} {
		cmd := exec.Command(verdantBin(t), "serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir())
		cmd.Env = append(os.Environ(), env)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		done := make(chan error, 1)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(stderr.String(), want) {
				t.Errorf("%s: exit %v, stderr %q, want %q", env, err, stderr.String(), want)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%s: the server started", env)
		}
	}
}

// With VERDANT_METRICS_ADDR, /metrics is served there and not on the main
// listener.
func TestBinaryMetricsOnOwnListener(t *testing.T) {
	t.Parallel()
	srv := startServer(t, []string{"VERDANT_METRICS_ADDR=127.0.0.1:0"}, "--data-dir", t.TempDir())
	m := regexp.MustCompile(`verdant metrics on (\S+)`).FindStringSubmatch(srv.output())
	if m == nil {
		t.Fatalf("no metrics address printed:\n%s", srv.output())
	}
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	get(srv.URL + "/ping") // a request to count
	if code, body := get(m[1]); code != 200 || !strings.Contains(body, "# TYPE") {
		t.Fatalf("metrics listener: %d %.200s", code, body)
	}
	if code, _ := get(srv.URL + "/metrics"); code != http.StatusNotFound {
		t.Fatalf("main listener /metrics: %d, want 404", code)
	}
}

// VERDANT_PPROF_ADDR serves Go's profiler on its own listener, never on
// the main one; without it there is none.
func TestBinaryPprofOnOwnListener(t *testing.T) {
	t.Parallel()
	srv := startServer(t, []string{"VERDANT_PPROF_ADDR=127.0.0.1:0"}, "--data-dir", t.TempDir())
	m := regexp.MustCompile(`verdant pprof on (\S+)`).FindStringSubmatch(srv.output())
	if m == nil {
		t.Fatalf("no profiler address printed:\n%s", srv.output())
	}
	for url, want := range map[string]int{m[1] + "cmdline": http.StatusOK, srv.URL + "/debug/pprof/cmdline": http.StatusNotFound} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s: %d, want %d", url, resp.StatusCode, want)
		}
	}
}

// --db-max-conns reaches the PostgreSQL pool of the app a command opens.
func TestDBMaxConnsSetting(t *testing.T) {
	t.Parallel()
	for engine, dsn := range storagetest.DSNs(t) {
		env := func(k string) string {
			return map[string]string{"VERDANT_DB_MAX_CONNS": "7", "VERDANT_DATA_KEY": strings.Repeat("ab", 32)}[k]
		}
		cfg, err := app.Load(newFlags("test"), []string{"--db", dsn, "--data-dir", t.TempDir(), "--log-level", "error"}, env)
		if err != nil {
			t.Fatal(err)
		}
		a, err := open(context.Background(), cfg, env)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"sqlite": 1, "postgres": 7}[engine]
		if got := a.DB.Stats().MaxOpenConnections; got != want {
			t.Errorf("%s: pool of %d, want %d", engine, got, want)
		}
		a.Close()
	}
}
