package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Receiver is a local webhook endpoint that acknowledges every POST and
// records when each transaction event (by adjustmentIdentifier) arrived.
type Receiver struct {
	URL string
	// Timed records each transaction event's arrival (RunRate needs it);
	// otherwise events are only counted.
	Timed  bool
	srv    *http.Server
	events atomic.Int64
	posts  atomic.Int64
	mu     sync.Mutex
	at     map[string]time.Time
}

// StartReceiver listens on a free local port.
func StartReceiver(timed bool) (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &Receiver{URL: "http://" + ln.Addr().String() + "/hooks", Timed: timed, at: map[string]time.Time{}}
	rc.srv = &http.Server{Handler: http.HandlerFunc(rc.serve), ReadHeaderTimeout: 5 * time.Second}
	go rc.srv.Serve(ln)
	return rc, nil
}

func (rc *Receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	if !rc.Timed { // count only: the receiver's own cost stays out of the comparison
		rc.events.Add(int64(bytes.Count(body, []byte(`"eventIdentifier"`))))
		rc.posts.Add(1)
		io.WriteString(w, `{"responseDetails":[{"code":0,"subCode":0,"description":"Success"}]}`)
		return
	}
	var b struct {
		Accounts []struct {
			Events []struct {
				Transaction struct {
					PostedInternalTransactionData struct {
						AdjustmentIdentifier string `json:"adjustmentIdentifier"`
					} `json:"postedInternalTransactionData"`
				} `json:"transaction"`
			} `json:"events"`
		} `json:"accounts"`
	}
	json.Unmarshal(body, &b)
	rc.mu.Lock()
	for _, a := range b.Accounts {
		for _, e := range a.Events {
			if id := e.Transaction.PostedInternalTransactionData.AdjustmentIdentifier; id != "" {
				if _, seen := rc.at[id]; !seen {
					rc.at[id] = now
				}
			}
			rc.events.Add(1)
		}
	}
	rc.mu.Unlock()
	rc.posts.Add(1)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"responseDetails":[{"code":0,"subCode":0,"description":"Success"}]}`)
}

// Events answers how many events (and POSTs) arrived so far.
func (rc *Receiver) Events() (events, posts int64) { return rc.events.Load(), rc.posts.Load() }

// Arrived answers when the transaction event of an adjustment arrived.
func (rc *Receiver) Arrived(adjustmentID string) (time.Time, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	t, ok := rc.at[adjustmentID]
	return t, ok
}

// Close stops the receiver.
func (rc *Receiver) Close() error { return rc.srv.Close() }

// WaitEvents waits until n events arrived.
func (rc *Receiver) WaitEvents(ctx context.Context, n int64, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if got, _ := rc.Events(); got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			got, _ := rc.Events()
			return fmt.Errorf("%d of %d webhook events arrived in %s", got, n, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Subscribe subscribes url to a program's transaction events.
func (c *Client) Subscribe(ctx context.Context, program, url string) (string, error) {
	var out struct {
		WebhookID string `json:"webhookId"`
	}
	st, err := c.do(ctx, "POST", "/admin/v1/programs/"+program+"/webhooks", AdminToken,
		map[string]any{"url": url, "eventTypes": []string{"transaction"}}, &out)
	if err == nil && st != http.StatusCreated {
		err = fmt.Errorf("subscribe: HTTP %d", st)
	}
	return out.WebhookID, err
}

// Unsubscribe deletes a subscription.
func (c *Client) Unsubscribe(ctx context.Context, program, id string) error {
	st, err := c.do(ctx, "DELETE", "/admin/v1/programs/"+program+"/webhooks/"+id, AdminToken, nil, nil)
	if err == nil && st != http.StatusNoContent {
		err = fmt.Errorf("unsubscribe: HTTP %d", st)
	}
	return err
}

// Latency is the commit-to-acknowledgement report of an open-loop run.
type Latency struct {
	Sent, Delivered int
	// FromResponse is the receiver's arrival time less the time the
	// adjustment's answer reached the client (its commit is before);
	// FromRequest less the time the request was sent (an upper bound).
	FromResponse, FromRequest [3]time.Duration // p50, p99, max
}

func (l Latency) String() string {
	return fmt.Sprintf("%d adjustments, %d events delivered; commit to receiver: p50 %.1f ms, p99 %.1f ms, max %.1f ms "+
		"(from the request: p50 %.1f ms, p99 %.1f ms, max %.1f ms)", l.Sent, l.Delivered,
		ms(l.FromResponse[0]), ms(l.FromResponse[1]), ms(l.FromResponse[2]),
		ms(l.FromRequest[0]), ms(l.FromRequest[1]), ms(l.FromRequest[2]))
}

// RunRate posts adjustments open loop at rate per second for d (each on
// its own goroutine, so a slow answer never delays the next) and
// measures when each one's transaction event reaches rc.
func RunRate(ctx context.Context, c *Client, l Load, rate int, rc *Receiver) (Latency, error) {
	type sent struct {
		id         string
		start, end time.Time
	}
	var mu sync.Mutex
	var all []sent
	var wg sync.WaitGroup
	start := time.Now()
	n := int(l.Duration.Seconds() * float64(rate))
	for i := 0; i < n; i++ {
		// The i-th request is due at start + i/rate, whatever came before:
		// a late one does not push the rest back.
		time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := uuid.NewString()
			typ := "promo"
			if i%2 == 1 {
				typ = "instructionDebit"
			}
			start := time.Now()
			r, err := c.Adjust(ctx, l.Program, l.Accounts[i%len(l.Accounts)], id, typ, "1.25", false)
			if err != nil || r.Status != "completed" {
				return
			}
			mu.Lock()
			all = append(all, sent{id, start, time.Now()})
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	deadline := time.Now().Add(60 * time.Second)
	var fromResp, fromReq []time.Duration
	for _, s := range all {
		for {
			at, ok := rc.Arrived(s.id)
			if ok {
				fromResp = append(fromResp, max(at.Sub(s.end), 0))
				fromReq = append(fromReq, at.Sub(s.start))
				break
			}
			if time.Now().After(deadline) {
				return Latency{}, fmt.Errorf("the event of adjustment %s never arrived", s.id)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return Latency{Sent: len(all), Delivered: len(fromResp), FromResponse: quantiles(fromResp),
		FromRequest: quantiles(fromReq)}, nil
}

func quantiles(d []time.Duration) [3]time.Duration {
	if len(d) == 0 {
		return [3]time.Duration{}
	}
	slices.Sort(d)
	return [3]time.Duration{d[len(d)/2], d[len(d)*99/100], d[len(d)-1]}
}
