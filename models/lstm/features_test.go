package lstm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/models/lstm"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// featKey names a pool's interval (an index freed at a tick can be reused
// at once by the same function at another placement).
type featKey struct {
	end              sim.Time
	pool             int32
	fn               sim.FunctionID
	provider, region string
	mb               int32
}

// featureSpy keeps the features the policy would compute from every pool
// view.
type featureSpy struct {
	sim.Operational
	got map[featKey]lstm.Raw
}

func (s *featureSpy) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range obs.Pools {
		v := &obs.Pools[i]
		prov := &obs.Catalog.Providers[v.Placement.Provider]
		mb := prov.Memory[v.Placement.Memory].MB
		k := featKey{obs.Now, v.Pool, v.Function, prov.Name, prov.Regions[v.Placement.Region].Name, int32(mb)}
		s.got[k] = lstm.FromView(v, obs.Now, obs.Interval, mb)
	}
	return s.Operational.Decide(obs, out)
}

type featureRows struct {
	tick sim.Duration
	want map[featKey]lstm.Raw
}

func (r *featureRows) Record(rows []sim.SeriesRow) error {
	for i := range rows {
		row := &rows[i]
		if row.Length == r.tick {
			r.want[featKey{row.Start.Add(row.Length), row.Pool, row.Function, row.Provider, row.Region, row.MemoryMB}] = lstm.FromRow(row, r.tick)
		}
	}
	return nil
}

// The features the policy computes from a pool's view at a tick equal, to
// the bit, those the training set computes from the series row of the
// interval just ended, for every pool and tick of a run (pre-warming
// policy, cold starts): no skew between training and serving.
func TestFeaturesTrainEqualServe(t *testing.T) {
	dir := t.TempDir()
	sc, _, _ := strings.Cut(scenario, "[[arms]]\nname = \"lstm-file\"")
	if err := os.WriteFile(filepath.Join(dir, "s.toml"), []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := scenarios.Load(filepath.Join(dir, "s.toml"), registry(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := plan.Config(1, plan.Seed(), 0) // the lstm arm
	if err != nil {
		t.Fatal(err)
	}
	spy := &featureSpy{Operational: cfg.Operational, got: map[featKey]lstm.Raw{}}
	rows := &featureRows{tick: cfg.Tick, want: map[featKey]lstm.Raw{}}
	cfg.Operational, cfg.Recorder = spy, rows
	if _, err := sim.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	busy := 0
	for k, got := range spy.got {
		want, ok := rows.want[k]
		if !ok {
			continue // the pool was opened during the interval
		}
		if got != want {
			t.Fatalf("pool %d of function %d at %v: policy's features %v, training's %v", k.pool, k.fn, k.end, got, want)
		}
		if got[lstm.FeatCPU] > 0 {
			busy++
		}
	}
	if busy == 0 {
		t.Fatal("no interval with executions compared")
	}
	t.Logf("%d pool intervals compared, %d with executions", len(spy.got), busy)
}
