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
