package lstm

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/skyfaas/skyfaas/models"
)

// Kind is the LSTM's checkpoint kind.
const Kind = "lstm"

// Write writes m as a checkpoint: configuration, normalisation, metadata
// and weights.
func (m *Model) Write(w io.Writer) error {
	cfg, err := json.Marshal(m.Config)
	if err != nil {
		return err
	}
	norm, err := json.Marshal(m.Norm)
	if err != nil {
		return err
	}
	c := models.Checkpoint{Kind: Kind, Config: cfg, Norm: norm, Meta: m.Meta}
	for i, name := range m.Params.Names {
		c.Tensors = append(c.Tensors, models.Tensor{Name: name, Shape: m.Params.Shapes[i], Data: m.Params.Data[i]})
	}
	return c.Write(w)
}

// Read reads a checkpoint written by Model.Write, refusing one of another
// kind, version or checksum, or whose weights do not have the shapes its
// configuration implies.
func Read(r io.Reader) (*Model, error) {
	c, err := models.ReadCheckpoint(r, Kind)
	if err != nil {
		return nil, err
	}
	m := &Model{Meta: c.Meta}
	if err := json.Unmarshal(c.Config, &m.Config); err != nil {
		return nil, fmt.Errorf("%w: configuration: %v", models.ErrCheckpoint, err)
	}
	if err := m.Config.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", models.ErrCheckpoint, err)
	}
	if err := json.Unmarshal(c.Norm, &m.Norm); err != nil {
		return nil, fmt.Errorf("%w: normalisation: %v", models.ErrCheckpoint, err)
	}
	if m.Norm.Mode != NormGlobal && m.Norm.Mode != NormPerPool {
		return nil, fmt.Errorf("%w: normalisation mode %q", models.ErrCheckpoint, m.Norm.Mode)
	}
	for k := range NumFeatures {
		if !(m.Norm.Global.Std[k] > 0) {
			return nil, fmt.Errorf("%w: normalisation of %s has standard deviation %v", models.ErrCheckpoint, FeatureNames[k], m.Norm.Global.Std[k])
		}
	}
	p, _ := newParams(m.Config)
	if len(c.Tensors) != len(p.Names) {
		return nil, fmt.Errorf("%w: %d tensors, the configuration (units %v, dense %d) needs %d", models.ErrCheckpoint, len(c.Tensors), m.Config.Units, m.Config.Dense, len(p.Names))
	}
	for i, name := range p.Names {
		d, err := c.Tensor(name, p.Shapes[i]...)
		if err != nil {
			return nil, err
		}
		p.Data[i] = d
	}
	m.Params = p
	return m, nil
}
