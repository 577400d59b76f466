package sim

// eventKind tells the engine what an event means.
type eventKind uint8

const (
	evControl       eventKind = iota // operational tick (and epochs that fall on it)
	evComplete                       // an instance finishes its current invocation
	evExpire                         // keep-alive timer of an idle instance
	evQueueDeadline                  // a queued request reaches its maximum wait
	evTokens                         // a limit group's scale-up bucket holds a token again
)

// event is one entry of the event heap. ref names the instance, pool or limit
// group it concerns; gen is the generation that entity had when the event was
// scheduled: an event whose generation no longer matches is stale and ignored,
// which is how timers are cancelled without heap surgery.
type event struct {
	at   Time
	seq  uint64
	ref  int32
	gen  uint32
	kind eventKind
}

// eventQueue is a binary min-heap of events ordered by (at, seq).
type eventQueue struct {
	items []event
	seq   uint64
}

func (q *eventQueue) len() int { return len(q.items) }

func (q *eventQueue) less(i, j int) bool {
	a, b := &q.items[i], &q.items[j]
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// push schedules an event; its sequence number orders it after every event
// already scheduled for the same time.
func (q *eventQueue) push(at Time, kind eventKind, ref int32, gen uint32) {
	q.seq++
	q.items = append(q.items, event{at: at, seq: q.seq, ref: ref, gen: gen, kind: kind})
	i := len(q.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

// top returns the earliest event; the queue must not be empty.
func (q *eventQueue) top() *event { return &q.items[0] }

// pop removes and returns the earliest event; the queue must not be empty.
func (q *eventQueue) pop() event {
	top := q.items[0]
	n := len(q.items) - 1
	q.items[0] = q.items[n]
	q.items = q.items[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			break
		}
		q.items[i], q.items[m] = q.items[m], q.items[i]
		i = m
	}
	return top
}
