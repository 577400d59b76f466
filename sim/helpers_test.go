package sim_test

import (
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// Test policies: keep every function on one placement, never pre-warm.
type fixedStrategic struct{ p sim.ProviderID }

func (f fixedStrategic) Name() string { return "test-fixed" }
func (f fixedStrategic) Providers(_ *sim.StrategicObservation, out []sim.ProviderID) {
	for i := range out {
		out[i] = f.p
	}
}

type fixedTactical struct{ region, memory uint8 }

func (f fixedTactical) Name() string { return "test-fixed" }
func (f fixedTactical) Placements(_ *sim.TacticalObservation, out []sim.Placement) {
	for i := range out {
		out[i].Region, out[i].Memory = f.region, f.memory
	}
}

type keepAlive struct{ d sim.Duration }

func (k keepAlive) Name() string                                                 { return "test-keepalive" }
func (k keepAlive) Decide(_ *sim.OperationalObservation, out []sim.PoolDecision) {}
func (k keepAlive) Stationary() sim.PoolDecision                                 { return sim.PoolDecision{KeepAlive: k.d} }

// testCatalog is one provider, one region, one 1-vCPU memory option, no
// network delay: execution time equals the reference duration.
func testCatalog(cold dist.Quantiler, ka sim.Duration, lim sim.Limits) *sim.Catalog {
	return &sim.Catalog{
		Providers: []sim.Provider{{
			Name:      "test",
			Regions:   []sim.Region{{Name: "r", Role: "r", Carbon: carbon.Constant(100), PriceFactor: 1}},
			Memory:    []sim.MemoryOption{{MB: 2048, VCPU: 1}},
			Billing:   billing.Rules{RequestUSD: 1e-7, GranularityUS: 1000, GBSecondUSD: 1e-5},
			Power:     sim.PowerModel{MinWPerVCPU: 1, MaxWPerVCPU: 4, MemWPerGB: 0.4, PUE: 1.1},
			ColdStart: cold,
			KeepAlive: ka,
			Limits:    lim,
			Speed:     1,
		}},
		Zones: []sim.Zone{{Name: "z", RTT: [][]sim.Duration{{0}}}},
	}
}

func baseConfig(cat *sim.Catalog, src sim.Source, op sim.Operational) sim.Config {
	return sim.Config{
		Catalog: cat, Source: src,
		Strategic: fixedStrategic{}, Tactical: fixedTactical{}, Operational: op,
		Streams:        sim.NewStreams(1, 0),
		StrategicEpoch: sim.Hour, TacticalEpoch: 15 * sim.Minute, Tick: 15 * sim.Second,
		AppZones:         make([]sim.ZoneID, len(src.Apps())),
		CPUBoundFraction: 0.5, BusyUtilisation: 0.5,
		SLO:           sim.SLO{Factor: 2, Slack: 500 * sim.Millisecond},
		MaxQueueWait:  10 * sim.Second,
		PriorDuration: sim.Second, PriorMemoryMB: 128,
	}
}
