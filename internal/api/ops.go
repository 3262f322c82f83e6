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

// health is the /healthCheck answer. Version, Engine and SchemaVersion
// tell an attacker which software and schema to aim at, so they are
// answered only to a request carrying the operator token.
type health struct {
	Status        string       `json:"status"`
	Mode          string       `json:"mode"`
	Version       string       `json:"version,omitempty"`
	Engine        string       `json:"engine,omitempty"`
	SchemaVersion int64        `json:"schemaVersion,omitempty"`
	Dependencies  []dependency `json:"dependencies"`
}

// healthCheck reports the database's health and the deployment mode; it
// answers 503 when the database does not answer. With the operator token
// it adds the version, the engine and the schema version; a wrong token
// is counted as a failed operator authentication (it would otherwise
// test guesses unthrottled) and answered the public view.
func (s *Server) healthCheck(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	operator := false
	if (s.AdminToken != "" || s.Operators != nil) && r.Header.Get("Authorization") != "" {
		_, err := s.throttledOperator(r)
		operator = err == nil
	}
	h := health{Status: "healthy", Mode: "production"}
	if operator {
		h.Version, h.Engine = s.Version, s.DB.EngineName()
	}
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
	if operator {
		h.SchemaVersion = v
	}
	h.Dependencies = []dependency{dep}
	writeJSON(w, status, h)
	return nil
}
