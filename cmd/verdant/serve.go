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
	var c common
	fs := newFlags("serve", getenv, &c)
	addr := fs.String("addr", envOr(getenv, "VERDANT_ADDR", "127.0.0.1:8080"), "listen address (port 0 picks a free port)")
	sandbox := fs.Bool("sandbox", envBool(getenv, "VERDANT_SANDBOX"), "mark this a non-production deployment (enables sandbox-only operator features, and instructionCredit/instructionDebit for every program)")
	demo := fs.Bool("demo", envBool(getenv, "VERDANT_DEMO"), "seed a demo partner, program, account and card and print how to call them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := c.logger()
	cfg, err := c.config(getenv, log)
	if err != nil {
		return err
	}
	cfg.Addr, cfg.Sandbox = *addr, *sandbox
	if *demo && cfg.AdminToken == "" {
		if cfg.AdminToken, err = devAdminToken(c.dataDir); err != nil {
			return err
		}
	}
	if cfg.AdminToken == "" {
		log.Warn("no VERDANT_ADMIN_TOKEN: the operator API answers 401 to everything")
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if *demo {
		if err := seedDemo(ctx, a, base, stdout); err != nil {
			ln.Close()
			return err
		}
	}
	return serveHTTP(ctx, a, ln, stdout)
}

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
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	a.Start(workers)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(a.Server.Listener(ln)) }()
	a.Log.Info("listening", "addr", ln.Addr().String(), "engine", string(a.DB.Engine), "sandbox", a.Config.Sandbox, "version", version)
	fmt.Fprintf(stdout, "verdant listening on http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	stopWorkers()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
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
