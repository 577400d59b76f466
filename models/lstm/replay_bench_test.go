package lstm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/models/lstm"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// BenchmarkReplayDay replays the shared sample's whole day (11.6 M
// invocations, 60 s ticks, AWS, power-tuning) with the reactive provider
// default and with the lstm policy on the checkpoint of
// scenarios/models/operational-ablation-lstm.ckpt: the budget is the lstm
// within 3x of the reactive replay. Moving average, which pre-warms
// about as much without a network, shows what the pre-warming itself costs
// the engine.
func BenchmarkReplayDay(b *testing.B) {
	inv, dur, mem := sharedtest.Sample(b)
	ckpt, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "models", "operational-ablation-lstm.ckpt"))
	if err != nil {
		b.Skip("no sample checkpoint:", err)
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.ckpt"), ckpt, 0o644); err != nil {
		b.Fatal(err)
	}
	sc := fmt.Sprintf(`name = "replay"
[workload]
kind = "azure2019"
[workload.azure2019]
invocations = %q
durations = %q
memory = %q
[simulation]
tick = "60s"
[[catalog.override]]
provider = "aws"
concurrency = 0
[arm_defaults]
strategic = { policy = "single-cloud", provider = "aws" }
tactical = "power-tuning"
[[arms]]
name = "reactive"
operational = "provider-default"
[[arms]]
name = "moving-average"
operational = "moving-average"
[[arms]]
name = "lstm"
operational = { policy = "lstm", checkpoint = "m.ckpt" }
`, inv, dur, mem)
	if err := os.WriteFile(filepath.Join(dir, "s.toml"), []byte(sc), 0o644); err != nil {
		b.Fatal(err)
	}
	reg := registry(b)
	plan, err := scenarios.Load(filepath.Join(dir, "s.toml"), reg)
	if err != nil {
		b.Fatal(err)
	}
	eps, err := plan.Episodes()
	if err != nil {
		b.Fatal(err)
	}
	for arm, a := range plan.Arms {
		b.Run(a.Name, func(b *testing.B) {
			for b.Loop() {
				cfg, err := eps.Config(arm, 1, 0, nil)
				if err != nil {
					b.Fatal(err)
				}
				m, err := sim.Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(m.Arrived)/b.Elapsed().Seconds(), "inv/s")
				if a.Name == "lstm" {
					n, d := lstm.Counts(cfg.Operational)
					b.ReportMetric(float64(n), "predictions")
					b.ReportMetric(float64(d), "distinct")
				}
			}
		})
	}
}
