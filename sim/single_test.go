package sim_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
)

// TestSinglePathMatchesGeneral checks the one-execution fast path against
// the general processor-sharing path: random configurations (instance
// concurrency 1 on some providers, several on others; per-execution and
// per-instance billing) give the same metrics through both.
func TestSinglePathMatchesGeneral(t *testing.T) {
	n := uint64(60)
	if testing.Short() {
		n = 10
	}
	single := 0
	for seed := uint64(1); seed <= n; seed++ {
		var ms [2]*sim.Metrics
		for k, general := range []bool{false, true} {
			cfg, err := randomRun(seed)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if k == 0 {
				for _, p := range cfg.Catalog.Providers {
					if p.InstanceConcurrency == 1 && !p.Billing.PerInstance {
						single++
						break
					}
				}
			}
			e, err := sim.New(cfg)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if general {
				sim.UseGeneralPath(e)
			}
			if ms[k], err = e.Run(context.Background()); err != nil {
				t.Fatalf("seed %d (general path %v): %v", seed, general, err)
			}
		}
		if !reflect.DeepEqual(ms[0], ms[1]) {
			t.Errorf("seed %d: the fast path's metrics differ from the general path's:\nfast    %+v\ngeneral %+v", seed, *ms[0], *ms[1])
		}
	}
	// The draws must reach the fast path (a provider of one execution
	// billed per execution) in most configurations.
	if single < int(n)/4 {
		t.Errorf("only %d of %d configurations have a provider on the fast path", single, n)
	}
}
