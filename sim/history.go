package sim

// DefaultHistoryIntervals is the length of every function's arrival history
// (Config.HistoryIntervals): 12 operational intervals, the input length of
// the operational LSTM (DESIGN.md, "Learning": 12 steps), 3 minutes at the
// default 15 s tick.
const DefaultHistoryIntervals = 12

// MaxHistoryIntervals bounds Config.HistoryIntervals (a day of 15 s ticks).
const MaxHistoryIntervals = 5760

// ArrivalHistory is one function's arrival counts over its last complete
// operational intervals (Config.Tick long, ending at the observation's
// Now), wherever the function ran: oldest first, at most
// Config.HistoryIntervals of them (fewer early in a run). The engine keeps
// one ring per function and updates it at every tick; the view reads it in
// place and is valid for the duration of the call, like every observation.
type ArrivalHistory struct {
	ring []int32 // the function's slots
	next int     // slot the next interval goes to
	n    int     // slots filled
}

// Len returns the number of intervals held.
func (h ArrivalHistory) Len() int { return h.n }

// At returns the arrivals of interval i, 0 the oldest held and Len()-1 the
// interval that just ended.
func (h ArrivalHistory) At(i int) int32 {
	k := len(h.ring)
	return h.ring[(h.next-h.n+i+2*k)%k]
}

// Last returns the arrivals of the interval that just ended (0 if none is
// held yet).
func (h ArrivalHistory) Last() int32 {
	if h.n == 0 {
		return 0
	}
	return h.At(h.n - 1)
}

// AppendTo appends the counts, oldest first, to dst.
func (h ArrivalHistory) AppendTo(dst []int32) []int32 {
	for i := range h.n {
		dst = append(dst, h.At(i))
	}
	return dst
}

// pushArrivals closes the operational interval that ends now: every
// function's count of it enters its ring.
func (e *Engine) pushArrivals() {
	k, slot := e.histK, e.histNext
	for i := range e.fns {
		e.hist[i*k+slot] = e.fns[i].tickArrivals
		e.fns[i].tickArrivals = 0
	}
	e.histNext = (slot + 1) % k
	e.histN = min(e.histN+1, k)
}

// arrivalHistory returns function f's history view.
func (e *Engine) arrivalHistory(f FunctionID) ArrivalHistory {
	k := e.histK
	return ArrivalHistory{ring: e.hist[int(f)*k : int(f)*k+k], next: e.histNext, n: e.histN}
}
