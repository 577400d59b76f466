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
