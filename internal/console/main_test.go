package console_test

import (
	"os"
	"testing"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// The tests mostly wait: on disk syncs, webhook receivers and workers.
func TestMain(m *testing.M) { os.Exit(apitest.Parallel(m, 6)) }
