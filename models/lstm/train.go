package lstm

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/skyfaas/skyfaas/models"
)

// TrainConfig holds the optimiser's settings.
type TrainConfig struct {
	Seed      uint64  `toml:"seed" json:"seed"`
	LR        float64 `toml:"lr" json:"lr"`               // Adam's initial learning rate (1e-3)
	Batch     int     `toml:"batch" json:"batch"`         // examples per step (128); the last partial batch of an epoch is left out, a different one each epoch
	Epochs    int     `toml:"epochs" json:"epochs"`       // at most (100)
	ClipNorm  float64 `toml:"clip_norm" json:"clip_norm"` // global-norm clipping (1; 0: none)
	Factor    float64 `toml:"lr_factor" json:"lr_factor"` // reduce on plateau (0.5)
	Patience  int     `toml:"lr_patience" json:"lr_patience"`
	Stop      int     `toml:"stop_patience" json:"stop_patience"` // early stopping (5)
	MinLR     float64 `toml:"min_lr" json:"min_lr"`
	MaxSteps  int     `toml:"steps_per_epoch" json:"steps_per_epoch"` // cap per epoch (0: every full batch)
	MaxValWin int     `toml:"validation_windows" json:"validation_windows"`
}

// DefaultTrain is the optimiser: Adam 1e-3, batch 128, clip 1,
// plateau 0.5 after 3, stop after 5.
func DefaultTrain() TrainConfig {
	return TrainConfig{Seed: 1, LR: 1e-3, Batch: 128, Epochs: 100, ClipNorm: 1, Factor: 0.5, Patience: 3, Stop: 5, MinLR: 1e-6}
}

