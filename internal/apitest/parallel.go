package apitest

import (
	"flag"
	"os"
	"strconv"
	"testing"

	"github.com/verdant-baas/verdant/internal/storage/storagetest"
)

// Parallel sets how many parallel tests of the package run at once
// (-test.parallel) to n, unless the command line sets it, and runs the
// tests: for TestMain. The default, GOMAXPROCS, suits tests that keep a
// CPU busy; tests that mostly wait (on processes they start, on webhook
// receivers, on timeouts) finish sooner when more of them wait at once.
// With PostgreSQL at most 4 run at once: each test holds pools of its
// own on one server with a bounded number of connections.
func Parallel(m *testing.M, n int) int {
	if os.Getenv(storagetest.PostgresURLEnv) != "" {
		n = min(n, 4)
	}
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(n))
	}
	return m.Run()
}
