package scenarios_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden summaries in testdata/golden")

// TestGoldenSummaries runs every scenario in testdata/golden and compares
// its per-arm summaries, byte for byte, with the reviewed .json beside it.
// After an intended change of the model, rewrite them with
// go test ./scenarios -run Golden -update and review the diff.
// (Floating-point results are exact on amd64; a platform that fuses
// multiply-adds may differ in the last digits.)
func TestGoldenSummaries(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.toml"))
	if len(files) == 0 {
		t.Fatal("no golden scenarios")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			plan, err := scenarios.Load(f, policies.Builtin())
			if err != nil {
				t.Fatal(err)
			}
			var arms []results.Arm
			for i, a := range plan.Arms {
				m := simulate(t, plan, i)
				arms = append(arms, results.NewArm(a.Name, a.Strategic, a.Tactical, a.Operational, m, a.Catalog, plan.Scenario.Catalog.FreeTier))
			}
			got, err := results.JSON(arms)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(f, ".toml") + ".json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (create it with -update)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("%s differs from the golden summary at line %d:\n got: %s\nwant: %s\n(rewrite with -update if the change is intended)", golden, i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("%s differs from the golden summary in length (%d vs %d lines)", golden, len(gl), len(wl))
			}
		})
	}
}
