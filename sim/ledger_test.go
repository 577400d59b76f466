package sim_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// The outcome a placement layer is handed for an epoch holds the pre-warm
// capacity and the idle pre-warms' carbon of that epoch, although nothing
// changed during it (no arrival, the same target throughout); the last,
// partial epoch comes with PhaseDone.
func TestOutcomeHoldsPrewarmCost(t *testing.T) {
	cat := testCatalog(dist.Constant{V: 0.5}, 10*sim.Minute, sim.Limits{})
	cat.Providers[0].Billing.ProvisionedGBSecondUSD = 4e-6
	cfg := baseConfig(cat, newList(sim.Time(150*sim.Minute), 1), prewarm{2})
	cfg.Strategic = nil // external: the test reads each epoch's outcome
	e, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 2 instances × 2 GB × 4e-6 $/GB-s; 2 × (1 W idle + 0.4 W/GB × 2 GB)
	// × PUE 1.1 at 100 g/kWh; during their 0.5 s start, the CPU draws
	// 1 + (4 - 1) × 0.5 (busy utilisation) = 2.5 W, 1.5 W more.
	usdPerS := 2 * 2 * 4e-6
	gPerS := 2 * (1 + 0.4*2) * 1.1 * 100 / 3.6e6
	startG := 2 * 0.5 * 1.5 * 1.1 * 100 / 3.6e6
	var windows []sim.Outcome
	for {
		r, err := e.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r.Phase == sim.PhaseDone {
			windows = append(windows, r.StrategicWindow[0])
			break
		}
		windows = append(windows, r.Functions.Functions[0].Window)
		if err := e.Advance(); err != nil {
			t.Fatal(err)
		}
	}
	// Epochs at 0, 1 h and 2 h, each handed the outcome of the one before
	// (none at 0); the run ends at 2.5 h.
	want := []float64{0, 3600, 3600, 1800}
	if len(windows) != len(want) {
		t.Fatalf("%d windows, want %d", len(windows), len(want))
	}
	for k, s := range want {
		w := windows[k]
		g := gPerS * s
		if k == 1 {
			g += startG
		}
		if math.Abs(w.CostUSD-usdPerS*s) > 1e-9 || math.Abs(w.CarbonG-g) > 1e-9 {
			t.Errorf("window %d: $%.9f and %.9f g, want $%.9f and %.9f g", k, w.CostUSD, w.CarbonG, usdPerS*s, g)
		}
	}
	if m := e.Metrics(); math.Abs(m.Cost.Provisioned-usdPerS*9000) > 1e-9 {
		t.Errorf("provisioned $%v, want $%v", m.Cost.Provisioned, usdPerS*9000)
	}
}

// A run with ticks and no arrivals (nothing counts arrivals toward a
// cancellation check) still stops when its context is cancelled.
func TestCancelWithoutArrivals(t *testing.T) {
	cfg := baseConfig(testCatalog(dist.Constant{V: 0.5}, 10*sim.Minute, sim.Limits{}), newList(sim.Time(1000*sim.Hour), 1), keepAlive{sim.Minute})
	cfg.Tick = sim.Second // 3.6 M ticks
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sim.Run(ctx, cfg); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
