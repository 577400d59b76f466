package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// CheckpointMagic opens every skyfaas checkpoint file.
const CheckpointMagic = "SKYFAAS-CKPT\n"

// CheckpointVersion is the format version this code writes and reads.
// Version 1: magic, uint32 version, uint32 header length, JSON header,
// tensors (name, shape and float64 data, little-endian, in the header's
// order), then the SHA-256 of everything before it.
const CheckpointVersion = 1

// maxHeader bounds the JSON header a reader accepts (a corrupted length
// must not allocate gigabytes).
const maxHeader = 16 << 20

// ErrCheckpoint is wrapped by every error about a checkpoint's bytes
// (magic, version, checksum, truncation, shape).
var ErrCheckpoint = errors.New("invalid checkpoint")

// Tensor is one named array of a checkpoint, row-major.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float64
}

// Checkpoint is a trained model as stored: its Kind ("lstm", "dqn", "ppo"),
// its configuration and normalisation (JSON, the model package's types),
// free-form metadata (training scenario, seed, epochs, losses) and its
// weights.
type Checkpoint struct {
	Kind    string            `json:"kind"`
	Config  json.RawMessage   `json:"config"`
	Norm    json.RawMessage   `json:"norm,omitempty"`
	Meta    map[string]string `json:"meta,omitempty"`
	Tensors []Tensor          `json:"-"`
}

type header struct {
	Checkpoint
	Shapes []tensorHeader `json:"tensors"`
}

type tensorHeader struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// size is the number of elements of shape, -1 if a dimension is negative
// or the product exceeds limit (checked before each multiplication, so it
// cannot wrap).
func size(shape []int, limit int) int {
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > limit/d) {
			return -1
		}
		n *= d
	}
	return n
}

// Write writes c in the current version.
func (c *Checkpoint) Write(w io.Writer) error {
	h := header{Checkpoint: *c}
	for _, t := range c.Tensors {
		if size(t.Shape, len(t.Data)) != len(t.Data) {
			return fmt.Errorf("checkpoint tensor %s: shape %v holds %d values, data has %d", t.Name, t.Shape, size(t.Shape, math.MaxInt), len(t.Data))
		}
		h.Shapes = append(h.Shapes, tensorHeader{t.Name, t.Shape})
	}
	js, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("checkpoint header: %w", err)
	}
	var b bytes.Buffer
	b.WriteString(CheckpointMagic)
	_ = binary.Write(&b, binary.LittleEndian, uint32(CheckpointVersion))
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(js)))
	b.Write(js)
	buf := make([]byte, 8)
	for _, t := range c.Tensors {
		for _, v := range t.Data {
			binary.LittleEndian.PutUint64(buf, math.Float64bits(v))
			b.Write(buf)
		}
	}
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	_, err = w.Write(b.Bytes())
	return err
}

// ReadCheckpoint reads a checkpoint of the given kind, refusing with an
// error wrapping ErrCheckpoint one whose magic, version, kind or checksum is
// wrong or which is truncated.
func ReadCheckpoint(r io.Reader, kind string) (*Checkpoint, error) {
	all, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrCheckpoint, fmt.Sprintf(format, a...))
	}
	if len(all) < len(CheckpointMagic) || string(all[:len(CheckpointMagic)]) != CheckpointMagic {
		return nil, bad("not a skyfaas checkpoint (no %q header)", CheckpointMagic[:len(CheckpointMagic)-1])
	}
	rest := all[len(CheckpointMagic):]
	if len(rest) < 8+sha256.Size {
		return nil, bad("truncated (%d bytes)", len(all))
	}
	if v := binary.LittleEndian.Uint32(rest); v != CheckpointVersion {
		return nil, bad("format version %d, this skyfaas reads version %d: retrain or use a matching skyfaas", v, CheckpointVersion)
	}
	body, sum := all[:len(all)-sha256.Size], all[len(all)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, bad("checksum mismatch (the file is corrupted or truncated)")
	}
	n := binary.LittleEndian.Uint32(rest[4:])
	if n > maxHeader || int(n) > len(rest)-8-sha256.Size {
		return nil, bad("header length %d out of range", n)
	}
	var h header
	if err := json.Unmarshal(rest[8:8+n], &h); err != nil {
		return nil, bad("header: %v", err)
	}
	if h.Kind != kind {
		return nil, bad("holds a %q model, want %q", h.Kind, kind)
	}
	data := rest[8+n : len(rest)-sha256.Size]
	for _, th := range h.Shapes {
		k := size(th.Shape, len(data)/8)
		if k < 0 {
			return nil, bad("tensor %s of shape %v runs past the end", th.Name, th.Shape)
		}
		t := Tensor{Name: th.Name, Shape: slices.Clone(th.Shape), Data: make([]float64, k)}
		for i := range t.Data {
			t.Data[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		data = data[8*k:]
		h.Tensors = append(h.Tensors, t)
	}
	if len(data) != 0 {
		return nil, bad("%d bytes after the last tensor", len(data))
	}
	c := h.Checkpoint
	return &c, nil
}

// Tensor returns the named tensor, checking its shape.
func (c *Checkpoint) Tensor(name string, shape ...int) ([]float64, error) {
	for _, t := range c.Tensors {
		if t.Name == name {
			if !slices.Equal(t.Shape, shape) {
				return nil, fmt.Errorf("%w: tensor %s has shape %v, the configuration needs %v", ErrCheckpoint, name, t.Shape, shape)
			}
			return t.Data, nil
		}
	}
	return nil, fmt.Errorf("%w: no tensor %s", ErrCheckpoint, name)
}
