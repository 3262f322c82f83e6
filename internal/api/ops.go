package api

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Server) opsRoutes(mux *router) {
	mux.Handle("GET /ping", s.public(func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return nil
	}))
	mux.Handle("GET /healthCheck", s.public(s.healthCheck))
	if !s.SeparateMetrics {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.Handle("GET /openapi.yaml", s.public(func(w http.ResponseWriter, r *http.Request) error {
		doc, err := OpenAPIYAML()
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(doc)
		return nil
	}))
}

// MetricsHandler serves the Prometheus metrics (after Handler, which
// sets up the registry). Handler routes GET /metrics to it unless
// SeparateMetrics, when the caller serves it on its own listener.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.Registry,
		promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: promLog{s}})
}

type dependency struct {
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	LatencyMS float64 `json:"latencyMs"`
	Error     string  `json:"error,omitempty"`
}

// Database is what the health check asks of the database (implemented by
// *storage.DB).
type Database interface {
	// EngineName names the engine: "sqlite" or "postgres".
	EngineName() string
	// SchemaVersion answers the applied migration version; an error means
	// the database did not answer.
	SchemaVersion(ctx context.Context) (int64, error)
}

type health struct {
	Status        string       `json:"status"`
	Mode          string       `json:"mode"`
	Version       string       `json:"version"`
	Engine        string       `json:"engine"`
	SchemaVersion int64        `json:"schemaVersion"`
	Dependencies  []dependency `json:"dependencies"`
}

// healthCheck reports the database's health and the deployment mode; it
// answers 503 when the database does not answer.
func (s *Server) healthCheck(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	h := health{Status: "healthy", Mode: "production", Version: s.Version, Engine: s.DB.EngineName()}
	if s.Sandbox {
		h.Mode = "sandbox"
	}
	start := time.Now()
	dep := dependency{Name: "database", Status: "healthy"}
	v, err := s.DB.SchemaVersion(ctx)
	dep.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	status := http.StatusOK
	if err != nil {
		dep.Status, dep.Error, h.Status, status = "unhealthy", "database did not answer", "unhealthy", http.StatusServiceUnavailable
	}
	h.SchemaVersion = v
	h.Dependencies = []dependency{dep}
	writeJSON(w, status, h)
	return nil
}
