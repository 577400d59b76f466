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
// line or two. Beside it are lanes: queues of events pushed in time order
// (keep-alive timers of one keep-alive duration mostly are: most are armed
// for that duration after the current time), merged by a small heap of
// their first events. An event in a lane costs an append and, when it
// leaves, a sift in the small heap, and it keeps the large heap small;
// events still leave the queue in (at, seq) order, whether they waited in
// the heap or a lane.
type eventQueue struct {
	items   []event
	seq     uint64
	lanes   []fifo[event] // each in (at, seq) order
	heads   []laneHead    // binary min-heap of the first event of every non-empty lane
	inLanes int           // events in lanes
}

// laneHead is the first event of a non-empty lane.
type laneHead struct {
	ev   event
	lane int32
}

// emptied returns the queue with no event, keeping its storage.
func (q *eventQueue) emptied() eventQueue {
	lanes := q.lanes
	for k := range lanes {
		lanes[k] = lanes[k].emptied()
	}
	return eventQueue{items: q.items[:0], lanes: lanes, heads: q.heads[:0]}
}

func (q *eventQueue) len() int { return len(q.items) + q.inLanes }

func before(a, b *event) bool {
	return a.at < b.at || (a.at == b.at && a.tag < b.tag)
}

// push schedules an event; its sequence number orders it after every event
// already scheduled for the same time.
func (q *eventQueue) push(at Time, kind eventKind, ref int32, gen uint32) {
	q.seq++
	q.pushHeap(event{at: at, tag: q.seq<<kindBits | uint64(kind), ref: ref, gen: gen})
}

// pushLane schedules an event like push, in lane (any non-negative number)
// if it is not earlier than the lane's last event, else in the heap.
func (q *eventQueue) pushLane(lane int32, at Time, kind eventKind, ref int32, gen uint32) {
	q.seq++
	ev := event{at: at, tag: q.seq<<kindBits | uint64(kind), ref: ref, gen: gen}
	for int(lane) >= len(q.lanes) {
		q.lanes = append(q.lanes, fifo[event]{})
	}
	l := &q.lanes[lane]
	n := l.len()
	if n > 0 && at < l.at(n-1).at {
		q.pushHeap(ev)
		return
	}
	l.push(ev)
	q.inLanes++
	if n == 0 {
		q.heads = append(q.heads, laneHead{ev: ev, lane: lane})
		q.headUp(len(q.heads) - 1)
	}
}

func (q *eventQueue) pushHeap(ev event) {
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
func (q *eventQueue) top() *event {
	if q.fromLane() {
		return &q.heads[0].ev
	}
	return &q.items[0]
}

// fromLane reports whether the earliest event is the first of a lane.
func (q *eventQueue) fromLane() bool {
	return len(q.heads) > 0 && (len(q.items) == 0 || before(&q.heads[0].ev, &q.items[0]))
}

// pop removes and returns the earliest event; the queue must not be empty.
// It moves the hole left by the top down along the path of smallest
// children to the bottom, then sifts the last event up from there (Floyd's
// bottom-up variant): the last event is late, so it seldom climbs, and each
// level costs three comparisons instead of four.
func (q *eventQueue) pop() event {
	if q.fromLane() {
		return q.popLane()
	}
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

// popLane removes and returns the first event of the lane whose first
// event is the earliest.
func (q *eventQueue) popLane() event {
	h := &q.heads[0]
	l := &q.lanes[h.lane]
	ev := l.popFront()
	q.inLanes--
	if l.len() > 0 {
		h.ev = *l.front()
	} else {
		last := len(q.heads) - 1
		q.heads[0] = q.heads[last]
		q.heads = q.heads[:last]
	}
	q.headDown(0)
	return ev
}

// headUp moves lane head i up the heads heap to its place.
func (q *eventQueue) headUp(i int) {
	h := q.heads[i]
	for i > 0 {
		p := (i - 1) / 2
		if !before(&h.ev, &q.heads[p].ev) {
			break
		}
		q.heads[i] = q.heads[p]
		i = p
	}
	q.heads[i] = h
}

// headDown moves lane head i down the heads heap to its place.
func (q *eventQueue) headDown(i int) {
	n := len(q.heads)
	if i >= n {
		return
	}
	h := q.heads[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && before(&q.heads[c+1].ev, &q.heads[c].ev) {
			c++
		}
		if !before(&q.heads[c].ev, &h.ev) {
			break
		}
		q.heads[i] = q.heads[c]
		i = c
	}
	q.heads[i] = h
}
