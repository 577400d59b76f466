package scenarios_test

import (
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
)

// TestSampleScenarioReplaysEveryInvocation runs every arm of the example
// that replays the shared Azure 2019 sample: each must see all 11,639,447
// invocations and account for every one of them.
func TestSampleScenarioReplaysEveryInvocation(t *testing.T) {
	sharedtest.Dir(t)
	if testing.Short() {
		t.Skip("replays 11.6 M invocations per arm; skipped with -short")
	}
	plan, err := scenarios.Load("azure2019-sample.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	// Conservation is checked over the whole day: no warm-up.
	plan.Scenario.Simulation.Warmup = 0
	for i, arm := range plan.Arms {
		t.Run(arm.Name, func(t *testing.T) {
			t.Parallel()
			m := simulate(t, plan, i)
			if m.Arrived != 11_639_447 {
				t.Errorf("arrived %d, want 11,639,447", m.Arrived)
			}
			if got := m.Completed + m.FailedTotal() + m.InFlight; got != m.Arrived {
				t.Errorf("completed %d + failed %v + in flight %d = %d != arrived %d", m.Completed, m.Failed, m.InFlight, got, m.Arrived)
			}
			if m.BusySeconds > m.InstanceSeconds {
				t.Errorf("busy instance-seconds %v > alive %v", m.BusySeconds, m.InstanceSeconds)
			}
		})
	}
}
