package traces_test

import (
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// The synthetic population must match the published statistics it is
// calibrated to (traces/population.go): checked on the functions' configured
// daily rates, which the generated arrivals follow (next test).
func TestSyntheticPopulationMatchesPublishedStatistics(t *testing.T) {
	const n = 5000
	s, err := traces.NewSynthetic(traces.SyntheticOptions{Functions: n, Duration: sim.Hour, PeakHour: 12, Streams: sim.NewStreams(3, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var nonTimer, perMinute, perHour, timers, timerFast, allPerMinute int
	lo, hi := math.Inf(1), 0.0
	for i := range n {
		d := s.DailyRate(sim.FunctionID(i))
		lo, hi = math.Min(lo, d), math.Max(hi, d)
		if d <= 1440 {
			allPerMinute++
		}
		if s.Functions()[i].Trigger == "timer" {
			timers++
			if d > 1440 {
				timerFast++
			}
			continue
		}
		nonTimer++
		if d <= 1440 {
			perMinute++
		}
		if d <= 24 {
			perHour++
		}
	}
	// Published: 81% at most once a minute, 45% at most once an hour; 15.6%
	// of functions are timers; rates span 8 orders of magnitude. The rate
	// law is calibrated on those shares (checked on non-timer functions);
	// timers are then capped at once a minute, which puts about 84% of all
	// functions at or below it.
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{{"share of non-timer functions invoked at most once a minute", float64(perMinute) / float64(nonTimer), 0.81, 0.015},
		{"share of non-timer functions invoked at most once an hour", float64(perHour) / float64(nonTimer), 0.45, 0.015},
		{"share of timer functions", float64(timers) / n, traces.TimerShare, 0.015},
		{"share of all functions invoked at most once a minute", float64(allPerMinute) / n, 0.84, 0.02}} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.3f, want %.3f", c.name, c.got, c.want)
		}
	}
	if orders := math.Log10(hi / lo); orders < 7.8 || orders > 8.01 {
		t.Errorf("daily rates span %.2f orders of magnitude, want about 8", orders)
	}
	if timerFast != 0 {
		t.Errorf("%d timers fire more than once a minute", timerFast)
	}
}

// Generated arrivals follow the configured rates and the diurnal shape.
func TestSyntheticArrivalsFollowRates(t *testing.T) {
	const n = 20
	s, err := traces.NewSynthetic(traces.SyntheticOptions{Functions: n, Duration: sim.Day, PeakHour: 18, Streams: sim.NewStreams(4, 0)})
	if err != nil {
		t.Fatal(err)
	}
	perFn := make([]float64, n)
	hourly := make([]float64, 24)
	var last sim.Time
	for s.Next() {
		inv := s.At()
		if inv.Arrival < last {
			t.Fatal("arrivals out of order")
		}
		last = inv.Arrival
		perFn[inv.Function]++
		if s.Functions()[inv.Function].Trigger != "timer" {
			hourly[int(inv.Arrival/sim.Time(sim.Hour))]++
		}
	}
	for f, c := range perFn {
		want := s.DailyRate(sim.FunctionID(f))
		if tol := 5*math.Sqrt(want) + 2; math.Abs(c-want) > tol { // 5 Poisson standard deviations
			t.Errorf("function %d: %v invocations in a day, rate %.1f", f, c, want)
		}
	}
	// The peak hour (18) carries about twice the trough's (6) load.
	if r := hourly[6] / hourly[18]; r < 0.4 || r > 0.6 {
		t.Errorf("trough/peak hourly load %.2f, want about 0.5 (hourly %v)", r, hourly)
	}
}

func TestSyntheticIsDeterministic(t *testing.T) {
	mk := func() []sim.Invocation {
		s, err := traces.NewSynthetic(traces.SyntheticOptions{Functions: 50, Duration: 2 * sim.Hour, PeakHour: 3, Streams: sim.NewStreams(9, 1)})
		if err != nil {
			t.Fatal(err)
		}
		return drain(t, s)
	}
	a, b := mk(), mk()
	if len(a) != len(b) {
		t.Fatalf("%d then %d invocations", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("invocation %d differs: %+v vs %+v", i, a[i], b[i])
		}
	}
	if _, err := traces.NewSynthetic(traces.SyntheticOptions{Functions: 0, Duration: sim.Hour}); err == nil {
		t.Error("zero functions accepted")
	}
}

// BenchmarkSynthetic50k streams the first hours of a synthetic day of
// 50,000 functions; the peak heap is the same for one and for two hours:
// memory grows with functions, not invocations.
func BenchmarkSynthetic50k(b *testing.B) {
	for _, hours := range []int{1, 2} {
		b.Run(fmt.Sprintf("%dh", hours), func(b *testing.B) {
			var peak uint64
			var n int64
			for b.Loop() {
				s, err := traces.NewSynthetic(traces.SyntheticOptions{Functions: 50000, Duration: sim.Duration(hours) * sim.Hour,
					PeakHour: 12, Streams: sim.NewStreams(1, 0)})
				if err != nil {
					b.Fatal(err)
				}
				var ms runtime.MemStats
				for s.Next() {
					if n++; n&(1<<22-1) == 0 { // live heap: collect first
						runtime.GC()
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
				}
			}
			b.ReportMetric(float64(n)/float64(b.N), "invocations/op")
			b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MB")
		})
	}
}

// A window [6h, 8h) of a synthetic day: every arrival inside it, timers
// firing at exactly the times they fire in the whole day, and the Poisson
// functions' count that of the same window of the day within sampling error.
func TestSyntheticWindow(t *testing.T) {
	const n = 100
	opts := traces.SyntheticOptions{Functions: n, Duration: sim.Day, PeakHour: 12, Streams: sim.NewStreams(5, 0)}
	from, to := sim.Time(6*sim.Hour), sim.Time(8*sim.Hour)
	type key struct {
		f sim.FunctionID
		t sim.Time
	}
	collect := func(s *traces.Synthetic) (timers map[key]bool, poisson int) {
		timers = map[key]bool{}
		for s.Next() {
			inv := s.At()
			if inv.Arrival < from || inv.Arrival >= to {
				continue
			}
			if s.Functions()[inv.Function].Trigger == "timer" {
				timers[key{inv.Function, inv.Arrival}] = true
			} else {
				poisson++
			}
		}
		return
	}
	day, err := traces.NewSynthetic(opts)
	if err != nil {
		t.Fatal(err)
	}
	dayTimers, dayPoisson := collect(day)

	opts.Start, opts.Duration = sim.Duration(from), to.Sub(from)
	w, err := traces.NewSynthetic(opts)
	if err != nil {
		t.Fatal(err)
	}
	if w.Horizon() != to {
		t.Fatalf("window horizon %v, want %v", w.Horizon(), to)
	}
	var timers = map[key]bool{}
	poisson, last := 0, sim.Time(-1)
	for w.Next() {
		inv := w.At()
		if inv.Arrival < from || inv.Arrival >= to || inv.Arrival < last {
			t.Fatalf("arrival at %v: outside [%v, %v) or out of order", inv.Arrival, from, to)
		}
		last = inv.Arrival
		if w.Functions()[inv.Function].Trigger == "timer" {
			timers[key{inv.Function, inv.Arrival}] = true
		} else {
			poisson++
		}
	}
	if len(timers) == 0 || !reflect.DeepEqual(timers, dayTimers) {
		t.Errorf("timer firings in the window: %d, in the day's window %d (must be the same times)", len(timers), len(dayTimers))
	}
	// Different realisations of one law: within 5 standard deviations of
	// a Poisson count (sqrt(mean) each, so sqrt(2·mean) for the difference).
	if d, sd := math.Abs(float64(poisson-dayPoisson)), math.Sqrt(2*float64(dayPoisson)); dayPoisson < 1000 || d > 5*sd {
		t.Errorf("Poisson arrivals in the window %d, in the day's window %d (allowed difference %.0f)", poisson, dayPoisson, 5*sd)
	}

	opts.Start = -sim.Second
	if _, err := traces.NewSynthetic(opts); err == nil || !strings.Contains(err.Error(), "window start") {
		t.Errorf("negative start: error %v", err)
	}
}
