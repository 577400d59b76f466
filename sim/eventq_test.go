package sim

import (
	"math/rand/v2"
	"testing"
)

// The heap must pop events in (time, sequence) order whatever the order of
// pushes, with many ties and pushes interleaved with pops.
func TestEventQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	var q eventQueue
	var last event
	popped := 0
	check := func(ev event) {
		if popped > 0 && before(&ev, &last) {
			t.Fatalf("popped %+v after %+v", ev, last)
		}
		last = ev
		popped++
	}
	now := Time(0)
	for round := 0; round < 200; round++ {
		for range rng.IntN(300) {
			// Only future events, as in the engine; few distinct times: many ties.
			q.push(now+Time(rng.IntN(50)), eventKind(rng.IntN(5)), int32(rng.IntN(100)), 0)
		}
		for range q.len() / 2 {
			ev := q.pop()
			check(ev)
			now = ev.at
		}
	}
	for q.len() > 0 {
		check(q.pop())
	}
	if popped == 0 {
		t.Fatal("nothing was pushed")
	}
}

// Lanes must not change the order: the same pushes, some of them into
// lanes (mostly in time order, sometimes earlier than the lane's last event,
// which then goes to the heap), pop in the same order as from the heap
// alone, and the queue's length counts both.
func TestEventQueueLanesKeepOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 11))
	var q, ref eventQueue
	lastAt := make([]Time, 8) // per lane
	now := Time(0)
	popped, laned := 0, 0
	for round := 0; round < 300; round++ {
		for range rng.IntN(200) {
			kind, r := eventKind(rng.IntN(5)), int32(rng.IntN(100))
			if rng.IntN(2) == 0 {
				at := now + Time(rng.IntN(50))
				q.push(at, kind, r, 1)
				ref.push(at, kind, r, 1)
				continue
			}
			lane := rng.IntN(len(lastAt))
			at := max(now, lastAt[lane]) + Time(rng.IntN(20))
			if rng.IntN(10) == 0 {
				at = now + Time(rng.IntN(5)) // often earlier: to the heap
			}
			lastAt[lane] = max(lastAt[lane], at)
			q.pushLane(int32(lane), at, kind, r, 2)
			ref.push(at, kind, r, 2)
			laned++
		}
		if q.len() != ref.len() {
			t.Fatalf("length %d, want %d", q.len(), ref.len())
		}
		for range q.len() / 2 {
			if got, want := *q.top(), *ref.top(); got != want {
				t.Fatalf("top %+v, want %+v", got, want)
			}
			got, want := q.pop(), ref.pop()
			if got != want {
				t.Fatalf("pop %d: %+v, want %+v", popped, got, want)
			}
			now = got.at
			popped++
		}
	}
	for ref.len() > 0 {
		if got, want := q.pop(), ref.pop(); got != want {
			t.Fatalf("pop %d: %+v, want %+v", popped, got, want)
		}
		popped++
	}
	if q.len() != 0 || laned == 0 || q.inLanes != 0 {
		t.Fatalf("left %d events (%d in lanes) after %d pops, %d pushed into lanes", q.len(), q.inLanes, popped, laned)
	}
}

// BenchmarkEventQueueHold measures the hold model of a replay: a heap of
// 8,192 events (about the completions pending in an AWS-only replay of the
// shared sample), each pop followed by a push at a random later time.
func BenchmarkEventQueueHold(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q eventQueue
	const size = 8192
	const spread = 2_000_000 // µs: events up to 2 s ahead
	for k := range size {
		q.push(Time(rng.IntN(spread)), evComplete, int32(k), 0)
	}
	for b.Loop() {
		ev := q.pop()
		q.push(ev.at+Time(rng.IntN(spread)), evComplete, ev.ref, ev.gen)
	}
}
