package api_test

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apitest"
)

// scrape answers /metrics as series ("name{labels}") to value.
func scrape(t *testing.T, e *apitest.Env) map[string]float64 {
	t.Helper()
	body := e.Do("GET", "/metrics", nil).Want(t, http.StatusOK).Body
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func TestMetricsCollectors(t *testing.T) {
	apitest.Engines(t, func(t *testing.T, e *apitest.Env) {
		// A message no handler takes stays pending (it is retried with
		// backoff), written as if 90 seconds ago.
		apitest.Enqueue(t, e.App, "test.undeliverable", map[string]int{}, e.Clock.Now().Add(-90*time.Second))
		m := scrape(t, e)
		pools := []string{"write", "read"}
		if e.App.DB.EngineName() == "postgres" {
			pools = []string{"readwrite"}
		}
		want := []string{"go_goroutines", "go_memstats_heap_alloc_bytes", `go_info{version="` + goVersion(m) + `"}`,
			"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
			"verdant_outbox_pending", "verdant_outbox_dead", "verdant_outbox_oldest_pending_age_seconds"}
		for _, p := range pools {
			for _, f := range []string{"go_sql_max_open_connections", "go_sql_open_connections", "go_sql_in_use_connections",
				"go_sql_idle_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total"} {
				want = append(want, f+`{db_name="`+p+`"}`)
			}
		}
		for _, s := range want {
			if _, ok := m[s]; !ok {
				t.Errorf("/metrics lacks %s", s)
			}
		}
		if e.App.DB.EngineName() == "sqlite" && m[`go_sql_max_open_connections{db_name="write"}`] != 1 {
			t.Errorf("SQLite write pool max_open_connections = %v, want 1", m[`go_sql_max_open_connections{db_name="write"}`])
		}
		if m["verdant_outbox_pending"] != 1 || m["verdant_outbox_dead"] != 0 {
			t.Errorf("outbox pending/dead = %v/%v, want 1/0", m["verdant_outbox_pending"], m["verdant_outbox_dead"])
		}
		if age := m["verdant_outbox_oldest_pending_age_seconds"]; age < 90 || age > 150 {
			t.Errorf("oldest pending age = %vs, want about 90s", age)
		}
	})
}

// goVersion finds the version label of go_info.
func goVersion(m map[string]float64) string {
	for s := range m {
		if v, ok := strings.CutPrefix(s, `go_info{version="`); ok {
			return strings.TrimSuffix(v, `"}`)
		}
	}
	return "?"
}
