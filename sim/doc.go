// Package sim is the skyfaas discrete-event engine and the simulated world:
// pools of function instances across providers and regions, cold starts,
// execution-time scaling, limits, billing, energy, carbon and metrics.
//
// # Contract
//
// Time is an integer number of microseconds since the start of the run
// ([Time], [Duration]). Events are ordered by (time, sequence number), the
// sequence number being assigned when an event is scheduled, so ties resolve
// in scheduling order and a run is reproducible bit for bit. At equal times,
// scheduled events run before the next arrival of the workload.
//
// The workload is a [Source] streamed in arrival order; it is merged with the
// event heap, not pushed into it, so memory holds the events in flight, never
// the trace.
//
// Every random draw comes from a named stream derived from (seed,
// replication, stream name) by [Streams]. Nothing here reads the wall clock,
// starts a goroutine, performs I/O or touches a global random source: the
// caller drives the [Engine] and receives a [Metrics] value back.
//
// # Instances and executions
//
// An instance holds up to its provider's instance concurrency of
// executions, which share its CPU on a virtual clock (see rateAt): an
// occupancy change costs one clock update and at most one rescheduled
// completion event. Every charge is posted to the ledger (ledger.go) and
// attributed to its pool and interval; with a warm-up (Config.Warmup) only
// the measured window is recorded (see Metrics).
//
// # Decision points
//
// Policies are called at three layers, on one control event per operational
// tick (default 15 s):
//
//   - strategic ([Strategic]): the provider of each function, every strategic
//     epoch (default 1 h);
//   - tactical ([Tactical]): the region and memory size of each function,
//     every tactical epoch (default 15 min), right after the strategic layer
//     when both fall on the same tick;
//   - operational ([Operational]): per pool, how many instances to keep
//     pre-warmed for the next interval and the idle keep-alive, every tick.
//
// The strategic epoch must be a multiple of the tactical epoch, which must be
// a multiple of the tick. Observations handed to policies are valid only for
// the duration of the call.
//
// # Observations and the objective
//
// Every function's view ([FunctionView], [PoolView]) carries its arrivals
// per operational interval over the last Config.HistoryIntervals ticks
// ([ArrivalHistory], one ring per function kept by the engine at each
// tick), its instance counts and its profile (mean duration and footprint).
// What each option (provider, region, memory) offers a function is asked of
// the observation ([StrategicObservation.Option]): prices, grid intensity
// now and forecast ([CarbonForecast]: persistence, or a noisy view of the
// future with a declared error, never the truth), round trip, and the
// model's [Offer]. [Objective] turns an [Outcome] into a reward.
//
// # Files by concept
//
//   - config.go: the model's modes and [Config], checked by New;
//   - engine.go: the [Engine], its event loop, warm-up and end of run;
//   - step.go: the decision points ([Engine.Next], [Engine.Advance],
//     [Engine.Reset]) and applying the layers' decisions;
//   - dispatch.go: an arrival's way to an instance, a queue or a failure;
//   - instance.go, single.go: an instance's life, its executions on the
//     virtual clock, and the fast path of one-execution instances;
//   - pool.go: pools (a function at a placement) and their interval
//     statistics;
//   - prewarm.go: the operational layer's pre-warmed instances and
//     keep-alive, and provisioned-capacity billing;
//   - limits.go: concurrency and scale-up scopes;
//   - ledger.go: every charge, the accounts, and the per-interval series
//     handed to a [Recorder] (series.go);
//   - observe.go, history.go, forecast.go, policy.go: what policies see;
//   - model.go, objective.go: the offer model and the objective;
//   - eventq.go, fifo.go: the event queue and ring buffers;
//   - metrics.go: [Metrics].
package sim
