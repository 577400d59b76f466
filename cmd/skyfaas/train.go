package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/skyfaas/skyfaas/internal/regular"
	"github.com/skyfaas/skyfaas/models/lstm"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

const trainUsage = `Usage: skyfaas train lstm|dqn|ppo SCENARIO [--out DIR]

lstm: simulates the scenario's training arm (the settings' arm, default the
first) with a series recorder, builds the LSTM dataset from every pool's
per-interval series (windows within one pool, chronological
train/validation/test split, normalisation fitted on the training part),
trains the network and writes to DIR (default models-out):
  lstm.ckpt        the checkpoint (written atomically)
  curve.csv/.png   the learning curve
Settings come from the scenario's [train.lstm] table (see models/lstm).

dqn, ppo: trains the strategic DQN or the tactical PPO with the simulator
as its environment: episodes on the early window of the trace
([train.dqn] train_window), the greedy policy evaluated on a later,
held-out window (eval_window) for the learning curve; the other layers are
played by the policies of the settings' arm. Writes dqn.ckpt or ppo.ckpt,
curve.csv and curve.png to DIR. Settings: [train.dqn] / [train.ppo] (see
models/rl).
`

const evalUsage = `Usage: skyfaas eval lstm SCENARIO --checkpoint FILE [--out DIR]

Rebuilds the dataset as training did and compares the checkpoint with
reactive (last value), static 2x, moving average (5) and seasonal naive
(where the trace spans more than a day) on the test part only: MSE, RMSE,
MAE and R2 per target in real units, under-predicted intervals and under-
and over-provisioned invocations. Writes DIR/eval.md and two PNG plots.
`

// lstmSettings is the [train.lstm] table.
type lstmSettings struct {
	lstm.Settings
	// Arm whose run records the series (default: the first arm).
	Arm string `toml:"arm"`
	// Span of trace time simulated for the dataset (default: the
	// scenario's window, or its whole workload).
	Span *scenarios.WindowSpec `toml:"span"`
}

func loadLSTMSettings(plan *scenarios.Plan) (lstmSettings, error) {
	s := lstmSettings{Settings: lstm.DefaultSettings()}
	if err := scenarios.Args(plan.Scenario.Train["lstm"]).Decode(&s); err != nil {
		return s, plan.Errorf("train.lstm", "%v", err)
	}
	return s, nil
}

// lstmDataset simulates the training arm and builds the dataset.
// prepareLSTM loads the scenario at path and its LSTM settings, creates the
// output directory and builds the dataset: what train and eval share.
func prepareLSTM(ctx context.Context, path, out string, stderr io.Writer) (*scenarios.Plan, lstmSettings, *lstm.Dataset, error) {
	plan, err := scenarios.Load(path, registry())
	if err != nil {
		return nil, lstmSettings{}, nil, err
	}
	s, err := loadLSTMSettings(plan)
	if err != nil {
		return nil, s, nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, s, nil, err
	}
	ds, err := lstmDataset(ctx, plan, s, stderr)
	return plan, s, ds, err
}

func lstmDataset(ctx context.Context, plan *scenarios.Plan, s lstmSettings, stderr io.Writer) (*lstm.Dataset, error) {
	arm, err := armIndex(plan, s.Arm, "train.lstm.arm")
	if err != nil {
		return nil, err
	}
	var cfg sim.Config
	if s.Span != nil {
		eps, err2 := plan.Episodes()
		if err2 != nil {
			return nil, err2
		}
		cfg, err = eps.Config(arm, plan.Seed(), 0, s.Span)
	} else {
		cfg, err = plan.Config(arm, plan.Seed(), 0)
	}
	if err != nil {
		return nil, err
	}
	col := lstm.NewCollector(cfg.Tick)
	cfg.Recorder = col
	start := time.Now()
	fmt.Fprintf(stderr, "simulating arm %q (seed %d, tick %v) for the series...\n", plan.Arms[arm].Name, plan.Seed(), cfg.Tick)
	if _, err := sim.Run(ctx, cfg); err != nil {
		return nil, fmt.Errorf("simulating the training series: %w", err)
	}
	ds, err := lstm.Build(col, s.DataConfig)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "%d pools, %d intervals (%.1fs); windows: %d train, %d validation, %d test (split at intervals %d and %d)\n",
		ds.Pools(), col.Intervals(), time.Since(start).Seconds(),
		len(ds.Windows[lstm.TrainPart]), len(ds.Windows[lstm.ValPart]), len(ds.Windows[lstm.TestPart]), ds.Cuts[0], ds.Cuts[1])
	return ds, nil
}

