package sim

import "math"

// Model answers "what would this option offer this function": the expected
// execution time, latency, cost, energy and carbon of one invocation at a
// placement, from the same billing, power, carbon, scaling and cold-start
// models the engine simulates. Policies use it to compare options; it is an
// estimate for a profile, the simulation is the measurement.
type Model struct {
	cat      *Catalog
	cpuBound float64
	busyUtil float64
	slo      SLO
}

// NewModel returns the offer model of a catalog: cpuBound is the share of an
// execution that scales with CPU (see ExecScale), busyUtil the CPU
// utilisation of a busy instance in the power model, slo the objective
// offers are checked against. The engine builds the same model from its
// Config.
func NewModel(cat *Catalog, cpuBound, busyUtil float64, slo SLO) *Model {
	return &Model{cat: cat, cpuBound: cpuBound, busyUtil: busyUtil, slo: slo}
}

// SLO is the latency objective of an invocation: Fixed if positive, otherwise
// Factor × its reference duration + Slack. A failed invocation always
// violates it.
type SLO struct {
	Fixed  Duration
	Factor float64
	Slack  Duration
}

// Limit returns the latency objective for an invocation of reference
// duration ref.
func (s SLO) Limit(ref Duration) Duration {
	if s.Fixed > 0 {
		return s.Fixed
	}
	return satAdd(DurationOf(s.Factor*float64(ref)), s.Slack)
}

// ExecScale returns the factor that turns a reference duration into an
// execution time at pl. The reference platform gave each execution one vCPU
// (Azure Functions Consumption: 100 ACU per instance); a fraction cpuBound of
// the work runs proportionally slower with a smaller CPU share, none faster
// past one vCPU (single-threaded work); the provider's speed multiplies all.
func (m *Model) ExecScale(pl Placement) float64 {
	p := &m.cat.Providers[pl.Provider]
	share := math.Min(p.Memory[pl.Memory].VCPU, 1)
	return p.Speed * ((1 - m.cpuBound) + m.cpuBound/share)
}

// Offer is the expected outcome of one invocation at a placement.
type Offer struct {
	Feasible      bool // memory holds the footprint and the longest execution seen fits the timeout
	Fits          bool // memory holds the footprint (shorter invocations complete even if the longest times out)
	Exec          Duration
	ColdStartProb float64
	Latency       Duration // round trip + warm overhead + execution + expected cold start
	CostUSD       float64  // request fee + compute
	EnergyKWh     float64  // while executing
	CarbonG       float64  // at the region's intensity at the time asked
	MeetsSLO      bool
}

// Offer estimates one invocation of v's profile at pl, at time at. The
// cold-start probability assumes Poisson arrivals at the profile's rate and
// the provider's keep-alive: the chance that the gap to the previous arrival
// exceeds it, exp(-rate × keep-alive).
func (m *Model) Offer(v *FunctionView, pl Placement, at Time) Offer {
	p := &m.cat.Providers[pl.Provider]
	r := &p.Regions[pl.Region]
	mo := &p.Memory[pl.Memory]
	prof := &v.Profile
	scale := m.ExecScale(pl)
	exec := DurationOf(float64(prof.MeanDuration) * scale)
	o := Offer{Exec: exec}
	// The timeout is checked against the duration tail, not the mean.
	tail := DurationOf(float64(max(prof.MaxDuration, prof.MeanDuration)) * scale)
	o.Fits = float64(mo.MB) >= prof.MaxMemoryMB
	o.Feasible = o.Fits && (p.Limits.Timeout == 0 || tail <= p.Limits.Timeout)
	o.ColdStartProb = math.Exp(-prof.Rate() * p.KeepAlive.Seconds())
	cold := max(FromSeconds(p.ColdStart.Mean())-p.ColdStartIncluded, 0)
	coldPart := DurationOf(o.ColdStartProb * float64(cold))
	o.Latency = satAdd(satAdd(m.cat.RTT(v.Zone, pl)+p.WarmOverhead, exec), coldPart)
	mem := p.Billing.BilledMemoryMB(float64(mo.MB), prof.MaxMemoryMB)
	o.CostUSD = p.Billing.RequestUSD + p.Billing.Execution(int64(exec), mem, mo.GHz, r.PriceFactor, false).USD
	busy := satAdd(exec, coldPart)
	w := p.Power.Watts(mo.VCPU, mem/1024, m.busyUtil) // memory as billed, like the engine
	o.EnergyKWh = w * busy.Seconds() / 3.6e6
	o.CarbonG = o.EnergyKWh * r.Carbon.At(int64(at))
	o.MeetsSLO = o.Latency <= m.slo.Limit(prof.MeanDuration)
	return o
}

// SLO returns the latency objective the model checks offers against.
func (m *Model) SLO() SLO { return m.slo }
