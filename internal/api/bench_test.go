package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/verdant-baas/verdant/internal/logging"
	"github.com/verdant-baas/verdant/internal/partner"
)

var fixedBody = []byte(`{"responseDetails":[{"code":0,"subCode":0,"description":"Success","url":"http://tbd"}]}` + "\n")

func fixed(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(fixedBody)
}

// BenchmarkAuthChain compares, in one run, a bare net/http handler with
// the same fixed-body handler behind verdant's full chain (request id,
// body limit, recovery, bearer verification, JSON access log, Prometheus
// metrics), both over loopback HTTP with keep-alive clients. The chain
// must keep at least 75% of the bare handler's throughput
// (docs/benchmarks.md).
//
// Verification includes the revocation check (partner.Service.Verify):
// the partner's standing comes from the database at most once per
// partner.StandingTTL, here from a store that answers at once.
func BenchmarkAuthChain(b *testing.B) {
	tokens := &partner.Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour}
	p1 := partner.Partner{ID: "p1", ClientID: "c1", Status: partner.Active, TokenEpoch: 1}
	token := tokens.Issue(p1, time.Now()).AccessToken
	s := &Server{
		Log:          logging.New(io.Discard, slog.LevelInfo),
		Partners:     &partner.Service{Tokens: tokens, Store: onePartner{p1}, Now: time.Now},
		MaxBodyBytes: 1 << 20,
		Registry:     prometheus.NewRegistry(),
	}
	s.metrics = newHTTPMetrics(s.Registry)
	mux := http.NewServeMux()
	mux.Handle("GET /programs/{programCode}/fixed", s.partner(func(w http.ResponseWriter, r *http.Request) error {
		fixed(w, r)
		return nil
	}))
	bareMux := http.NewServeMux()
	bareMux.HandleFunc("GET /programs/{programCode}/fixed", fixed)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", bareMux}, {"chain", s.middleware(mux)}} {
		b.Run(c.name, func(b *testing.B) {
			srv := httptest.NewServer(c.h)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				req, _ := http.NewRequest("GET", srv.URL+"/programs/P1/fixed", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("X-GD-RequestId", "bench")
				for pb.Next() {
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
		})
	}
}

// onePartner is a partner.Store that knows one partner.
type onePartner struct{ p partner.Partner }

func (o onePartner) Create(context.Context, partner.Partner, string, string) error { return nil }
func (o onePartner) Partner(context.Context, string) (partner.Partner, error)      { return o.p, nil }
func (o onePartner) ByClientID(context.Context, string) (partner.Partner, string, error) {
	return o.p, "", nil
}
func (o onePartner) RotateSecret(context.Context, string, string, time.Time, string) (partner.Partner, error) {
	return o.p, nil
}
func (o onePartner) List(context.Context, string, int) ([]partner.Partner, error) {
	return []partner.Partner{o.p}, nil
}
func (o onePartner) SetStatus(context.Context, string, string, time.Time, string) (partner.Partner, error) {
	return o.p, nil
}