func parseModelArgs(name string, args []string, stderr io.Writer, usage string, ckpt *string) (string, string, error) {
	models := []string{"lstm"}
	if name == "train" {
		models = append(models, "dqn", "ppo")
	}
	if len(args) == 0 || !slices.Contains(models, args[0]) {
		fmt.Fprint(stderr, usage)
		return "", "", fmt.Errorf("%w: %s needs a model (%s)", errUsage, name, strings.Join(models, ", "))
	}
	fs := newFlags(name+" "+args[0], stderr, usage)
	out := fs.String("out", "models-out", "output directory")
	if ckpt != nil {
		fs.StringVar(ckpt, "checkpoint", "", "checkpoint to evaluate")
	}
	var pos []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return "", "", err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) != 1 {
		return "", "", fmt.Errorf("%w: %s %s needs one scenario", errUsage, name, args[0])
	}
	if ckpt != nil && *ckpt == "" {
		return "", "", fmt.Errorf("%w: eval lstm needs --checkpoint", errUsage)
	}
	return pos[0], *out, nil
}

// writeFileAtomic writes data to path through a temporary file renamed
// into place, so a reader never sees half a file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	path, out, err := parseModelArgs("train", args, stderr, trainUsage, nil)
	if err != nil {
		return err
	}
	if args[0] != "lstm" {
		return runTrainRL(ctx, args[0], path, out, stdout, stderr)
	}
	plan, s, ds, err := prepareLSTM(ctx, path, out, stderr)
	if err != nil {
		return err
	}
	tr, err := lstm.NewTrainer(ds, s.Config, s.TrainConfig, time.Now)
	if err != nil {
		return err
	}
	defer tr.Close()
	fmt.Fprintf(stderr, "training LSTM %v, dense %d, %d parameters, batch %d, seed %d\n",
		s.Units, s.Dense, tr.Model.Params.Count(), s.Batch, s.Seed)
	start := time.Now()
	curve, err := tr.Run(ctx, func(st lstm.EpochStats) { fmt.Fprintln(stderr, st) })
	if err != nil {
		return err
	}
	m := tr.Model
	m.Meta["scenario"] = plan.Scenario.Name
	m.Meta["skyfaas"] = version()
	m.Meta["train_seconds"] = fmt.Sprintf("%.1f", time.Since(start).Seconds())
	m.Meta["epochs"] = fmt.Sprint(len(curve.Rows))
	m.Meta["tick"] = ds.Tick.String()
	ckpt := filepath.Join(out, "lstm.ckpt")
	if err := writeFileAtomic(ckpt, m.Write); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(out, "curve.csv"), curve.WriteCSV); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(out, "curve.png"), func(w io.Writer) error {
		return curve.WritePNG(w, "LSTM learning curve ("+plan.Scenario.Name+")", "asymmetric MSE (normalised)")
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained in %s (%d epochs, best %s): %s, curve in %s\n", time.Since(start).Round(time.Second), len(curve.Rows), m.Meta["best_epoch"], ckpt, filepath.Join(out, "curve.csv"))
	return nil
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var ckpt string
	path, out, err := parseModelArgs("eval", args, stderr, evalUsage, &ckpt)
	if err != nil {
		return err
	}
	f, err := regular.Open(ckpt)
	if err != nil {
		return err
	}
	m, err := lstm.Read(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", ckpt, err)
	}
	plan, _, ds, err := prepareLSTM(ctx, path, out, stderr)
	if err != nil {
		return err
	}
	if m.Norm.Mode != ds.Config.Norm {
		return fmt.Errorf("%s: normalised %s, the scenario's settings say %s", ckpt, m.Norm.Mode, ds.Config.Norm)
	}
	ds.SetNorm(m.Norm) // the checkpoint's statistics (the same when fitted on the same run)
	ev, err := lstm.Evaluate(m, ds)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "LSTM %v dense %d (%s) on %s, test part only.\n\n", m.Config.Units, m.Config.Dense, ckpt, plan.Scenario.Name)
	if err := ev.WriteTable(&b); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(out, "eval.md"), func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err }); err != nil {
		return err
	}
	var series, scatter bytes.Buffer
	if err := ev.WritePlots(&series, &scatter); err != nil {
		return err
	}
	for name, buf := range map[string]*bytes.Buffer{"eval-series.png": &series, "eval-scatter.png": &scatter} {
		if err := writeFileAtomic(filepath.Join(out, name), func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
			return err
		}
	}
	_, err = stdout.Write(b.Bytes())
	return err
}

// armIndex returns the index of the arm named name (the first arm if name
// is empty); key names the setting in the error.
func armIndex(plan *scenarios.Plan, name, key string) (int, error) {
	if name == "" {
		return 0, nil
	}
	for i, a := range plan.Arms {
		if a.Name == name {
			return i, nil
		}
	}
	return -1, plan.Errorf(key, "no arm %q in the scenario", name)
}
