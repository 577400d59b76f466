package sim_test

import (
	"context"
	"slices"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// step drives e to the end, calling f at every decision (the caller's
// layers take the defaults already in the Ready).
func step(t *testing.T, e *sim.Engine, f func(r *sim.Ready)) {
	t.Helper()
	for {
		r, err := e.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r.Phase == sim.PhaseDone {
			return
		}
		f(r)
		if err := e.Advance(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestArrivalHistory checks the ring of arrival counts per interval: at
// each tick it holds the counts of the last K intervals, oldest first, for
// the function that arrived and zeros for the other; the pool's view holds
// the same ring.
func TestArrivalHistory(t *testing.T) {
	// Function 0 arrives twice in [0, 15 s), once in [15, 30 s), three
	// times in [45, 60 s); durations 0.1 s.
	var invs []sim.Invocation
	for _, s := range []float64{1, 2, 16, 46, 47, 48} {
		invs = append(invs, at(s, 0.1))
	}
	cfg := baseConfig(testCatalog(dist.Constant{V: 0.1}, 10*sim.Second, sim.Limits{}), newList(sim.Time(90*sim.Second), 2, invs...), nil)
	cfg.Operational = nil
	cfg.HistoryIntervals = 3
	e, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Expected function 0's history at each tick (K = 3).
	want := map[sim.Time][]int32{
		0:                         nil,
		sim.Time(15 * sim.Second): {2},
		sim.Time(30 * sim.Second): {2, 1},
		sim.Time(45 * sim.Second): {2, 1, 0},
		sim.Time(60 * sim.Second): {1, 0, 3},
		sim.Time(75 * sim.Second): {0, 3, 0},
	}
	seen := 0
	step(t, e, func(r *sim.Ready) {
		if r.Phase != sim.PhaseOperational {
			return
		}
		seen++
		for _, p := range r.Pools.Pools {
			got := p.Recent.AppendTo(nil)
			w := want[r.Now]
			if p.Function == 1 {
				w = make([]int32, len(w)) // never arrived
			}
			if !slices.Equal(got, w) {
				t.Errorf("%v: function %d history %v, want %v", sim.Duration(r.Now), p.Function, got, w)
			}
			if p.Recent.Last() != int32(p.Arrivals) {
				t.Errorf("%v: function %d last interval %d, pool counted %d", sim.Duration(r.Now), p.Function, p.Recent.Last(), p.Arrivals)
			}
		}
	})
	if seen != len(want) {
		t.Errorf("%d operational decisions, want %d", seen, len(want))
	}
}

// TestFunctionViewInstancesAndFootprint checks the instance counts and the
// mean footprint of the strategic observation: at 30 s one instance is
// busy (an execution from 10 s to 40 s), one idle (it ran 12-13 s and its
// 60 s keep-alive has not expired), none starting; footprints 100 and
// 300 MB average 200, durations 30 and 1 s 15.5 s.
func TestFunctionViewInstancesAndFootprint(t *testing.T) {
	a, b := at(10, 30), at(12, 1)
	b.MemoryMB = 300
	cfg := baseConfig(testCatalog(dist.Constant{V: 0}, sim.Minute, sim.Limits{}), newList(sim.Time(sim.Minute), 1, a, b), keepAlive{sim.ProviderKeepAlive})
	cfg.Strategic = nil
	cfg.StrategicEpoch, cfg.TacticalEpoch = 30*sim.Second, 30*sim.Second
	e, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	checked := false
	step(t, e, func(r *sim.Ready) {
		if r.Phase != sim.PhaseStrategic {
			return
		}
		v := r.Functions.Functions[0]
		if r.Now == 0 {
			if v.Idle+v.Busy+v.Starting != 0 || v.Profile.MeanMemoryMB != cfg.PriorMemoryMB {
				t.Errorf("at 0: instances %d/%d/%d, mean footprint %v (want none, the prior %v)", v.Idle, v.Busy, v.Starting, v.Profile.MeanMemoryMB, cfg.PriorMemoryMB)
			}
			return
		}
		checked = true
		if v.Idle != 1 || v.Busy != 1 || v.Starting != 0 {
			t.Errorf("at %v: idle %d busy %d starting %d, want 1 1 0", sim.Duration(r.Now), v.Idle, v.Busy, v.Starting)
		}
		if v.Profile.MeanMemoryMB != 200 || v.Profile.MeanDuration != 15500*sim.Millisecond {
			t.Errorf("mean footprint %v MB, duration %v; want 200 MB, 15.5s", v.Profile.MeanMemoryMB, v.Profile.MeanDuration)
		}
		if got := v.Recent.AppendTo(nil); !slices.Equal(got, []int32{2, 0}) {
			t.Errorf("history %v, want [2 0]", got)
		}
	})
	if !checked {
		t.Fatal("no strategic decision at 30 s")
	}
}

// TestOptionView checks the per-option observation against the catalog:
// prices with the region's factor, the intensity now, persistence as the
// default forecast, a noisy forecast around the future value, reproducible
// and the same for every ask, and the round trip.
func TestOptionView(t *testing.T) {
	cat := testCatalog(dist.Constant{V: 0}, sim.Minute, sim.Limits{})
	p := &cat.Providers[0]
	// Two hours of hourly intensity: 100 then 300 g/kWh.
	series, err := carbon.NewSeries([]float64{100, 300}, int64(sim.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	p.Regions[0].Carbon, p.Regions[0].PriceFactor = series, 1.5
	p.Billing.ProvisionedGBSecondUSD = 4e-6
	cat.Zones[0].RTT[0][0] = 30 * sim.Millisecond
	newEngine := func(fc sim.CarbonForecast) *sim.StrategicObservation {
		cfg := baseConfig(cat, newList(sim.Time(2*sim.Hour), 1, at(1, 0.1)), keepAlive{sim.ProviderKeepAlive})
		cfg.Strategic, cfg.CarbonForecast = nil, fc
		e, err := sim.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.Next(context.Background())
		if err != nil || r.Phase != sim.PhaseStrategic {
			t.Fatalf("first decision %v, %v", r, err)
		}
		return r.Functions
	}
	obs := newEngine(sim.CarbonForecast{})
	v := &obs.Functions[0]
	o := obs.Option(v, sim.Placement{})
	b := &p.Billing // prices × the region's factor 1.5
	if o.RequestUSD != b.RequestUSD || o.GBSecondUSD != 1.5*b.GBSecondUSD || o.ProvisionedGBSecondUSD != 1.5*b.ProvisionedGBSecondUSD ||
		o.MemoryMB != 2048 || o.VCPU != 1 {
		t.Errorf("prices %+v", o)
	}
	if o.CarbonNow != 100 || o.CarbonForecast != 100 || obs.Forecast.Horizon != sim.DefaultForecastHorizon {
		t.Errorf("persistence: now %v, forecast %v over %v; want 100, 100 over 1h", o.CarbonNow, o.CarbonForecast, obs.Forecast.Horizon)
	}
	if o.RTT != 30*sim.Millisecond || o.Offer != obs.Model.Offer(v, sim.Placement{}, obs.Now) {
		t.Errorf("RTT %v, offer %+v", o.RTT, o.Offer)
	}
	// A noisy view of the value an hour ahead (300): within 5 σ of it,
	// the same on every ask, and again in a new engine on the same seed.
	noisy := sim.CarbonForecast{Horizon: sim.Hour, Noise: 0.1}
	obs = newEngine(noisy)
	f1 := obs.Option(&obs.Functions[0], sim.Placement{}).CarbonForecast
	f2 := obs.Option(&obs.Functions[0], sim.Placement{}).CarbonForecast
	f3 := newEngine(noisy).Option(&obs.Functions[0], sim.Placement{}).CarbonForecast
	if f1 != f2 || f1 != f3 || f1 == 300 || f1 < 300*0.5 || f1 > 300*1.5 {
		t.Errorf("noisy forecasts %v, %v, %v: want one value near 300, not exactly it", f1, f2, f3)
	}
}

// TestOptionViewByHand checks Option on an observation built by hand (no
// engine): the forecast is persistence.
func TestOptionViewByHand(t *testing.T) {
	cat := testCatalog(dist.Constant{V: 0}, sim.Minute, sim.Limits{})
	obs := &sim.StrategicObservation{Catalog: cat, Model: sim.NewModel(cat, 0.5, 0.5, sim.SLO{Factor: 2}),
		Functions: []sim.FunctionView{{Profile: sim.Profile{MeanDuration: sim.Second, MaxMemoryMB: 100}}}}
	if o := obs.Option(&obs.Functions[0], sim.Placement{}); o.CarbonNow != 100 || o.CarbonForecast != 100 {
		t.Errorf("now %v forecast %v, want 100 100", o.CarbonNow, o.CarbonForecast)
	}
}

func TestObservationConfigChecked(t *testing.T) {
	for _, c := range []struct {
		k  int
		fc sim.CarbonForecast
	}{{-1, sim.CarbonForecast{}}, {0, sim.CarbonForecast{Horizon: -1}}, {0, sim.CarbonForecast{Noise: -0.1}}} {
		cfg := baseConfig(testCatalog(dist.Constant{V: 0}, sim.Minute, sim.Limits{}), newList(sim.Time(sim.Minute), 1), nil)
		cfg.HistoryIntervals, cfg.CarbonForecast = c.k, c.fc
		if _, err := sim.New(cfg); err == nil {
			t.Errorf("history %d, forecast %+v accepted", c.k, c.fc)
		}
	}
}
