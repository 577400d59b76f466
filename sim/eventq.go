package sim

// eventKind tells the engine what an event means.
type eventKind uint8

const (
	evControl       eventKind = iota // operational tick (and epochs that fall on it)
	evComplete                       // an instance's next execution completes or times out
	evExpire                         // keep-alive timer of an idle instance
	evQueueDeadline                  // a queued request reaches its maximum wait
	evTokens                         // a limit group's scale-up bucket holds a token again
	evReady                          // an instance's start completes
	evWarmup                         // the warm-up ends: the measured window begins
)

// event is one entry of the event heap, 24 bytes. ref names the instance,
// pool or limit group it concerns; gen is the generation that entity had
// when the event was scheduled: an event whose generation no longer matches
// is stale and ignored, which is how timers are cancelled without heap
// surgery. tag holds the sequence number shifted left by three bits and the
// kind in the low three: comparing tags compares sequence numbers, which
// are unique, so the kind never affects the order.
type event struct {
	at  Time
	tag uint64
	ref int32
	gen uint32
}

const kindBits = 3

func (e *event) kind() eventKind { return eventKind(e.tag & (1<<kindBits - 1)) }

// eventQueue is a 4-ary min-heap of events ordered by (at, seq): half the
// depth of a binary heap, and the four children of a node share a cache
// line or two.
type eventQueue struct {
	items []event
	seq   uint64
}

func (q *eventQueue) len() int { return len(q.items) }

func before(a, b *event) bool {
	return a.at < b.at || (a.at == b.at && a.tag < b.tag)
}

// push schedules an event; its sequence number orders it after every event
// already scheduled for the same time.
func (q *eventQueue) push(at Time, kind eventKind, ref int32, gen uint32) {
	q.seq++
	ev := event{at: at, tag: q.seq<<kindBits | uint64(kind), ref: ref, gen: gen}
	q.items = append(q.items, ev)
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !before(&ev, &q.items[p]) {
			break
		}
		q.items[i] = q.items[p]
		i = p
	}
	q.items[i] = ev
}

// top returns the earliest event; the queue must not be empty.
func (q *eventQueue) top() *event { return &q.items[0] }

// pop removes and returns the earliest event; the queue must not be empty.
// It moves the hole left by the top down along the path of smallest
// children to the bottom, then sifts the last event up from there (Floyd's
// bottom-up variant): the last event is late, so it seldom climbs, and each
// level costs three comparisons instead of four.
func (q *eventQueue) pop() event {
	top := q.items[0]
	n := len(q.items) - 1
	last := q.items[n]
	q.items = q.items[:n]
	if n == 0 {
		return top
	}
	items := q.items
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for k := c + 1; k < end; k++ {
			if before(&items[k], &items[m]) {
				m = k
			}
		}
		items[i] = items[m]
		i = m
	}
	for i > 0 {
		p := (i - 1) / 4
		if !before(&last, &items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = last
	return top
}
