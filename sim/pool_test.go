package sim

import (
	"math/rand/v2"
	"testing"
)

// idleSince's binary search must count what a scan of the idle list counts,
// as instances go idle at non-decreasing times and leave the list from its
// back (routing), its middle (newest-created routing, keep-alive changes)
// or its front (expiry).
func TestIdleSinceMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 13))
	e := &Engine{inst: make([]instance, 500)}
	var l fifo[int32]
	free := make([]int32, 0, len(e.inst))
	for i := range e.inst {
		free = append(free, int32(i))
	}
	now := Time(0)
	for step := 0; step < 20000; step++ {
		now += Time(rng.IntN(3)) // ties too
		switch r := rng.IntN(10); {
		case r < 5 && len(free) > 0: // goIdle
			i := free[len(free)-1]
			free = free[:len(free)-1]
			e.inst[i].idleNow = now
			l.push(i)
		case r < 7 && l.len() > 0:
			free = append(free, l.popBack())
		case r < 8 && l.len() > 0:
			k := rng.IntN(l.len())
			free = append(free, *l.at(k))
			l.removeAt(k)
		case l.len() > 0:
			free = append(free, l.popFront())
		}
		at := now - Time(rng.IntN(20))
		want := 0
		for k := 0; k < l.len(); k++ {
			if e.inst[*l.at(k)].idleNow <= at {
				want++
			}
		}
		if got := e.idleSince(&l, at); got != want {
			t.Fatalf("step %d: idleSince(%v) = %d, a scan counts %d", step, at, got, want)
		}
	}
}
