package lstm

import (
	"fmt"
	"math/rand/v2"

	"github.com/skyfaas/skyfaas/models"
)

// The four gates of an LSTM cell, each with its own weight matrices (never
// one fused matrix sliced by columns: gorgonia's Slice collapses slices
// whose offsets differ by a multiple of 256, GORGONIA.md pitfall 1).
const (
	gateI = iota // input
	gateF        // forget
	gateG        // cell candidate
	gateO        // output
	numGates
)

var gateNames = [numGates]string{"i", "f", "g", "o"}

// Params holds the network's weights, row-major float64, in a fixed order:
// per LSTM layer and gate W (in×units), U (units×units), b (units); then
// the dense layer's W and b; then the output's.
type Params struct {
	Names  []string
	Shapes [][]int
	Data   [][]float64
}

func (p *Params) add(name string, shape ...int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	p.Names = append(p.Names, name)
	p.Shapes = append(p.Shapes, shape)
	p.Data = append(p.Data, make([]float64, n))
	return len(p.Data) - 1
}

// layout names every parameter of c with zero values, and returns the
// indices: lstm[l][gate] = index of W (U and b follow it).
type layout struct {
	lstm                       [][numGates]int
	denseW, denseB, outW, outB int
}

func newParams(c Config) (*Params, layout) {
	p := &Params{}
	var lay layout
	in := NumFeatures
	for l, u := range c.Units {
		var g [numGates]int
		for k := range numGates {
			g[k] = p.add(fmt.Sprintf("lstm%d.W%s", l, gateNames[k]), in, u)
			p.add(fmt.Sprintf("lstm%d.U%s", l, gateNames[k]), u, u)
			p.add(fmt.Sprintf("lstm%d.b%s", l, gateNames[k]), u)
		}
		lay.lstm = append(lay.lstm, g)
		in = u
	}
	lay.denseW, lay.denseB = -1, -1
	if c.Dense > 0 {
		lay.denseW = p.add("dense.W", in, c.Dense)
		lay.denseB = p.add("dense.b", c.Dense)
		in = c.Dense
	}
	lay.outW = p.add("out.W", in, NumTargets)
	lay.outB = p.add("out.b", NumTargets)
	return p, lay
}

// initialise draws Xavier-uniform input and dense weights, orthogonal
// recurrent weights and zero biases from r.
func (p *Params) initialise(r *rand.Rand) {
	for i, name := range p.Names {
		s := p.Shapes[i]
		switch {
		case len(s) == 1:
			clear(p.Data[i])
		case len(name) > 6 && name[len(name)-2] == 'U':
			models.Orthogonal(r, p.Data[i], s[0], s[1])
		default:
			models.XavierUniform(r, p.Data[i], s[0], s[1])
		}
	}
}

// Clone returns a deep copy.
func (p *Params) Clone() *Params {
	q := &Params{Names: p.Names, Shapes: p.Shapes}
	for _, d := range p.Data {
		q.Data = append(q.Data, append([]float64(nil), d...))
	}
	return q
}

// CopyFrom copies q's values into p (same layout).
func (p *Params) CopyFrom(q *Params) {
	for i := range p.Data {
		copy(p.Data[i], q.Data[i])
	}
}

// Count is the number of parameters.
func (p *Params) Count() int {
	n := 0
	for _, d := range p.Data {
		n += len(d)
	}
	return n
}

func (p *Params) sizes() []int {
	s := make([]int, len(p.Data))
	for i, d := range p.Data {
		s[i] = len(d)
	}
	return s
}
