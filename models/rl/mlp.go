package rl

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/skyfaas/skyfaas/models"
)

// MLP is a fully connected network: ReLU hidden layers, a linear output.
// Its weights are row-major float64: per layer W (in×out) then b (out).
// The training graphs (graph.go) are backed by these slices; the plain-Go
// Forward reads them.
type MLP struct {
	Sizes []int // input, hidden..., output
	Data  [][]float64
}

// Limits of a network: its widths (an observation's included) and its
// weight layers.
const (
	maxWidth  = 1 << 14
	maxLayers = 9
)

// NewMLP returns a network of the given sizes with Xavier-uniform weights
// and zero biases drawn from r.
func NewMLP(r *rand.Rand, sizes ...int) (*MLP, error) {
	if len(sizes) < 2 || len(sizes) > maxLayers+1 {
		return nil, fmt.Errorf("rl: a network has an input, up to %d hidden and an output size (got %v)", maxLayers-1, sizes)
	}
	for _, s := range sizes {
		if s < 1 || s > maxWidth {
			return nil, fmt.Errorf("rl: layer sizes must be in 1..%d (got %v)", maxWidth, sizes)
		}
	}
	m := &MLP{Sizes: slices.Clone(sizes)}
	for l := range len(sizes) - 1 {
		w := make([]float64, sizes[l]*sizes[l+1])
		if r != nil {
			models.XavierUniform(r, w, sizes[l], sizes[l+1])
		}
		m.Data = append(m.Data, w, make([]float64, sizes[l+1]))
	}
	return m, nil
}

// Layers is the number of weight layers.
func (m *MLP) Layers() int { return len(m.Sizes) - 1 }

// In and Out are the input and output widths.
func (m *MLP) In() int  { return m.Sizes[0] }
func (m *MLP) Out() int { return m.Sizes[len(m.Sizes)-1] }

// Count is the number of parameters.
func (m *MLP) Count() int {
	n := 0
	for _, d := range m.Data {
		n += len(d)
	}
	return n
}

// Clone returns a deep copy.
func (m *MLP) Clone() *MLP {
	c := &MLP{Sizes: slices.Clone(m.Sizes)}
	for _, d := range m.Data {
		c.Data = append(c.Data, slices.Clone(d))
	}
	return c
}

// CopyFrom copies o's weights into m (same sizes).
func (m *MLP) CopyFrom(o *MLP) {
	for i := range m.Data {
		copy(m.Data[i], o.Data[i])
	}
}

// sizes of every parameter slice, for the optimiser.
func (m *MLP) sizes() []int {
	s := make([]int, len(m.Data))
	for i, d := range m.Data {
		s[i] = len(d)
	}
	return s
}

// tensors names m's weights for a checkpoint: prefix.W0, prefix.b0, ...
func (m *MLP) tensors(prefix string) []models.Tensor {
	var t []models.Tensor
	for l := range m.Layers() {
		in, out := m.Sizes[l], m.Sizes[l+1]
		t = append(t, models.Tensor{Name: fmt.Sprintf("%s.W%d", prefix, l), Shape: []int{in, out}, Data: m.Data[2*l]},
			models.Tensor{Name: fmt.Sprintf("%s.b%d", prefix, l), Shape: []int{out}, Data: m.Data[2*l+1]})
	}
	return t
}

// load fills m (built with the right sizes) from a checkpoint's tensors.
func (m *MLP) load(c *models.Checkpoint, prefix string) error {
	for l := range m.Layers() {
		in, out := m.Sizes[l], m.Sizes[l+1]
		w, err := c.Tensor(fmt.Sprintf("%s.W%d", prefix, l), in, out)
		if err != nil {
			return err
		}
		b, err := c.Tensor(fmt.Sprintf("%s.b%d", prefix, l), out)
		if err != nil {
			return err
		}
		copy(m.Data[2*l], w)
		copy(m.Data[2*l+1], b)
	}
	return nil
}

// Forward is a preallocated plain-Go forward pass of an MLP for batches of
// up to a fixed size: a decision allocates nothing. It reads the network's
// weights at each call, so it follows a network being trained.
type Forward struct {
	m   *MLP
	cap int
	act [][]float64 // per layer output, cap×size
}

// NewForward returns a forward pass of m for batches of up to capB rows.
func NewForward(m *MLP, capB int) *Forward {
	f := &Forward{m: m, cap: capB}
	for l := 1; l < len(m.Sizes); l++ {
		f.act = append(f.act, make([]float64, capB*m.Sizes[l]))
	}
	return f
}

// Run computes the outputs of b rows of x (b×In, row-major) and returns
// them (b×Out), valid until the next Run.
func (f *Forward) Run(x []float64, b int) []float64 {
	if b > f.cap {
		panic(fmt.Sprintf("rl: forward batch %d over its capacity %d", b, f.cap))
	}
	m := f.m
	in := x
	for l := range m.Layers() {
		ni, no := m.Sizes[l], m.Sizes[l+1]
		w, bias, out := m.Data[2*l], m.Data[2*l+1], f.act[l][:b*no]
		for r := range b {
			o := out[r*no : (r+1)*no]
			copy(o, bias)
			xr := in[r*ni : (r+1)*ni]
			for k, xv := range xr {
				if xv == 0 {
					continue
				}
				wk := w[k*no : (k+1)*no]
				for j, wv := range wk {
					o[j] += xv * wv
				}
			}
			if l < m.Layers()-1 {
				for j, v := range o {
					if v < 0 {
						o[j] = 0
					}
				}
			}
		}
		in = out
	}
	return in
}
