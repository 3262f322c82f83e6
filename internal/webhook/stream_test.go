package webhook

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestDeliveryID(t *testing.T) {
	sub := "8b7c8c2a-6a0e-4d5e-9a51-3f1f2a7d0c11"
	for _, seq := range []int64{1, 255, 1 << 40, 1<<48 - 1} {
		id := DeliveryID(sub, seq)
		if _, err := uuid.Parse(id); err != nil || !strings.HasPrefix(id, sub[:24]) {
			t.Fatalf("DeliveryID(%d) = %q", seq, id)
		}
		prefix, got, ok := ParseDeliveryID(id)
		if !ok || got != seq || prefix != sub[:24] {
			t.Errorf("ParseDeliveryID(%q) = %q %d %v", id, prefix, got, ok)
		}
	}
	for _, bad := range []string{"", "nope", sub[:24] + "000000000000", sub[:24] + "zzzzzzzzzzzz"} {
		if _, _, ok := ParseDeliveryID(bad); ok {
			t.Errorf("ParseDeliveryID(%q) accepted", bad)
		}
	}
}

func TestPlan(t *testing.T) {
	ev := func(seq int64, acct string, alone bool) StreamEvent {
		return StreamEvent{Seq: seq, AccountID: acct, Alone: alone}
	}
	for _, c := range []struct {
		name        string
		events      []StreamEvent
		maxEvents   int
		maxMessages int
		want        string // messages as "first seq:seqs" joined by " "
		to          int64
	}{
		{"by account", []StreamEvent{ev(1, "a", false), ev(2, "b", false), ev(3, "a", false)}, 10, 10, "1:1,3 2:2", 9},
		{"full messages", []StreamEvent{ev(1, "a", false), ev(2, "a", false), ev(3, "a", false)}, 2, 10, "1:1,2 3:3", 9},
		{"alone", []StreamEvent{ev(1, "a", true), ev(2, "a", true), ev(3, "a", false)}, 10, 10, "1:1 2:2 3:3", 9},
		{"cut", []StreamEvent{ev(1, "a", false), ev(2, "b", false), ev(4, "a", false), ev(6, "c", false)}, 10, 2, "1:1,4 2:2", 5},
		{"none", nil, 10, 10, "", 9},
	} {
		msgs, to := plan(Span{SubscriptionID: "8b7c8c2a-6a0e-4d5e-9a51-3f1f2a7d0c11", To: 9, Events: c.events}, c.maxEvents, c.maxMessages)
		var got []string
		for _, m := range msgs {
			var seqs []string
			for _, e := range m.events {
				seqs = append(seqs, fmt.Sprint(e.Seq))
			}
			if _, seq, _ := ParseDeliveryID(m.id); seq != m.events[0].Seq {
				t.Errorf("%s: message %s is not named for its first event", c.name, m.id)
			}
			got = append(got, fmt.Sprintf("%d:%s", m.events[0].Seq, strings.Join(seqs, ",")))
		}
		if strings.Join(got, " ") != c.want || to != c.to {
			t.Errorf("%s: %q to %d, want %q to %d", c.name, strings.Join(got, " "), to, c.want, c.to)
		}
	}
}
