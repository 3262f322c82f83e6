package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"runtime/pprof"
	"time"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/app"
	"github.com/verdant-baas/verdant/internal/loadtest"
	"github.com/verdant-baas/verdant/internal/vault"
)

func main() {
	ctx := context.Background()
	key, _ := vault.ParseKey(vault.GenerateKey())
	dir, _ := os.MkdirTemp("", "prof")
	dsn := "sqlite:" + dir + "/v.db"
	if len(os.Args) > 1 {
		dsn = os.Args[1]
	}
	a, err := app.New(ctx, app.Config{DB: dsn, AdminToken: loadtest.AdminToken, DataKey: key, TokenTTL: time.Hour, Now: time.Now}, app.Discard)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(a.Handler)
	c := &loadtest.Client{URL: srv.URL, HTTP: loadtest.NewHTTP(16)}
	fx, err := loadtest.Seed(ctx, c, "LOAD", 64)
	if err != nil {
		panic(err)
	}
	for _, acc := range fx.Accounts {
		c.Adjust(ctx, fx.ProgramCode, acc, uuid.NewString(), "instructionCredit", "1000000.00", false)
	}
	f, _ := os.Create("/tmp/cpu.prof")
	pprof.StartCPUProfile(f)
	rep := loadtest.Run(ctx, c, loadtest.Load{Clients: 16, Duration: 6 * time.Second, Program: fx.ProgramCode, Accounts: fx.Accounts})
	pprof.StopCPUProfile()
	fmt.Println(rep)
}
