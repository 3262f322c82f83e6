package partner

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// memStore is a partner store of one partner whose standing a test sets,
// counting reads.
type memStore struct {
	Store
	p     Partner
	reads atomic.Int64
}

func (m *memStore) Partner(_ context.Context, id string) (Partner, error) {
	m.reads.Add(1)
	if id != m.p.ID {
		return Partner{}, &apperr.Error{Kind: apperr.NotFound}
	}
	return m.p, nil
}

// A token counts only while its epoch is the partner's and the partner is
// active; another node's change is seen within StandingTTL, this node's
// at once, and the database is read at most once per StandingTTL.
func TestVerifyRevocation(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := &memStore{p: Partner{ID: "p1", ClientID: "c1", Status: Active, TokenEpoch: 1}}
	s := &Service{Store: st, Tokens: &Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour},
		Now: func() time.Time { return now }}
	tok := s.Tokens.Issue(st.p, now).AccessToken
	ctx := context.Background()
	ok := func(want bool, why string) {
		t.Helper()
		_, err := s.Verify(ctx, tok)
		if (err == nil) != want {
			t.Fatalf("%s: Verify err = %v, want ok %v", why, err, want)
		}
		if err != nil && (!strings.Contains(err.Error(), "revoked") || apperr.KindOf(err) != apperr.Unauthorized) {
			t.Fatalf("%s: %v", why, err)
		}
	}
	for range 100 {
		ok(true, "fresh token")
	}
	if n := st.reads.Load(); n != 1 {
		t.Fatalf("%d standing reads for 100 requests within StandingTTL, want 1", n)
	}

	st.p.TokenEpoch = 2 // rotated on another node
	now = now.Add(StandingTTL - time.Millisecond)
	ok(true, "within StandingTTL of another node's rotation")
	now = now.Add(time.Millisecond)
	ok(false, "StandingTTL after another node's rotation")

	st.p.TokenEpoch = 3 // rotated again on another node, which issues a token
	tok = s.Tokens.Issue(st.p, now).AccessToken
	ok(true, "a token of a newer epoch than this node read is checked at once")
	st.p.Status, st.p.TokenEpoch = Disabled, 4
	s.standings.forget("p1") // what SetStatus does on the node that changed it
	ok(false, "disabled on this node")
	st.p.Status = Active
	s.standings.forget("p1")
	ok(false, "enabled again: tokens of the old epoch stay ended")

	other := s.Tokens.Issue(Partner{ID: "gone", ClientID: "c", TokenEpoch: 1}, now).AccessToken
	if _, err := s.Verify(ctx, other); err == nil || apperr.KindOf(err) != apperr.Unauthorized {
		t.Fatalf("token of an unknown partner: %v", err)
	}
}

// BenchmarkServiceVerify is BenchmarkTokenVerify plus the revocation
// check with the standing cached (the common case: at most one database
// read per partner per StandingTTL).
func BenchmarkServiceVerify(b *testing.B) {
	p := Partner{ID: "p1", ClientID: "c1", Status: Active, TokenEpoch: 1}
	s := &Service{Store: &memStore{p: p}, Tokens: &Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour},
		Now: time.Now}
	tok := s.Tokens.Issue(p, time.Now()).AccessToken
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// slowStore is memStore whose reads wait until release is closed.
type slowStore struct {
	memStore
	release chan struct{}
}

func (m *slowStore) Partner(ctx context.Context, id string) (Partner, error) {
	<-m.release
	return m.memStore.Partner(ctx, id)
}

// Requests that find a standing expired together read it once: the others
// wait for that read instead of each queueing one for the pool.
func TestVerifyExpiredReadOnce(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := &slowStore{memStore: memStore{p: Partner{ID: "p1", ClientID: "c1", Status: Active, TokenEpoch: 1}},
		release: make(chan struct{})}
	s := &Service{Store: st, Tokens: &Tokens{Key: []byte("0123456789abcdef0123456789abcdef"), TTL: time.Hour},
		Now: func() time.Time { return now }}
	tok := s.Tokens.Issue(st.p, now).AccessToken
	errs := make(chan error, 50)
	for range cap(errs) {
		go func() {
			_, err := s.Verify(context.Background(), tok)
			errs <- err
		}()
	}
	time.Sleep(20 * time.Millisecond) // let them all find the cache empty
	close(st.release)
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := st.reads.Load(); n != 1 {
		t.Fatalf("%d standing reads for %d concurrent requests, want 1", n, cap(errs))
	}
	// A caller that gives up waiting is answered at once; the read goes on.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	now = now.Add(StandingTTL)
	st.release = make(chan struct{})
	if _, err := s.Verify(ctx, tok); err == nil {
		t.Fatal("a cancelled caller waited for the read")
	}
	close(st.release)
}
