package lstm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/models/lstm"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

func registry(t testing.TB) *policies.Registry {
	r := policies.Builtin()
	if err := r.AddOperational(lstm.PolicyName, lstm.PolicySummary, lstm.NewPolicy); err != nil {
		t.Fatal(err)
	}
	return r
}

const scenario = `
name = "lstm-policy"
seed = 3
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 30
duration = "2h"
[arm_defaults]
strategic = { policy = "single-cloud", provider = "aws" }
tactical = "power-tuning"
[[arms]]
name = "reactive"
operational = "provider-default"
[[arms]]
name = "lstm"
operational = { policy = "lstm", headroom = 1.0 }
[[arms]]
name = "lstm-file"
operational = { policy = "lstm", checkpoint = "model.ckpt", fallback = "static-2x", quiet_keepalive = "0s" }
`

// The shipped checkpoint drives a run: every pool with 12 intervals of
// history is predicted, pre-warms are held and used, and invocations are
// conserved; a checkpoint named in the scenario is read from its directory.
func TestPolicyRuns(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.toml"), []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := lstm.ShippedModel()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "model.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	plan, err := scenarios.Load(filepath.Join(dir, "s.toml"), registry(t))
	if err != nil {
		t.Fatal(err)
	}
	var out []*sim.Metrics
	for arm := range plan.Arms {
		cfg, err := plan.Config(arm, plan.Seed(), 0)
		if err != nil {
			t.Fatal(err)
		}
		met, err := sim.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, met)
		t.Logf("%s: %d arrived, %d cold starts, %d pre-warms used, $%.4f", plan.Arms[arm].Name, met.Arrived, met.ColdStarts, met.PrewarmsUsed, met.Cost.Total())
	}
	if out[1].PrewarmsUsed == 0 {
		t.Fatal("the lstm policy pre-warmed nothing that was used")
	}
	if out[1].Arrived != out[0].Arrived {
		t.Fatalf("arrivals differ: %d vs %d", out[1].Arrived, out[0].Arrived)
	}
}

// A corrupted checkpoint named by a scenario stops loading with the reason.
func TestPolicyRefusesCorrupted(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "s.toml"), []byte(scenario), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "model.ckpt"), []byte("SKYFAAS-CKPT\ngarbage garbage garbage garbage garbage"), 0o644)
	_, err := scenarios.Load(filepath.Join(dir, "s.toml"), registry(t))
	if err == nil || !strings.Contains(err.Error(), "invalid checkpoint") {
		t.Fatalf("got %v", err)
	}
}

// Predicting each distinct window once gives the run that predicting
// every pool gives, to the last invocation and cent.
func TestPolicyDedupeExact(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.toml"), []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	m, _ := lstm.ShippedModel()
	f, _ := os.Create(filepath.Join(dir, "model.ckpt"))
	_ = m.Write(f)
	f.Close()
	plan, err := scenarios.Load(filepath.Join(dir, "s.toml"), registry(t))
	if err != nil {
		t.Fatal(err)
	}
	var got [2]sim.Metrics
	for k, on := range []bool{true, false} {
		cfg, err := plan.Config(1, plan.Seed(), 0)
		if err != nil {
			t.Fatal(err)
		}
		lstm.SetDedupe(cfg.Operational, on)
		met, err := sim.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		got[k] = *met
	}
	if got[0].ColdStarts != got[1].ColdStarts || got[0].PrewarmsUsed != got[1].PrewarmsUsed || got[0].Cost.Total() != got[1].Cost.Total() {
		t.Fatalf("with sharing: %d cold, %d pre-warms used, $%v; without: %d, %d, $%v",
			got[0].ColdStarts, got[0].PrewarmsUsed, got[0].Cost.Total(), got[1].ColdStarts, got[1].PrewarmsUsed, got[1].Cost.Total())
	}
}
