package scenarios_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// sumRecorder adds up the rows of the series.
type sumRecorder struct {
	rows                                   int
	arrivals, completed, failed, sla, cold int64
	cost, carbon, gbs                      float64
	badLength, badInterval                 int
	tick                                   sim.Duration
	start                                  sim.Time
}

func (s *sumRecorder) Record(rows []sim.SeriesRow) error {
	for i := range rows {
		r := &rows[i]
		s.rows++
		s.arrivals += r.Arrivals
		s.completed += r.Completed
		s.failed += r.Failed
		s.sla += r.SLAViolations
		s.cold += r.ColdStarts
		s.cost += r.CostUSD
		s.carbon += r.CarbonG
		s.gbs += r.GBSeconds
		if r.Length < 0 || r.Length > s.tick {
			s.badLength++
		}
		if lo := s.start.Add(sim.Duration(r.Interval) * s.tick); r.Start < lo || r.Start.Add(r.Length) > lo.Add(s.tick) {
			s.badInterval++
		}
	}
	return nil
}

// closeTo reports whether got is within abs or a relative 1e-9 of want.
func closeTo(got, want, abs float64) bool {
	return math.Abs(got-want) <= math.Max(abs, 1e-9*math.Abs(want))
}

// The ledger's accounts add up to the run's totals: summed over the
// per-interval series, and summed over the strategic epochs' outcomes
// (the last, partial one delivered with PhaseDone), money to the cent,
// carbon to the gram, counts exactly; with and without a warm-up; and
// attaching a recorder changes no metric. Every operational policy runs in
// some arm, so pre-warms and provisioned capacity are billed.
func TestLedgerSumsEqualTotals(t *testing.T) {
	plan, err := scenarios.Load("testdata/golden/every-policy.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range plan.Arms {
		for _, warmup := range []sim.Duration{0, sim.Hour} {
			t.Run(fmt.Sprintf("%s/warmup=%v", a.Name, warmup), func(t *testing.T) {
				cfg, err := plan.Config(i, plan.Seed(), 0)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Warmup = warmup
				plain, err := sim.Run(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				want := *plain

				cfg, err = plan.Config(i, plan.Seed(), 0)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Warmup = warmup
				rec := &sumRecorder{tick: cfg.Tick, start: cfg.Start}
				cfg.Recorder = rec
				st := cfg.Strategic
				cfg.Strategic = nil
				e, err := sim.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				var epochs sim.Outcome
				add := func(o sim.Outcome) {
					epochs.Completed += o.Completed
					epochs.Failed += o.Failed
					epochs.SLAViolations += o.SLAViolations
					epochs.CostUSD += o.CostUSD
					epochs.CarbonG += o.CarbonG
				}
				for {
					r, err := e.Next(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					if r.Phase == sim.PhaseDone {
						for _, o := range r.StrategicWindow {
							add(o)
						}
						break
					}
					for _, f := range r.Functions.Functions {
						add(f.Window)
					}
					if err := st.Providers(r.Functions, r.Providers); err != nil {
						t.Fatal(err)
					}
					if err := e.Advance(); err != nil {
						t.Fatal(err)
					}
				}
				m := e.Metrics()

				if m.Arrived != want.Arrived || m.Completed != want.Completed || m.FailedTotal() != want.FailedTotal() ||
					m.ColdStarts != want.ColdStarts || m.SLAViolations != want.SLAViolations ||
					!closeTo(m.Cost.Total(), want.Cost.Total(), 0) || !closeTo(m.Carbon, want.Carbon, 0) {
					t.Errorf("a recorder changed the run: arrived %d/%d completed %d/%d cost %v/%v carbon %v/%v",
						m.Arrived, want.Arrived, m.Completed, want.Completed, m.Cost.Total(), want.Cost.Total(), m.Carbon, want.Carbon)
				}
				if m.Completed == 0 || m.Cost.Total() <= 0 || m.Carbon <= 0 {
					t.Fatalf("nothing measured: %+v", m.Cost)
				}
				var perFn sim.Outcome
				for _, f := range m.PerFunction {
					o := f.Outcome
					perFn.Completed += o.Completed
					perFn.Failed += o.Failed
					perFn.SLAViolations += o.SLAViolations
					perFn.CostUSD += o.CostUSD
					perFn.CarbonG += o.CarbonG
				}
				for name, got := range map[string]sim.Outcome{
					"series":       {Completed: rec.completed, Failed: rec.failed, SLAViolations: rec.sla, CostUSD: rec.cost, CarbonG: rec.carbon},
					"epochs":       epochs,
					"per function": perFn,
				} {
					if got.Completed != m.Completed || got.Failed != m.FailedTotal() || got.SLAViolations != m.SLAViolations {
						t.Errorf("%s: completed %d failed %d SLA %d; metrics %d, %d, %d",
							name, got.Completed, got.Failed, got.SLAViolations, m.Completed, m.FailedTotal(), m.SLAViolations)
					}
					if !closeTo(got.CostUSD, m.Cost.Total(), 0.005) || !closeTo(got.CarbonG, m.Carbon, 0.5) {
						t.Errorf("%s: $%.6f and %.3f g; metrics $%.6f and %.3f g", name, got.CostUSD, got.CarbonG, m.Cost.Total(), m.Carbon)
					}
				}
				var gbs float64
				for _, u := range m.BillableUnits {
					gbs += u.GBSeconds
				}
				if !closeTo(rec.gbs, gbs, 1e-6) {
					t.Errorf("series: %v GB-s; metrics %v", rec.gbs, gbs)
				}
				if warmup == 0 && (rec.arrivals != m.Arrived || rec.cold != m.ColdStarts) {
					t.Errorf("series: %d arrivals, %d cold starts; metrics %d, %d", rec.arrivals, rec.cold, m.Arrived, m.ColdStarts)
				}
				if rec.badLength > 0 || rec.badInterval > 0 {
					t.Errorf("%d of %d rows have a length outside [0, tick], %d lie outside their interval", rec.badLength, rec.rows, rec.badInterval)
				}
			})
		}
	}
}

// poolKey names a pool's interval by its end, index, function and
// placement (an index freed at a tick can be reused at once, by the same
// function at another placement).
type poolKey struct {
	end              sim.Time
	pool             int32
	fn               sim.FunctionID
	provider, region string
	mb               int32
}

// execSpy wraps an operational policy and keeps every pool view's
// execution time.
type execSpy struct {
	sim.Operational
	exec          map[poolKey]sim.Duration
	differ, views int
}

func (s *execSpy) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range obs.Pools {
		v := &obs.Pools[i]
		prov := &obs.Catalog.Providers[v.Placement.Provider]
		k := poolKey{obs.Now, v.Pool, v.Function, prov.Name, prov.Regions[v.Placement.Region].Name, int32(prov.Memory[v.Placement.Memory].MB)}
		s.exec[k] = v.ExecTime
		s.views++
		if v.ExecTime != v.BusyTime {
			s.differ++
		}
	}
	return s.Operational.Decide(obs, out)
}

// rowRecorder keeps every row by its pool's interval.
type rowRecorder map[poolKey]sim.SeriesRow

func (r rowRecorder) Record(rows []sim.SeriesRow) error {
	for _, row := range rows {
		r[poolKey{row.Start.Add(row.Length), row.Pool, row.Function, row.Provider, row.Region, row.MemoryMB}] = row
	}
	return nil
}

// The execution time a pool's view shows the operational layer for the
// interval just ended is, to the bit, the series row's mean concurrency
// times that interval (what the LSTM trains on), for every arm of the
// every-policy scenario: cold starts' waits, several executions per
// instance, pools drained by moves and pre-warms included. Busy time,
// which counts a cold start's wait, differs from it.
func TestPoolViewExecTimeMatchesSeries(t *testing.T) {
	plan, err := scenarios.Load("testdata/golden/every-policy.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for i, a := range plan.Arms {
		cfg, err := plan.Config(i, plan.Seed(), 0)
		if err != nil {
			t.Fatal(err)
		}
		spy := &execSpy{Operational: cfg.Operational, exec: map[poolKey]sim.Duration{}}
		rows := rowRecorder{}
		cfg.Operational, cfg.Recorder = spy, rows
		if _, err := sim.Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		matched := 0
		for k, d := range spy.exec {
			row, ok := rows[k]
			if !ok {
				if d != 0 {
					t.Fatalf("%s: %+v: execution time %v, no series row", a.Name, k, d)
				}
				continue
			}
			if got := float64(d) / float64(row.Length); got != row.MeanConcurrency {
				t.Fatalf("%s: %+v: view %v/%v = %v, series mean concurrency %v", a.Name, k, d, row.Length, got, row.MeanConcurrency)
			}
			if d > 0 {
				matched++
			}
		}
		if matched == 0 {
			t.Fatalf("%s: no pool executed anything", a.Name)
		}
		t.Logf("%s: %d views, %d with executions checked, %d where busy time differs", a.Name, spy.views, matched, spy.differ)
		differ += spy.differ
	}
	if differ == 0 {
		t.Fatal("busy time never differed from execution time: the test shows nothing")
	}
}
