package traces

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyfaas/skyfaas/sim"
)

// PoissonOptions configures a single-function Poisson workload.
type PoissonOptions struct {
	Rate         float64      // arrivals per second
	MeanDuration sim.Duration // exponential execution times with this mean
	MemoryMB     float32
	Duration     sim.Duration // horizon
	Streams      sim.Streams
}

// Poisson is one function with Poisson arrivals and exponential execution
// times: the M/M/∞-with-expiry setting that analytical models of serverless
// platforms (Mahmoudi and Khazaei, SimFaaS, 2021) solve, for validation.
type Poisson struct {
	o        PoissonOptions
	arr, dur *rand.Rand
	t        sim.Time
	cur      sim.Invocation
}

// NewPoisson builds the workload.
func NewPoisson(o PoissonOptions) (*Poisson, error) {
	if !(o.Rate > 0) || math.IsInf(o.Rate, 0) || o.MeanDuration <= 0 || o.Duration <= 0 || !(o.MemoryMB >= 0) {
		return nil, fmt.Errorf("poisson: rate, mean duration and duration must be positive, memory non-negative (got %+v)", o)
	}
	return &Poisson{o: o, arr: o.Streams.New("arrivals"), dur: o.Streams.New("durations")}, nil
}

// Next implements sim.Source.
func (p *Poisson) Next() bool {
	p.t += sim.Time(p.arr.ExpFloat64() / p.o.Rate * float64(sim.Second))
	if p.t >= sim.Time(p.o.Duration) {
		return false
	}
	d := sim.Duration(p.dur.ExpFloat64()*float64(p.o.MeanDuration) + 0.5)
	p.cur = sim.Invocation{Arrival: p.t, Duration: d, Function: 0, MemoryMB: p.o.MemoryMB}
	return true
}

func (p *Poisson) At() sim.Invocation { return p.cur }
func (p *Poisson) Err() error         { return nil }
func (p *Poisson) Functions() []sim.FunctionInfo {
	return []sim.FunctionInfo{{Name: "poisson", App: 0}}
}
func (p *Poisson) Apps() []string    { return []string{"poisson"} }
func (p *Poisson) Horizon() sim.Time { return sim.Time(p.o.Duration) }
