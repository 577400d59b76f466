package results

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
)

// TestArmObjectiveByHand checks an arm's objective value and its terms
// against a hand computation, and that the table shows it with its
// definition.
func TestArmObjectiveByHand(t *testing.T) {
	cat := &sim.Catalog{Providers: []sim.Provider{{Name: "aws"}}}
	m := &sim.Metrics{Arrived: 10, Completed: 8, SLAViolations: 3, Cost: sim.CostBreakdown{Compute: 1e-4}, Carbon: 2e-3,
		PerProvider: []sim.ProviderMetrics{{Invocations: 10}}, BillableUnits: []sim.BillableUnits{{}}}
	m.Failed[sim.FailOOM] = 2
	for range 8 {
		m.Latency.Record(int64(500 * sim.Millisecond))
	}
	obj := sim.Objective{Weights: sim.ObjectiveWeights{Cost: 0.4, Performance: 0.4, Carbon: 0.2, SLA: 1},
		Reference: sim.Terms{CostUSD: 1e-5, Latency: sim.Second, CarbonG: 1e-3}}
	a := NewArm("a", "s", "t", "o", m, cat, false)
	a.SetObjective(obj, m)
	// 10 finished: cost 1e-4/10/1e-5 = 1 → 0.4; mean latency 0.5 s/1 s →
	// 0.2; carbon 2e-3/10/1e-3 = 0.2 → 0.04; SLA 3/10 → 0.3. Sum 0.94.
	o := a.Objective
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"value", o.Value, 0.94}, {"cost", o.Cost, 0.4}, {"performance", o.Performance, 0.2}, {"carbon", o.Carbon, 0.04}, {"sla", o.SLA, 0.3}} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s: %v, by hand %v", c.name, c.got, c.want)
		}
	}
	var b bytes.Buffer
	if err := Table(&b, &Summary{Objective: NewObjectiveInfo(obj), Arms: []Arm{a}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"objective", "0.94", "objective: 0.4·(cost/inv)/$1e-05 + 0.4·(mean latency)/1s", "sweep objective"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// Without an objective the table has no such column.
	b.Reset()
	if err := Table(&b, &Summary{Arms: []Arm{a}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "objective") {
		t.Errorf("objective column without an objective:\n%s", b.String())
	}
}
