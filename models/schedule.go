package models

import "math"

// Schedule is reduce-on-plateau with early stopping on a validation loss,
// as Keras's ReduceLROnPlateau and EarlyStopping (min_delta 0): after
// Patience epochs without a new best the learning rate is multiplied by
// Factor (no lower than MinLR); after StopPatience epochs without a new best
// training stops, and the best epoch's weights are the result.
type Schedule struct {
	Factor       float64
	Patience     int
	StopPatience int
	MinLR        float64

	best        float64
	sinceBest   int
	sinceReduce int
	started     bool
}

// Observe records an epoch's validation loss at learning rate lr. It
// returns the learning rate for the next epoch, whether this epoch is the
// best so far, and whether to stop.
func (s *Schedule) Observe(val, lr float64) (next float64, best, stop bool) {
	if !s.started || val < s.best {
		s.started, s.best, s.sinceBest, s.sinceReduce = true, val, 0, 0
		return lr, true, false
	}
	if math.IsNaN(val) {
		return lr, false, true
	}
	s.sinceBest++
	s.sinceReduce++
	next = lr
	if s.sinceReduce >= s.Patience {
		next = math.Max(lr*s.Factor, s.MinLR)
		s.sinceReduce = 0
	}
	return next, false, s.sinceBest >= s.StopPatience
}
