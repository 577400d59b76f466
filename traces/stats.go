package traces

import (
	"slices"

	"github.com/skyfaas/skyfaas/sim"
)

// Stats summarises a workload as the simulator would replay it.
type Stats struct {
	Functions, Apps  int
	FunctionsInvoked int
	Invocations      int64
	First, Last      sim.Time // first and last arrival
	Horizon          sim.Time
	// MeanRate is invocations per second over the horizon.
	MeanRate float64
	// PerFunction are quantiles, over invoked functions, of their invocations
	// per day (scaled from the horizon).
	PerFunction Quantiles
	// Duration (ms) and Memory (MB) are quantiles over invocations.
	Duration, Memory Quantiles
	Notes            []string
}

// Quantiles are the usual summary points of a distribution.
type Quantiles struct {
	P50, P90, P99, Max, Mean float64
}

// Noter is implemented by sources that report how they completed or
// transformed their input.
type Noter interface {
	Notes() []string
}

// Collect streams src to its end and summarises it.
func Collect(src sim.Source) (Stats, error) {
	st := Stats{Functions: len(src.Functions()), Apps: len(src.Apps()), Horizon: src.Horizon(), First: -1}
	perFn := make([]int64, st.Functions)
	var dur, mem sim.Histogram
	for src.Next() {
		inv := src.At()
		if st.First < 0 {
			st.First = inv.Arrival
		}
		st.Last = inv.Arrival
		st.Invocations++
		perFn[inv.Function]++
		dur.Record(int64(inv.Duration))
		mem.Record(int64(float64(inv.MemoryMB)*1024 + 0.5)) // KB
	}
	if err := src.Err(); err != nil {
		return st, err
	}
	if st.Horizon > 0 {
		st.MeanRate = float64(st.Invocations) / st.Horizon.Seconds()
	}
	days := st.Horizon.Seconds() / 86400
	var daily []float64
	for _, n := range perFn {
		if n > 0 {
			daily = append(daily, float64(n)/days)
		}
	}
	st.FunctionsInvoked = len(daily)
	if len(daily) > 0 {
		slices.Sort(daily)
		at := func(q float64) float64 { return daily[min(len(daily)-1, int(q*float64(len(daily))))] }
		sum := 0.0
		for _, d := range daily {
			sum += d
		}
		st.PerFunction = Quantiles{P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: daily[len(daily)-1], Mean: sum / float64(len(daily))}
	}
	fromHist := func(h *sim.Histogram, scale float64) Quantiles {
		return Quantiles{P50: float64(h.Quantile(0.5)) / scale, P90: float64(h.Quantile(0.9)) / scale,
			P99: float64(h.Quantile(0.99)) / scale, Max: float64(h.Max) / scale, Mean: h.Mean() / scale}
	}
	st.Duration = fromHist(&dur, 1000)
	st.Memory = fromHist(&mem, 1024)
	if n, ok := src.(Noter); ok {
		st.Notes = n.Notes()
	}
	return st, nil
}