func (c TrainConfig) validate() error {
	var errs []string
	if !(c.LR > 0 && c.LR < 1) {
		errs = append(errs, fmt.Sprintf("lr: must be in (0, 1) (got %v)", c.LR))
	}
	if c.Batch < 1 || c.Batch > 1<<16 {
		errs = append(errs, fmt.Sprintf("batch: must be in 1..65536 (got %d)", c.Batch))
	}
	if c.Epochs < 1 {
		errs = append(errs, fmt.Sprintf("epochs: must be >= 1 (got %d)", c.Epochs))
	}
	if c.ClipNorm < 0 {
		errs = append(errs, fmt.Sprintf("clip_norm: must be >= 0 (got %v)", c.ClipNorm))
	}
	if !(c.Factor > 0 && c.Factor < 1) || c.Patience < 1 || c.Stop < 1 {
		errs = append(errs, fmt.Sprintf("lr_factor in (0,1), lr_patience and stop_patience >= 1 (got %v, %d, %d)", c.Factor, c.Patience, c.Stop))
	}
	if c.MaxSteps < 0 || c.MaxValWin < 0 {
		errs = append(errs, "steps_per_epoch, validation_windows: must be >= 0")
	}
	if len(errs) > 0 {
		return fmt.Errorf("lstm training: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Model is a trained network with its normalisation.
type Model struct {
	Config Config
	Norm   Norm
	Params *Params
	Meta   map[string]string
}

// NewModel returns cfg's network initialised from seed.
func NewModel(cfg Config, norm Norm, seed uint64) (*Model, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p, _ := newParams(cfg)
	p.initialise(rand.New(rand.NewPCG(seed, streamInit)))
	return &Model{Config: cfg, Norm: norm, Params: p, Meta: map[string]string{}}, nil
}

// Random streams of a training run, all from TrainConfig.Seed.
const (
	streamInit = iota + 1
	streamShuffle
	streamDropout
	streamValidation
)

// EpochStats is what one epoch measured.
type EpochStats struct {
	Epoch, Epochs      int
	Steps              int
	TrainLoss, ValLoss float64
	LR                 float64
	Best               bool
	Elapsed, ETA       time.Duration
}

// String is the progress line.
func (s EpochStats) String() string {
	best := ""
	if s.Best {
		best = " *"
	}
	return fmt.Sprintf("epoch %3d/%d  train %.5f  val %.5f  lr %.2g  %s elapsed, ETA ≤ %s%s",
		s.Epoch, s.Epochs, s.TrainLoss, s.ValLoss, s.LR, s.Elapsed.Round(time.Second), s.ETA.Round(time.Second), best)
}

// Trainer runs the training loop over one graph built once.
type Trainer struct {
	ds      *Dataset
	cfg     Config
	tc      TrainConfig
	Model   *Model
	gr      *graph
	adam    *models.Adam
	shuffle *rand.Rand
	dropout *rand.Rand
	order   []int
	clock   func() time.Time
}

// NewTrainer prepares training of cfg on ds. clock measures progress (nil:
// no timing); it never reaches the model.
func NewTrainer(ds *Dataset, cfg Config, tc TrainConfig, clock func() time.Time) (*Trainer, error) {
	cfg.Window = ds.Config.Window
	if err := tc.validate(); err != nil {
		return nil, err
	}
	m, err := NewModel(cfg, ds.Norm, tc.Seed)
	if err != nil {
		return nil, err
	}
	gr, err := newGraph(cfg, m.Params, tc.Batch)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = func() time.Time { return time.Time{} }
	}
	t := &Trainer{ds: ds, cfg: cfg, tc: tc, Model: m, gr: gr,
		adam:    models.NewAdam(tc.LR, m.Params.sizes()),
		shuffle: rand.New(rand.NewPCG(tc.Seed, streamShuffle)),
		dropout: rand.New(rand.NewPCG(tc.Seed, streamDropout)),
		clock:   clock,
	}
	t.order = make([]int, len(ds.Windows[TrainPart]))
	for i := range t.order {
		t.order[i] = i
	}
	return t, nil
}

// Close releases the graph.
func (t *Trainer) Close() { t.gr.close() }

// Step trains on the windows order[from:from+Batch]: fills the batch and
// fresh dropout masks, runs the graph, clips the gradients by global norm,
// takes an Adam step and zeroes the gradients. It returns the batch loss.
func (t *Trainer) Step(from int) (float64, error) {
	w := t.ds.Windows[TrainPart]
	for b := range t.tc.Batch {
		t.ds.Fill(w[t.order[from+b]], b, t.gr.x, t.gr.y)
	}
	for _, m := range t.gr.masks {
		dropoutMask(t.dropout, m, t.cfg.Dropout)
	}
	loss, err := t.gr.run()
	if err != nil {
		return 0, err
	}
	models.ClipGlobalNorm(t.gr.grads, t.tc.ClipNorm)
	t.adam.Step(t.Model.Params.Data, t.gr.grads)
	t.gr.zeroGrads()
	return loss, nil
}

// Run trains until early stopping or Epochs, calling progress after each
// epoch; the model ends with the weights of the best validation epoch.
func (t *Trainer) Run(ctx context.Context, progress func(EpochStats)) (*models.Curve, error) {
	curve := &models.Curve{Names: []string{"train_loss", "val_loss"}}
	sched := models.Schedule{Factor: t.tc.Factor, Patience: t.tc.Patience, StopPatience: t.tc.Stop, MinLR: t.tc.MinLR}
	val := t.ds.Windows[ValPart]
	if t.tc.MaxValWin > 0 && len(val) > t.tc.MaxValWin {
		r := rand.New(rand.NewPCG(t.tc.Seed, streamValidation))
		sub := make([]Window, t.tc.MaxValWin)
		for i, k := range r.Perm(len(val))[:t.tc.MaxValWin] {
			sub[i] = val[k]
		}
		val = sub
	}
	if len(val) == 0 {
		return nil, fmt.Errorf("lstm: no validation window (the validation part is shorter than %d+1 intervals)", t.ds.Config.Window)
	}
	best := t.Model.Params.Clone()
	start := t.clock()
	steps := len(t.order) / t.tc.Batch
	if t.tc.MaxSteps > 0 {
		steps = min(steps, t.tc.MaxSteps)
	}
	if steps == 0 {
		return nil, fmt.Errorf("lstm: %d training windows make no batch of %d", len(t.order), t.tc.Batch)
	}
	var bestEpoch int
	for epoch := 1; epoch <= t.tc.Epochs; epoch++ {
		t.shuffle.Shuffle(len(t.order), func(i, j int) { t.order[i], t.order[j] = t.order[j], t.order[i] })
		var sum float64
		for s := range steps {
			if err := ctx.Err(); err != nil {
				return curve, err
			}
			l, err := t.Step(s * t.tc.Batch)
			if err != nil {
				return curve, err
			}
			sum += l
		}
		vl := t.Loss(val)
		lr := t.adam.LR
		next, isBest, stop := sched.Observe(vl, lr)
		if isBest {
			best.CopyFrom(t.Model.Params)
			bestEpoch = epoch
		}
		el := t.clock().Sub(start)
		st := EpochStats{Epoch: epoch, Epochs: t.tc.Epochs, Steps: steps, TrainLoss: sum / float64(steps), ValLoss: vl, LR: lr, Best: isBest,
			Elapsed: el, ETA: time.Duration(float64(el) / float64(epoch) * float64(t.tc.Epochs-epoch))}
		curve.Add(models.Epoch{Epoch: epoch, Values: []float64{st.TrainLoss, vl}, LR: lr, Elapsed: el})
		if progress != nil {
			progress(st)
		}
		t.adam.LR = next
		if stop || math.IsNaN(vl) {
			break
		}
	}
	t.Model.Params.CopyFrom(best)
	t.Model.Meta["best_epoch"] = fmt.Sprint(bestEpoch)
	return curve, nil
}

// Loss is the model's asymmetric loss (normalised space, no dropout) over
// windows ws.
func (t *Trainer) Loss(ws []Window) float64 {
	p := NewPredictor(t.Model, 512)
	var s float64
	var n int
	p.Each(t.ds, ws, func(i int, pred, y []float64) {
		s += AsymmetricLoss(pred, y, t.cfg.UnderWeight, t.cfg.OverWeight) * float64(len(pred))
		n += len(pred)
	})
	return s / float64(n)
}

// Predictor runs the plain-Go forward pass over dataset windows in
// batches.
type Predictor struct {
	m    *Model
	f    *Forward
	capB int
	x    [][]float64
	y    []float64
	out  []float64
}

// NewPredictor returns a predictor of m in batches of capB.
func NewPredictor(m *Model, capB int) *Predictor {
	p := &Predictor{m: m, f: NewForward(m.Config, m.Params, capB), capB: capB,
		y: make([]float64, capB*NumTargets), out: make([]float64, capB*NumTargets)}
	for range m.Config.Window {
		p.x = append(p.x, make([]float64, capB*NumFeatures))
	}
	return p
}

// Each calls fn for every window with its normalised prediction and
// target (valid during the call).
func (p *Predictor) Each(ds *Dataset, ws []Window, fn func(i int, pred, y []float64)) {
	for from := 0; from < len(ws); from += p.capB {
		n := min(p.capB, len(ws)-from)
		for b := range n {
			ds.Fill(ws[from+b], b, p.x, p.y)
		}
		p.f.Run(p.x, n, p.out)
		for b := range n {
			fn(from+b, p.out[b*NumTargets:(b+1)*NumTargets], p.y[b*NumTargets:(b+1)*NumTargets])
		}
	}
}
