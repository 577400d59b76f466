package sim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
)

// The stepping protocol: out-of-order calls and invalid actions are
// errors, an engine with an external layer cannot Run, and a finished run
// stays finished.
func TestSteppingProtocol(t *testing.T) {
	ctx := context.Background()
	src := func() sim.Source { return newList(sim.Time(2*sim.Minute), 1, at(1, 1), at(70, 1)) }
	cfg := cfgFor(src(), sim.Limits{}, 60*sim.Second, keepAlive{60 * sim.Second})
	cfg.Strategic = nil
	if _, err := sim.Run(ctx, cfg); err == nil || !strings.Contains(err.Error(), "Run needs a policy at every layer") {
		t.Errorf("Run with an external layer: error %v", err)
	}

	e, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Advance(); err == nil || !strings.Contains(err.Error(), "without a pending decision") {
		t.Errorf("Advance first: error %v", err)
	}
	r, err := e.Next(ctx)
	if err != nil || r.Phase != sim.PhaseStrategic || r.Now != 0 || len(r.Providers) != 1 || r.Functions == nil {
		t.Fatalf("first Next: %+v, %v; want a strategic decision at 0 for one function", r, err)
	}
	if _, err := e.Next(ctx); err == nil || !strings.Contains(err.Error(), "strategic decision is pending") {
		t.Errorf("Next before Advance: error %v", err)
	}
	if err := e.Advance(); err != nil {
		t.Fatal(err)
	}
	// One strategic epoch (1 h) in a 2 min run: the next Next ends it.
	r, err = e.Next(ctx)
	if err != nil || r.Phase != sim.PhaseDone || e.Metrics().Completed != 2 {
		t.Fatalf("second Next: %+v, %v, completed %d; want done with 2 completed", r, err, e.Metrics().Completed)
	}
	if r, err := e.Next(ctx); err != nil || r.Phase != sim.PhaseDone {
		t.Errorf("Next after the end: %+v, %v", r, err)
	}

	// An invalid action stops the run; the engine then refuses to go on.
	cfg.Source = src()
	e, err = sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err = e.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.Providers[0] = 7
	if err := e.Advance(); err == nil || !strings.Contains(err.Error(), "strategic policy (caller) gave function 0 provider 7") {
		t.Errorf("invalid provider: error %v", err)
	}
	if _, err := e.Next(ctx); err == nil || !strings.Contains(err.Error(), "the run has stopped") {
		t.Errorf("Next after a failed Advance: error %v", err)
	}
}

// A caller may replace the Ready's output slice with its own of the same
// length (its actions are applied), not with one of another length.
func TestSteppingAdoptsReplacedSlices(t *testing.T) {
	ctx := context.Background()
	cfg := cfgFor(newList(sim.Time(2*sim.Minute), 1, at(1, 1)), sim.Limits{}, 60*sim.Second, keepAlive{60 * sim.Second})
	cfg.Operational = nil
	e, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Next(ctx)
	if err != nil || r.Phase != sim.PhaseOperational {
		t.Fatalf("first Next: %+v, %v", r, err)
	}
	r.Decisions = []sim.PoolDecision{{Prewarm: 2, KeepAlive: sim.ProviderKeepAlive}}
	if err := e.Advance(); err != nil {
		t.Fatal(err)
	}
	r, err = e.Next(ctx)
	if err != nil || r.Phase != sim.PhaseOperational || r.Pools.Pools[0].Provisioned != 2 {
		t.Fatalf("second Next: %+v, %v; want the 2 pre-warms of the replaced slice held", r, err)
	}
	r.Decisions = nil
	if err := e.Advance(); err == nil || !strings.Contains(err.Error(), "Ready.Decisions holds 0 actions for 1 decisions") {
		t.Errorf("a slice of another length: error %v", err)
	}
}
