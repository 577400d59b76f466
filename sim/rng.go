package sim

import (
	"hash/fnv"
	// Imported under its role: only its seeded constructors are used here,
	// never the package-level (global) source.
	seeded "math/rand/v2"
)

// Streams derives independent, reproducible random streams from a scenario
// seed, a replication number and a stream name. The same (seed, replication,
// name) always yields the same sequence, whatever other streams exist or in
// which order they are created, so two policy arms that read the same named
// streams see common random numbers.
type Streams struct {
	seed        uint64
	replication uint64
}

// NewStreams returns the stream factory for one replication of a scenario.
func NewStreams(seed uint64, replication int) Streams {
	return Streams{seed: seed, replication: uint64(replication)}
}

// New returns the named stream, a PCG generator keyed by
// splitmix64 over (seed, replication, FNV-1a(name)).
func (s Streams) New(name string) *seeded.Rand {
	return seeded.New(s.PCG(name))
}

// PCG returns the named stream's underlying generator.
func (s Streams) PCG(name string) *seeded.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	k := splitmix64(s.seed ^ splitmix64(s.replication^splitmix64(h.Sum64())))
	return seeded.NewPCG(k, splitmix64(k^0x6a09e667f3bcc909))
}

// seedOf returns a 64-bit key of the named stream, for draws that are a
// function of (stream, entity, time) rather than a sequence.
func (s Streams) seedOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return splitmix64(s.seed ^ splitmix64(s.replication^splitmix64(h.Sum64())))
}

// Hash01 maps (seed, key) to a number in [0, 1) deterministically; it is used
// for per-entity assignments (an app's client zone) that must not depend on
// the order entities are met in.
func (s Streams) Hash01(key string) float64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	v := splitmix64(s.seed ^ splitmix64(h.Sum64()))
	return float64(v>>11) * 0x1p-53
}

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64
// (OOPSLA 2014), a bijective 64-bit mixer.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
