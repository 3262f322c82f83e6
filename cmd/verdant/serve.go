package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/verdant-baas/verdant/internal/api"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/vault"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := load(newFlags("serve"), args, getenv, stdout)
	if err != nil {
		return err
	}
	if cfg.Demo && cfg.AdminToken == "" {
		if cfg.AdminToken, err = devAdminToken(cfg.DataDir); err != nil {
			return err
		}
	}
	a, err := open(ctx, cfg, getenv)
	if err != nil {
		return err
	}
	defer a.Close()
	a.WarnDelivery()
	switch {
	case cfg.AdminToken == "":
		a.Log.Warn("no VERDANT_ADMIN_TOKEN: the operator API answers 401 to everything")
	case app.WeakToken(cfg.AdminToken):
		a.Log.Warn("weak VERDANT_ADMIN_TOKEN accepted for --demo only")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if cfg.Demo {
		if err := seedDemo(ctx, a, base, stdout); err != nil {
			ln.Close()
			return err
		}
	}
	return serveHTTP(ctx, a, ln, stdout)
}

// beforeServe, when set (only by this package's tests, in the test binary
// that they start as verdant), adjusts the app before its workers start.
var beforeServe func(*app.App)

// serveHTTP serves until ctx ends, then shuts down gracefully: the
// listener closes at once and in-flight requests get time to finish.
func serveHTTP(ctx context.Context, a *app.App, ln net.Listener, stdout io.Writer) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    api.MaxHeaderBytes,
		// What net/http itself logs (a TLS handshake or accept error) goes to
		// verdant's log, not to stderr in another format.
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	metrics, err := serveMetrics(a, errc, stdout)
	if err != nil {
		ln.Close()
		return err
	}
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	if beforeServe != nil {
		beforeServe(a)
	}
	a.Start(workers)
	go func() { errc <- srv.Serve(a.Server.Listener(ln)) }()
	a.Log.Info("listening", "addr", ln.Addr().String(), "engine", string(a.DB.Engine), "sandbox", a.Config.Sandbox, "version", a.Config.Version)
	fmt.Fprintf(stdout, "verdant listening on http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	if metrics != nil {
		metrics.Close()
	}
	stopWorkers()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// serveMetrics serves GET /metrics on VERDANT_METRICS_ADDR, when set, and
// prints where; a failure to serve goes to errc.
func serveMetrics(a *app.App, errc chan<- error, stdout io.Writer) (*http.Server, error) {
	if a.Config.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", a.Config.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("VERDANT_METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Server.MetricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 60 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	a.Log.Info("serving metrics", "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "verdant metrics on http://%s/metrics\n", ln.Addr())
	return srv, nil
}

// devAdminToken reads or generates the operator token used by --demo.
func devAdminToken(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "verdant-admin.token")
	if b, err := os.ReadFile(path); err == nil {
		return string(b), nil
	}
	tok := "va_" + vault.GenerateKey()[:40]
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	return tok, os.WriteFile(path, []byte(tok), 0o600)
}
