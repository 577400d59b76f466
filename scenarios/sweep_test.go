package scenarios_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
)

const sweepBase = `name = "s"
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 5
duration = "1h"
[[arms]]
name = "a"
strategic = "cheapest"
operational = "fixed-keepalive"
[[arms]]
name = "b"
strategic = "greenest"
`

// A grid's cells are every combination, the first axis slowest, each a
// resolved scenario with its values set (a policy given by name becomes a
// table keeping its name).
func TestSweepCells(t *testing.T) {
	sc := sweepBase + `[sweep]
replications = 3
reference = "b"
[[sweep.grid]]
path = "simulation.cpu_bound_fraction"
values = [0.0, 0.5, 1.0]
[[sweep.grid]]
path = "arms[0].operational.keepalive"
values = ["1m", "10m"]
`
	plan, err := scenarios.Parse("s.toml", []byte(sc), t.TempDir(), policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	cells := plan.Cells()
	if len(cells) != 6 || plan.Replications() != 3 || plan.Reference() != 1 || plan.Jobs() != 36 {
		t.Fatalf("%d cells, %d replications, reference %d, %d jobs", len(cells), plan.Replications(), plan.Reference(), plan.Jobs())
	}
	for i, c := range cells {
		frac := []float64{0, 0.5, 1}[i/2]
		ka := []string{"1m", "10m"}[i%2]
		want := []string{fmt.Sprintf("simulation.cpu_bound_fraction=%s", []string{"0.0", "0.5", "1.0"}[i/2]), `arms[0].operational.keepalive="` + ka + `"`}
		if c.Index != i || !slices.Equal(c.Params, want) {
			t.Errorf("cell %d: index %d, params %q, want %q", i, c.Index, c.Params, want)
		}
		op := c.Plan.Arms[0].Operational
		if c.Plan.Arms[1].CPUBoundFraction != frac || op.Name != "fixed-keepalive" || fmt.Sprint(op.Args["keepalive"]) != ka {
			t.Errorf("cell %d: cpu_bound_fraction %v, operational %+v", i, c.Plan.Arms[1].CPUBoundFraction, op)
		}
		if len(c.Plan.Cells()) != 1 {
			t.Errorf("cell %d has a grid of its own", i)
		}
	}
	// Jobs run cell by cell, replication by replication, the arms of one
	// replication side by side; shards partition them.
	seen := map[scenarios.Job]bool{}
	for k := range plan.Jobs() {
		j := plan.JobAt(k)
		if seen[j] || j.Cell != k/6 || j.Replication != k/2%3 || j.Arm != k%2 {
			t.Fatalf("job %d = %+v", k, j)
		}
		seen[j] = true
		in := 0
		for i := 1; i <= 4; i++ {
			if (scenarios.Shard{I: i, N: 4}).Has(k) {
				in++
			}
		}
		if in != 1 {
			t.Fatalf("job %d is in %d of 4 shards", k, in)
		}
	}
}

func TestSweepErrors(t *testing.T) {
	for _, c := range []struct{ name, sweep, want string }{
		{"no replications", "[sweep]\nreplications = 0\n", "sweep.replications: must be in 1..10000 (got 0)"},
		{"unknown reference", "[sweep]\nreference = \"z\"\n", `sweep.reference: names no arm ("z")`},
		{"empty axis", "[[sweep.grid]]\npath = \"slo.factor\"\nvalues = []\n", "sweep.grid[0].values: empty"},
		{"no path", "[[sweep.grid]]\nvalues = [1]\n", "sweep.grid[0].path: missing"},
		{"seed axis", "[[sweep.grid]]\npath = \"seed\"\nvalues = [1, 2]\n", "seed cannot vary in a grid"},
		{"twice", "[[sweep.grid]]\npath = \"slo.factor\"\nvalues = [1.0]\n[[sweep.grid]]\npath = \"slo.factor\"\nvalues = [2.0]\n", "sweep.grid[1].path: slo.factor is already an axis"},
		{"unknown path", "[[sweep.grid]]\npath = \"simulation.cpu_bond_fraction\"\nvalues = [0.5]\n", "simulation.cpu_bond_fraction: unknown key"},
		{"no such arm", "[[sweep.grid]]\npath = \"arms[7].strategic.policy\"\nvalues = [\"cheapest\"]\n", "arms[7]: no such table (the scenario has 2)"},
		{"bad value", "[[sweep.grid]]\npath = \"simulation.cpu_bound_fraction\"\nvalues = [0.5, 2.0]\n", "sweep cell 1 (simulation.cpu_bound_fraction=2.0): simulation.cpu_bound_fraction: must be a fraction in [0, 1] (got 2)"},
		{"value of the wrong type", "[[sweep.grid]]\npath = \"simulation.tick\"\nvalues = [15]\n", "sweep cell 0 (simulation.tick=15)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenarios.Parse("s.toml", []byte(sweepBase+c.sweep), t.TempDir(), policies.Builtin())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v\nwant one containing %q", err, c.want)
			}
			if err != nil && strings.Contains(err.Error(), "sweep cell") && strings.Contains(err.Error(), "line ") {
				t.Errorf("a cell's error cites a line of the rewritten scenario: %v", err)
			}
		})
	}
	for _, s := range []string{"3/2", "0/2", "1/0", "a/b", "1", "-1/2", "1/2/3"} {
		if _, err := scenarios.ParseShard(s); err == nil {
			t.Errorf("shard %q accepted", s)
		}
	}
	if s, err := scenarios.ParseShard("2/5"); err != nil || s != (scenarios.Shard{I: 2, N: 5}) {
		t.Errorf("shard 2/5: %+v, %v", s, err)
	}
}
