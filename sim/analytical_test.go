package sim_test

import (
	"math"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

// TestSimFaaSSteadyState reproduces the steady state that SimFaaS publishes
// for one function (Mahmoudi and Khazaei, "SimFaaS: A Performance Simulator
// for Serverless Computing Platforms", CLOSER 2021, and its README example):
// Poisson arrivals at 0.9/s, exponential warm service with mean 1.991 s,
// cold service with mean 2.244 s, expiration after 600 s idle, routing to the
// newest idle instance, no concurrency limit. Published: cold-start
// probability 0.14 %, 7.66 instances on average, 1.79 of them running.
//
// Two ways to model the cold service: a cold start (exponential, mean
// 2.244-1.991 = 0.253 s) followed by the warm execution, which has the same
// mean as SimFaaS's cold service time; or, as SimFaaS does, a cold start
// that replaces the execution, drawn from the cold service time itself
// (exponential, mean 2.244 s).
func TestSimFaaSSteadyState(t *testing.T) {
	for _, mode := range []sim.ColdStartMode{sim.ColdStartAdds, sim.ColdStartReplaces} {
		t.Run([]string{"cold start adds", "cold start replaces"}[mode], func(t *testing.T) { simFaaSSteadyState(t, mode) })
	}
}

func simFaaSSteadyState(t *testing.T, mode sim.ColdStartMode) {
	const (
		rate     = 0.9
		warmMean = 1.991 * float64(sim.Second)
		coldMean = 2.244 * float64(sim.Second)
	)
	horizon := sim.Duration(1.2e6) * sim.Second // ~1.08 M arrivals, ~1500 cold starts
	src, err := traces.NewPoisson(traces.PoissonOptions{Rate: rate, MeanDuration: sim.Duration(warmMean),
		MemoryMB: 128, Duration: horizon, Streams: sim.NewStreams(20210301, 0)})
	if err != nil {
		t.Fatal(err)
	}
	cold := dist.Exponential{M: (coldMean - warmMean) / float64(sim.Second)}
	if mode == sim.ColdStartReplaces {
		cold = dist.Exponential{M: coldMean / float64(sim.Second)}
	}
	cat := testCatalog(cold, 600*sim.Second, sim.Limits{})
	cfg := baseConfig(cat, src, keepAlive{d: sim.ProviderKeepAlive})
	cfg.Routing = sim.RouteNewestCreated
	cfg.ColdStart = mode
	m := run(t, cfg)
	pCold := float64(m.ColdStarts) / float64(m.ColdStarts+m.WarmStarts)
	instances := m.InstanceSeconds / m.Horizon.Seconds()
	busy := m.BusySeconds / m.Horizon.Seconds()
	t.Logf("arrivals %d, cold starts %d: p(cold) %.5f, mean instances %.3f, mean busy %.3f", m.Arrived, m.ColdStarts, pCold, instances, busy)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"cold-start probability", pCold, 0.0014}, {"mean instances", instances, 7.66}, {"mean busy", busy, 1.79}} {
		if math.Abs(c.got-c.want) > 0.10*c.want {
			t.Errorf("%s = %.4f, SimFaaS steady state %.4f (more than 10%% apart)", c.name, c.got, c.want)
		}
	}
	if got := m.Completed + m.FailedTotal() + m.InFlight; got != m.Arrived {
		t.Errorf("conservation: completed+failed+in flight = %d, arrived = %d", got, m.Arrived)
	}
}
