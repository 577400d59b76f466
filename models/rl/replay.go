package rl

import "math/rand/v2"

// Replay is the DQN's experience replay: a ring of the last Cap
// transitions, sampled uniformly with replacement (Mnih et al. 2015).
type Replay struct {
	buf  []*Transition
	next int // where the next transition goes once full
	cap  int
}

// NewReplay returns an empty buffer of capacity n.
func NewReplay(n int) *Replay { return &Replay{cap: n} }

// Len is the number of transitions held.
func (r *Replay) Len() int { return len(r.buf) }

// Add stores t, replacing the oldest once full.
func (r *Replay) Add(t *Transition) {
	if len(r.buf) < r.cap {
		r.buf = append(r.buf, t)
		return
	}
	r.buf[r.next] = t
	r.next = (r.next + 1) % r.cap
}

// Sample fills dst with transitions drawn uniformly with replacement.
func (r *Replay) Sample(rng *rand.Rand, dst []*Transition) {
	for i := range dst {
		dst[i] = r.buf[rng.IntN(len(r.buf))]
	}
}

// At returns the i-th transition, oldest first (tests).
func (r *Replay) At(i int) *Transition {
	if len(r.buf) < r.cap {
		return r.buf[i]
	}
	return r.buf[(r.next+i)%r.cap]
}

// GAE computes generalised advantage estimates (Schulman et al. 2016) and
// returns (advantage + value) of one function's trajectory, in epoch
// order, on the scaled rewards (Transition.Scaled): δ_t = r_t + γ·V(s_{t+1})·(1-done_t) - V(s_t), A_t = δ_t +
// γλ·(1-done_t)·A_{t+1}. values[t] is V(s_t); next is V(s_T) after the last
// transition (ignored if it is Done).
func GAE(traj []*Transition, next, gamma, lambda float64, adv, ret []float64) {
	var a float64
	for t := len(traj) - 1; t >= 0; t-- {
		tr := traj[t]
		nv := next
		if t+1 < len(traj) {
			nv = traj[t+1].Value
		}
		notDone := 1.0
		if tr.Done {
			notDone = 0
		}
		delta := tr.Scaled() + gamma*nv*notDone - tr.Value
		a = delta + gamma*lambda*notDone*a
		adv[t] = a
		ret[t] = a + tr.Value
	}
}
