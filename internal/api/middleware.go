package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// reqInfo travels with a request so the outermost middleware can log and
// count what inner layers learned (partner, route, error).
type reqInfo struct {
	requestID string
	partnerID string
	err       *apperr.Error
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(infoKey{}).(*reqInfo)
	return i
}

// MaxRequestIDLen is the longest X-GD-RequestId the contract allows.
const MaxRequestIDLen = 50

var errNoRoute = &apperr.Error{Kind: apperr.NotFound, Message: "no such endpoint"}

// middleware is the whole chain in one pass: request id, body limit,
// panic recovery, metrics and the access log.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		raw := r.Header.Get("X-GD-RequestId")
		info := &reqInfo{requestID: raw}
		badID := raw != "" && !printable(raw)
		if raw == "" || badID {
			info.requestID = uuid.NewString() // for the log; never echo what is not printable
		} else {
			setExact(w.Header(), "X-GD-RequestId", raw)
		}
		ctx := context.WithValue(r.Context(), infoKey{}, info)
		if s.RequestTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, s.RequestTimeout)
			defer cancel()
		}
		r2 := r.WithContext(ctx)
		r2.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(r))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		func() {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler { // a response cut off on purpose: still logged and counted
						s.observe(r2, rec.status, time.Since(start), info)
						panic(p)
					}
					s.Log.Error("panic", "request_id", info.requestID, "panic", p)
					s.renderError(rec, r2, familyOf(r.URL.Path), &apperr.Error{Kind: apperr.Internal})
				}
			}()
			// The retail family answers a bad request id with its own code 100.
			if (badID || len(raw) > MaxRequestIDLen) && familyOf(r.URL.Path) != familyRetail {
				s.renderError(rec, r2, familyOf(r.URL.Path), apperr.Field("X-GD-RequestId",
					"X-GD-RequestId must be at most %d printable characters", MaxRequestIDLen))
				return
			}
			if err := checkURLText(r2); err != nil {
				s.renderError(rec, r2, familyOf(r.URL.Path), err)
				return
			}
			next.ServeHTTP(rec, r2)
		}()
		s.observe(r2, rec.status, time.Since(start), info)
	})
}

// UploadBodyBytes is the body limit of operator uploads (a full OFAC list
// is several megabytes). The admin token is checked before any body is read.
const UploadBodyBytes = 64 << 20

// bodyLimit answers the request body limit for r.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if r.Method == http.MethodPost && r.URL.Path == "/admin/v1/sanctions/lists" && s.MaxBodyBytes < UploadBodyBytes {
		return UploadBodyBytes
	}
	return s.MaxBodyBytes
}

func printable(s string) bool {
	if len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// observe records metrics and writes the access log line. Only the route
// pattern is logged, never the raw path (it may hold identifiers) nor any
// header or body.
func (s *Server) observe(r *http.Request, status int, d time.Duration, info *reqInfo) {
	route := r.Pattern
	if route == "" || route == "/" {
		route = "unmatched"
	}
	s.metrics.observe(route, status, d)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", info.requestID), slog.String("route", route),
		slog.Int("status", status), slog.Float64("latency_ms", float64(d.Microseconds())/1000),
	}
	if info.partnerID != "" {
		attrs = append(attrs, slog.String("partner_id", info.partnerID))
	}
	if info.err != nil {
		attrs = append(attrs, slog.String("error_kind", info.err.Kind.String()))
		if info.err.Err != nil {
			attrs = append(attrs, slog.String("error", info.err.Err.Error()))
		}
	}
	s.Log.LogAttrs(r.Context(), level, "request", attrs...)
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "verdant_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "verdant_http_request_duration_seconds", Help: "HTTP request latency by route pattern and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "status"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *httpMetrics) observe(route string, status int, d time.Duration) {
	code := itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.latency.WithLabelValues(route, code).Observe(d.Seconds())
}

// bearer verifies the Authorization: Bearer token of a partner request.
func (s *Server) bearer(r *http.Request) (claimsT, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if h == "" {
		return claimsT{}, apperr.E(apperr.Unauthorized, "Authorization: Bearer token is required")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return claimsT{}, apperr.E(apperr.Unauthorized, "Authorization header must be 'Bearer <token>'")
	}
	return s.Partners.Verify(r.Context(), strings.TrimSpace(tok))
}
