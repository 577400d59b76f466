package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/models/lstm"
)

const trainScenario = `
name = "train-test"
seed = 2
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 12
duration = "3h"
[arm_defaults]
strategic = { policy = "single-cloud", provider = "aws" }
tactical = "power-tuning"
[[arms]]
name = "reactive"
operational = "provider-default"
[train.lstm]
units = [8, 4]
dense = 4
batch = 32
epochs = 2
steps_per_epoch = 5
`

// train writes a readable checkpoint and its learning curve; eval reads it
// back and writes its table and plots.
func TestTrainEval(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(sc, []byte(trainScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), []string{"train", "lstm", sc, "--out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "epoch   2/2") || !strings.Contains(stderr.String(), "ETA") {
		t.Fatalf("no progress lines:\n%s", stderr.String())
	}
	f, err := os.Open(filepath.Join(out, "lstm.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := lstm.Read(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.Units[0] != 8 || m.Meta["scenario"] != "train-test" {
		t.Fatalf("checkpoint %+v %v", m.Config, m.Meta)
	}
	for _, name := range []string{"curve.csv", "curve.png"} {
		if st, err := os.Stat(filepath.Join(out, name)); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", name, err)
		}
	}
	stdout.Reset()
	if err := Run(context.Background(), []string{"eval", "lstm", sc, "--checkpoint", filepath.Join(out, "lstm.ckpt"), "--out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, want := range []string{"| LSTM |", "| reactive (last value) |", "| moving average 5 |", "| static 2x |"} {
		if !strings.Contains(stdout.String(), want) {
			t.Fatalf("eval table lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, name := range []string{"eval.md", "eval-series.png", "eval-scatter.png"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A corrupted checkpoint is refused with the reason.
	_ = os.WriteFile(filepath.Join(out, "bad.ckpt"), []byte("nonsense"), 0o644)
	err = Run(context.Background(), []string{"eval", "lstm", sc, "--checkpoint", filepath.Join(out, "bad.ckpt")}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "not a skyfaas checkpoint") {
		t.Fatalf("bad checkpoint: %v", err)
	}
}

const rlScenario = `
name = "rl-test"
seed = 3
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 10
duration = "6h"
[simulation]
window = { from = "5h", to = "6h" }
[arm_defaults]
tactical = "power-tuning"
operational = "provider-default"
[[arms]]
name = "aws-only"
strategic = { policy = "single-cloud", provider = "aws" }
[[arms]]
name = "greedy"
strategic = "weighted-greedy"
[train.dqn]
arm = "greedy"
train_window = { from = "0s", to = "4h" }
episode_length = "2h"
eval_window = { from = "4h", to = "5h" }
episodes = 4
eval_every = 2
eval_episodes = 1
warmup = 64
hidden = [8]
[train.ppo]
arm = "greedy"
train_window = { from = "0s", to = "4h" }
eval_window = { from = "4h", to = "5h" }
episodes = 2
eval_every = 2
eval_episodes = 1
batch = 16
hidden = [8]
`

// train dqn and train ppo write a checkpoint the policies load, a learning
// curve with the baselines' references, and progress lines; a scenario
// then runs the trained policies on its held-out window.
func TestTrainRL(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(sc, []byte(rlScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"dqn", "ppo"} {
		var stdout, stderr bytes.Buffer
		out := filepath.Join(dir, kind)
		if err := Run(context.Background(), []string{"train", kind, sc, "--out", out}, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", kind, err, stderr.String())
		}
		for _, want := range []string{"held-out reward of baseline aws-only", "held-out reward of baseline greedy", "ETA"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%s: no %q in\n%s", kind, want, stderr.String())
			}
		}
		for _, f := range []string{kind + ".ckpt", "curve.csv", "curve.png"} {
			if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %s: %v", kind, f, err)
			}
		}
	}
	// The trained policies play a run.
	run := rlScenario + `
[[arms]]
name = "learned"
strategic = { policy = "dqn", checkpoint = "dqn/dqn.ckpt" }
tactical = { policy = "ppo", checkpoint = "ppo/ppo.ckpt" }
`
	if err := os.WriteFile(sc, []byte(run), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), []string{"run", sc, "--out", filepath.Join(dir, "run"), "--replications", "1"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "learned") {
		t.Errorf("no learned arm in\n%s", stdout.String())
	}
}

// Bad [train.dqn]/[train.ppo] tables are refused with the key named.
func TestTrainRLRefusals(t *testing.T) {
	cases := []struct{ edit, want string }{
		{`eval_window = { from = "4h", to = "5h" }`, ""},
		{`eval_window = { from = "3h", to = "5h" }`, "line 24: train.dqn.eval_window: starts at 3h0m0s, before train_window ends"},
		{`eval_window = { from = "4h", to = "5h" }`, ""},
		{`eval_window = { from = "4h", to = "5h30m" }`, "line 24: train.dqn.eval_window: ends at 5h30m0s, after simulation.window starts (5h0m0s)"},
		{`episodes = 4`, ""},
		{`episodes = 0`, "episodes must be in"},
		{`warmup = 64`, ""},
		{`warmup = 64
gamma = 1`, "gamma must be in [0, 1)"},
		{`hidden = [8]`, ""},
		{`hidden = [8]
learning_rate = -1`, "learning_rate must be in"},
		{`arm = "greedy"`, ""},
		{`arm = "nope"`, `line 21: train.dqn.arm: no arm "nope"`},
		{`eval_episodes = 1`, ""},
		{`eval_episodes = 1
epsilon = 3`, "epsilon"},
	}
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.toml")
	for i := 0; i < len(cases); i += 2 {
		old, bad := cases[i].edit, cases[i+1]
		text := strings.Replace(rlScenario, old, bad.edit, 1)
		if text == rlScenario {
			t.Fatalf("case %q: no %q in the scenario", bad.edit, old)
		}
		if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		err := Run(context.Background(), []string{"train", "dqn", sc, "--out", filepath.Join(dir, "out")}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err = %v, want %q", bad.edit, err, bad.want)
		}
	}
}
