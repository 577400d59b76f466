// Package policies is the registry of skyfaas policies. It is built
// explicitly (Builtin lists every policy package; there is no init-time
// registration), and it refuses duplicate names.
//
// Each policy lives in its own package under strategic/, tactical/ or
// operational/, with a Name, a one-line Summary and a constructor
// New(policy.Args, policy.Env).
package policies

import (
	"fmt"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/policies/operational/fixedkeepalive"
	"github.com/skyfaas/skyfaas/policies/operational/hybridhistogram"
	"github.com/skyfaas/skyfaas/policies/operational/movingaverage"
	"github.com/skyfaas/skyfaas/policies/operational/oracle"
	"github.com/skyfaas/skyfaas/policies/operational/providerdefault"
	"github.com/skyfaas/skyfaas/policies/operational/static2x"
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/policies/strategic/cheapest"
	"github.com/skyfaas/skyfaas/policies/strategic/greenest"
	"github.com/skyfaas/skyfaas/policies/strategic/lowestlatency"
	"github.com/skyfaas/skyfaas/policies/strategic/random"
	"github.com/skyfaas/skyfaas/policies/strategic/roundrobin"
	"github.com/skyfaas/skyfaas/policies/strategic/singlecloud"
	"github.com/skyfaas/skyfaas/policies/strategic/skypilot"
	"github.com/skyfaas/skyfaas/policies/strategic/weighted"
	"github.com/skyfaas/skyfaas/policies/tactical/cheapestregion"
	"github.com/skyfaas/skyfaas/policies/tactical/fixed"
	"github.com/skyfaas/skyfaas/policies/tactical/greenestregion"
	"github.com/skyfaas/skyfaas/policies/tactical/nearest"
	"github.com/skyfaas/skyfaas/policies/tactical/powertuning"
	"github.com/skyfaas/skyfaas/sim"
)

// Layer names a decision layer.
type Layer string

const (
	Strategic   Layer = "strategic"
	Tactical    Layer = "tactical"
	Operational Layer = "operational"
)

// Layers lists the layers from the top.
var Layers = []Layer{Strategic, Tactical, Operational}

// Factories build a policy of each layer.
type (
	StrategicFactory   func(policy.Args, policy.Env) (sim.Strategic, error)
	TacticalFactory    func(policy.Args, policy.Env) (sim.Tactical, error)
	OperationalFactory func(policy.Args, policy.Env) (sim.Operational, error)
)

// Info describes a registered policy.
type Info struct {
	Layer   Layer
	Name    string
	Summary string
}

type entry struct {
	info        Info
	strategic   StrategicFactory
	tactical    TacticalFactory
	operational OperationalFactory
}

// Registry maps policy names to constructors, per layer.
type Registry struct {
	byLayer map[Layer]map[string]entry
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{byLayer: map[Layer]map[string]entry{Strategic: {}, Tactical: {}, Operational: {}}}
}

func (r *Registry) add(e entry) error {
	m := r.byLayer[e.info.Layer]
	if e.info.Name == "" {
		return fmt.Errorf("policies: a %s policy has no name", e.info.Layer)
	}
	if _, dup := m[e.info.Name]; dup {
		return fmt.Errorf("policies: %s policy %q registered twice", e.info.Layer, e.info.Name)
	}
	m[e.info.Name] = e
	return nil
}

// AddStrategic registers a strategic policy.
func (r *Registry) AddStrategic(name, summary string, f StrategicFactory) error {
	return r.add(entry{info: Info{Strategic, name, summary}, strategic: f})
}

// AddTactical registers a tactical policy.
func (r *Registry) AddTactical(name, summary string, f TacticalFactory) error {
	return r.add(entry{info: Info{Tactical, name, summary}, tactical: f})
}

// AddOperational registers an operational policy.
func (r *Registry) AddOperational(name, summary string, f OperationalFactory) error {
	return r.add(entry{info: Info{Operational, name, summary}, operational: f})
}

func (r *Registry) lookup(l Layer, name string) (entry, error) {
	e, ok := r.byLayer[l][name]
	if !ok {
		return e, fmt.Errorf("unknown %s policy %q (known: %s)", l, name, strings.Join(r.Names(l), ", "))
	}
	return e, nil
}

// NewStrategic builds the named strategic policy.
func (r *Registry) NewStrategic(name string, a policy.Args, env policy.Env) (sim.Strategic, error) {
	e, err := r.lookup(Strategic, name)
	if err != nil {
		return nil, err
	}
	return e.strategic(a, env)
}

// NewTactical builds the named tactical policy.
func (r *Registry) NewTactical(name string, a policy.Args, env policy.Env) (sim.Tactical, error) {
	e, err := r.lookup(Tactical, name)
	if err != nil {
		return nil, err
	}
	return e.tactical(a, env)
}

// NewOperational builds the named operational policy.
func (r *Registry) NewOperational(name string, a policy.Args, env policy.Env) (sim.Operational, error) {
	e, err := r.lookup(Operational, name)
	if err != nil {
		return nil, err
	}
	return e.operational(a, env)
}

// Names lists a layer's policy names, sorted.
func (r *Registry) Names(l Layer) []string {
	var n []string
	for name := range r.byLayer[l] {
		n = append(n, name)
	}
	slices.Sort(n)
	return n
}

// List describes every policy, layer by layer, names sorted.
func (r *Registry) List() []Info {
	var out []Info
	for _, l := range Layers {
		for _, n := range r.Names(l) {
			out = append(out, r.byLayer[l][n].info)
		}
	}
	return out
}

// Builtin returns the registry of every policy shipped with skyfaas.
func Builtin() *Registry {
	r := New()
	must := func(err error) {
		if err != nil {
			panic(err) // a programming error in the list below, caught by the tests
		}
	}
	must(r.AddStrategic(singlecloud.Name, singlecloud.Summary, singlecloud.New))
	must(r.AddStrategic(random.Name, random.Summary, random.New))
	must(r.AddStrategic(roundrobin.Name, roundrobin.Summary, roundrobin.New))
	must(r.AddStrategic(cheapest.Name, cheapest.Summary, cheapest.New))
	must(r.AddStrategic(greenest.Name, greenest.Summary, greenest.New))
	must(r.AddStrategic(lowestlatency.Name, lowestlatency.Summary, lowestlatency.New))
	must(r.AddStrategic(weighted.Name, weighted.Summary, weighted.New))
	must(r.AddStrategic(skypilot.Name, skypilot.Summary, skypilot.New))

	must(r.AddTactical(fixed.Name, fixed.Summary, fixed.New))
	must(r.AddTactical(nearest.Name, nearest.Summary, nearest.New))
	must(r.AddTactical(cheapestregion.Name, cheapestregion.Summary, cheapestregion.New))
	must(r.AddTactical(greenestregion.Name, greenestregion.Summary, greenestregion.New))
	must(r.AddTactical(powertuning.Name, powertuning.Summary, powertuning.New))

	must(r.AddOperational(providerdefault.Name, providerdefault.Summary, providerdefault.New))
	must(r.AddOperational(fixedkeepalive.Name, fixedkeepalive.Summary, fixedkeepalive.New))
	must(r.AddOperational(static2x.Name, static2x.Summary, static2x.New))
	must(r.AddOperational(movingaverage.Name, movingaverage.Summary, movingaverage.New))
	must(r.AddOperational(hybridhistogram.Name, hybridhistogram.Summary, hybridhistogram.New))
	must(r.AddOperational(oracle.Name, oracle.Summary, oracle.New))
	return r
}
