package scenarios_test

import (
	"context"
	"testing"

	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// simulate runs arm i of a plan with the plan's seed.
func simulate(t testing.TB, plan *scenarios.Plan, i int) *sim.Metrics {
	t.Helper()
	cfg, err := plan.Config(i, plan.Seed(), 0)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sim.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
