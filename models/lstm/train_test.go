package lstm

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/models"
	"github.com/skyfaas/skyfaas/sim"
)

// synthetic collects a small series: pools of 3 functions, a daily-ish
// sine of arrivals with noise from seed, over n one-minute intervals.
func synthetic(n int, seed uint64) *Collector {
	c := NewCollector(sim.Minute)
	r := rand.New(rand.NewPCG(seed, 9))
	for iv := range int64(n) {
		var rows []sim.SeriesRow
		for f := range 3 {
			a := 20 * (1 + math.Sin(float64(iv)/30+float64(f))) * (1 + 0.2*r.Float64()) * float64(f+1)
			rows = append(rows, sim.SeriesRow{Interval: iv, Start: sim.Time(iv) * sim.Time(sim.Minute), Length: sim.Minute,
				Function: sim.FunctionID(f), Provider: "aws", Region: "us-east", MemoryMB: 256,
				Arrivals: int64(a), Busy: int32(a / 10), Idle: 1, MeanConcurrency: a / 12, Queued: int32(iv % 2)})
		}
		if err := c.Record(rows); err != nil {
			panic(err)
		}
	}
	return c
}

func smallTrain() TrainConfig {
	tc := DefaultTrain()
	tc.Batch = 16
	return tc
}

// One training step on a fixed seed gives the same weights bit for bit.
func TestStepReproducible(t *testing.T) {
	ds, err := Build(synthetic(200, 1), DefaultData())
	if err != nil {
		t.Fatal(err)
	}
	run := func() *Params {
		tr, err := NewTrainer(ds, Small(), smallTrain(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		for s := range 2 {
			if _, err := tr.Step(s * 16); err != nil {
				t.Fatal(err)
			}
		}
		return tr.Model.Params
	}
	a, b := run(), run()
	for i := range a.Data {
		for j := range a.Data[i] {
			if math.Float64bits(a.Data[i][j]) != math.Float64bits(b.Data[i][j]) {
				t.Fatalf("%s[%d]: %v then %v", a.Names[i], j, a.Data[i][j], b.Data[i][j])
			}
		}
	}
}

// Training lowers the validation loss on a learnable series, and the
// schedule stops it.
func TestTrainLearns(t *testing.T) {
	ds, err := Build(synthetic(600, 2), DefaultData())
	if err != nil {
		t.Fatal(err)
	}
	tc := smallTrain()
	tc.Epochs = 8
	tr, err := NewTrainer(ds, Small(), tc, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	before := tr.Loss(ds.Windows[ValPart])
	curve, err := tr.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	after := tr.Loss(ds.Windows[ValPart])
	if !(after < before/2) {
		t.Fatalf("validation loss %v before, %v after %d epochs: not learning", before, after, len(curve.Rows))
	}
}

func roundTrip(t *testing.T) (*Model, []byte) {
	t.Helper()
	ds, err := Build(synthetic(100, 3), DefaultData())
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewModel(tiny(), ds.Norm, 5)
	if err != nil {
		t.Fatal(err)
	}
	m.Meta["scenario"] = "test"
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	return m, b.Bytes()
}

func TestCheckpointRoundTrip(t *testing.T) {
	m, b := roundTrip(t)
	got, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Config.Units, m.Config.Units) || got.Config.Dense != m.Config.Dense || got.Norm.Global != m.Norm.Global || got.Meta["scenario"] != "test" {
		t.Fatalf("round trip changed the model: %+v / %+v", got.Config, got.Norm.Global)
	}
	for i := range m.Params.Data {
		if !slices.Equal(m.Params.Data[i], got.Params.Data[i]) {
			t.Fatalf("tensor %s changed", m.Params.Names[i])
		}
	}
}

func TestCheckpointRefused(t *testing.T) {
	_, good := roundTrip(t)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)/2] ^= 1
	version := bytes.Clone(good)
	version[len(models.CheckpointMagic)] = 9
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"corrupted", corrupt, "checksum mismatch"},
		{"truncated", good[:len(good)-5], "checksum mismatch"},
		{"wrong version", version, "format version 9"},
		{"not a checkpoint", []byte("hello"), "not a skyfaas checkpoint"},
	} {
		_, err := Read(bytes.NewReader(c.b))
		if err == nil || !errors.Is(err, models.ErrCheckpoint) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an ErrCheckpoint saying %q", c.name, err, c.want)
		}
	}
	// A valid file whose tensors do not fit its configuration.
	m, _ := roundTrip(t)
	m.Params.Shapes[0] = []int{m.Params.Shapes[0][1], m.Params.Shapes[0][0]}
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(&b); err == nil || !strings.Contains(err.Error(), "has shape") {
		t.Errorf("wrong shape: got %v", err)
	}
	// Another kind of model.
	c := models.Checkpoint{Kind: "dqn", Config: []byte("{}")}
	b.Reset()
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(&b); err == nil || !strings.Contains(err.Error(), `holds a "dqn" model`) {
		t.Errorf("wrong kind: got %v", err)
	}
}

// Windows never cross pools, gaps or the split, and the normalisation
// sees the training part only.
func TestDatasetWindows(t *testing.T) {
	c := synthetic(100, 4)
	// A gap in function 0's pool: intervals 100..104 missing, then 105..130.
	for iv := int64(105); iv < 131; iv++ {
		_ = c.Record([]sim.SeriesRow{{Interval: iv, Start: sim.Time(iv) * sim.Time(sim.Minute), Function: 0, Provider: "aws", Region: "us-east", MemoryMB: 256, Arrivals: 1e6}})
	}
	ds, err := Build(c, DefaultData())
	if err != nil {
		t.Fatal(err)
	}
	for p, ws := range ds.Windows {
		for _, w := range ws {
			a, z := ds.Interval(w, 0), ds.Interval(w, ds.Config.Window)
			if z-a != int64(ds.Config.Window) || ds.part(a) != Part(p) || ds.part(z) != Part(p) {
				t.Fatalf("%v window over intervals %d..%d crosses a gap or the split (cuts %v)", Part(p), a, z, ds.Cuts)
			}
		}
	}
	// 131 intervals: cuts at 91 and 111; the 1e6 arrivals (from 105 on)
	// must not reach the statistics.
	if ds.Cuts != [2]int64{91, 111} {
		t.Fatalf("cuts %v", ds.Cuts)
	}
	if m := math.Expm1(ds.Norm.Global.Mean[FeatRate]); m > 10 {
		t.Fatalf("mean rate %v: the test part leaked into the normalisation", m)
	}
}

// SetNorm renormalises the windows with another model's statistics.
func TestSetNorm(t *testing.T) {
	ds, err := Build(synthetic(100, 5), DefaultData())
	if err != nil {
		t.Fatal(err)
	}
	w := ds.Windows[TestPart][0]
	x := [][]float64{make([]float64, NumFeatures)}
	for range ds.Config.Window - 1 {
		x = append(x, make([]float64, NumFeatures))
	}
	y := make([]float64, NumTargets)
	ds.Fill(w, 0, x, y)
	before := x[0][FeatRate]
	n := ds.Norm
	n.Global.Mean[FeatRate] += 1 // one more in log1p space
	ds.SetNorm(n)
	ds.Fill(w, 0, x, y)
	if got, want := x[0][FeatRate], before-1/n.Global.Std[FeatRate]; math.Abs(got-want) > 1e-12 {
		t.Fatalf("after SetNorm: %v, want %v", got, want)
	}
}
